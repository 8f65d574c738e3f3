/**
 * install(): checks a SimPersonalization and writes it into the card once — keys and algorithm
 * choice, PINs (CHV values are ASCII digits as TS 51.011 §9.3 codes them; a 16-hex ADM1 is raw
 * bytes), the SQN array seed, and the EF contents through the fs codecs (EF_ICCID, EF_IMSI in
 * DF_GSM and ADF_USIM, EF_ACC from the IMSI's last digit (TS 22.011 §4.2), EF_SPN, EF_MSISDN,
 * EF_ACMmax, EF_PUCT, EF_DIR listing ADF_USIM, every EF_ARR), the service tables EF_SST, EF_UST
 * and EF_EST computed from the files and features this card really has (fs/services.ts), then the
 * raw `files` overrides.
 */
import { encodeIccid, encodeImsi, encodeMsisdn, encodePuct, encodeSpn, encodeU24 } from '../../fs/codecs.js';
import { FEATURE, serviceTables, type Feature } from '../../fs/services.js';
import type { FsNode } from '../../fs/tree.js';
import { hexToBytes } from '../../runtime/index.js';
import { ALG2G, ALG3G, type SimCore } from './core.js';
import { seedSqn } from './auth.js';
import { SIM_3G_ALGORITHMS, SIM_GSM_ALGORITHMS, SimConfigError, type SimPersonality, type SimPersonalization } from './types.js';

/**
 * What this card does, for the service tables: DISABLE CHV/PIN of CHV1 (pin-ops.ts), INCREASE
 * (file-ops.ts), AUTHENTICATE in GSM context (auth.ts; a UICC command, so not on a classic-only
 * card), and the profile's SPN and MSISDN. FDN/BDN/ACL are never on: there is no EF_FDN,
 * EF_BDN or EF_ACL. test/fs/services.test.ts exercises each feature behind an advertised service.
 */
export function simFeatures(personality: SimPersonality, p: Pick<SimPersonalization, 'spn' | 'msisdn'>): Set<Feature> {
  const out = new Set<Feature>([FEATURE.CHV1_DISABLE, FEATURE.INCREASE]);
  if (personality !== 'classic') out.add(FEATURE.GSM_SECURITY_CONTEXT);
  if (p.spn !== undefined) out.add(FEATURE.PROFILE_SPN);
  if (p.msisdn !== undefined) out.add(FEATURE.PROFILE_MSISDN);
  return out;
}

function hexOf(field: string, v: unknown, bytes: number): Uint8Array {
  if (typeof v !== 'string' || !new RegExp(`^[0-9a-fA-F]{${2 * bytes}}$`).test(v)) throw new SimConfigError(field, `expected ${2 * bytes} hex digits, got ${JSON.stringify(v)}`);
  return hexToBytes(v);
}

function digitsPin(field: string, v: unknown, min: number, max: number): Uint8Array {
  if (typeof v !== 'string' || !new RegExp(`^\\d{${min},${max}}$`).test(v)) throw new SimConfigError(field, `expected ${min}..${max} decimal digits, got ${JSON.stringify(v)}`);
  return new TextEncoder().encode(v);
}

function admOf(v: unknown): Uint8Array {
  if (typeof v === 'string' && /^[0-9a-fA-F]{16}$/.test(v)) {
    const raw = hexToBytes(v);
    let n = raw.length;
    while (n > 0 && raw[n - 1] === 0xff) n--;
    if (n === 0) throw new SimConfigError('pins.adm1', 'an all-FF ADM1 cannot be presented');
    return raw.slice(0, n);
  }
  return digitsPin('pins.adm1', v, 8, 8);
}

function wrap<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) throw new SimConfigError(field, e.message);
    throw e;
  }
}

function write(core: SimCore, n: FsNode, content: Uint8Array | readonly Uint8Array[], field: string): void {
  const ef = n.ef!;
  if (content instanceof Uint8Array) {
    if (ef.structure !== 'transparent') throw new SimConfigError(field, `${n.name} is a record EF: give a list of records`);
    if (content.length > ef.size) throw new SimConfigError(field, `${n.name} holds ${ef.size} bytes, got ${content.length}`);
    core.fs.initialise(n, content);
    return;
  }
  if (ef.structure === 'transparent') throw new SimConfigError(field, `${n.name} is transparent: give one hex string`);
  if (content.length > ef.records) throw new SimConfigError(field, `${n.name} has ${ef.records} records, got ${content.length}`);
  core.fs.initialise(n, new Uint8Array(0));
  content.forEach((r, i) => {
    if (r.length > ef.recordLength) throw new SimConfigError(`${field}[${i}]`, `records of ${n.name} are ${ef.recordLength} bytes, got ${r.length}`);
    const full = new Uint8Array(ef.recordLength).fill(0xff);
    full.set(r);
    core.fs.writeRecord(n, i + 1, full);
  });
}

function writeAll(core: SimCore, name: string, content: Uint8Array | readonly Uint8Array[] | ((n: FsNode) => Uint8Array | readonly Uint8Array[])): void {
  for (const n of core.tree.byName(name)) write(core, n, typeof content === 'function' ? content(n) : content, name);
}

export function personalize(core: SimCore, p: SimPersonalization): void {
  if (p === null || typeof p !== 'object') throw new SimConfigError('personalization', 'expected an object');
  const ki = hexOf('ki', p.ki, 16);
  if (!SIM_3G_ALGORITHMS.includes(p.algorithm)) throw new SimConfigError('algorithm', `expected one of ${SIM_3G_ALGORITHMS.join(', ')}, got ${JSON.stringify(p.algorithm)}`);
  if (!SIM_GSM_ALGORITHMS.includes(p.gsmAlgorithm)) throw new SimConfigError('gsmAlgorithm', `expected one of ${SIM_GSM_ALGORITHMS.join(', ')}, got ${JSON.stringify(p.gsmAlgorithm)}`);
  const needsOpc = p.algorithm === 'milenage' || p.gsmAlgorithm === 'gsm-milenage';
  if (needsOpc && p.opc === undefined) throw new SimConfigError('opc', 'milenage needs OPc (32 hex digits)');
  const opc = p.opc === undefined ? new Uint8Array(16) : hexOf('opc', p.opc, 16);
  const sres = p.gsmMilenageSres ?? 1;
  if (sres !== 1 && sres !== 2) throw new SimConfigError('gsmMilenageSres', `expected 1 or 2, got ${JSON.stringify(sres)}`);
  const sqnBytes = p.sqn === undefined ? new Uint8Array(6) : hexOf('sqn', p.sqn, 6);
  const sqn = sqnBytes.reduce((v, b) => v * 256 + b, 0);
  const pins = p.pins;
  if (pins === null || typeof pins !== 'object') throw new SimConfigError('pins', 'expected an object');
  const pin1 = digitsPin('pins.pin1', pins.pin1, 4, 8);
  const puk1 = digitsPin('pins.puk1', pins.puk1, 8, 8);
  const pin2 = digitsPin('pins.pin2', pins.pin2, 4, 8);
  const puk2 = digitsPin('pins.puk2', pins.puk2, 8, 8);
  const adm1 = admOf(pins.adm1);
  // An imported card's files hold its identities already (they come with `files`).
  const imported = core.tree.imported !== undefined;
  const iccid = imported ? undefined : wrap('iccid', () => encodeIccid(String(p.iccid)));
  const imsi = imported ? undefined : wrap('imsi', () => encodeImsi(String(p.imsi)));

  core.ki.set(ki);
  core.opc.set(opc);
  core.algs.set(Uint8Array.of(ALG3G[p.algorithm], ALG2G[p.gsmAlgorithm], sres));
  seedSqn(core, sqn);
  core.chv1.update(pin1);
  core.chv1.setEnabled(pins.pin1Enabled !== false);
  core.puk1.update(puk1);
  core.chv2.update(pin2);
  core.puk2.update(puk2);
  core.adm1.update(adm1);
  core.chv1.reset();
  core.puk1.reset();
  core.chv2.reset();
  core.puk2.reset();
  core.adm1.reset();

  if (imported) {
    // The real card's life cycle states (FCP 8A / GSM status byte), then its contents by path.
    for (const n of core.tree.nodes) if (n.ef && n.info?.active === false) core.fs.setActive(n, false);
    writeFiles(core, p.files);
    return;
  }
  // Declared initial contents (record EFs: every record).
  for (const n of core.tree.nodes) {
    const init = n.decl.kind === 'EF' ? n.decl.initial : undefined;
    if (init === undefined || !n.ef) continue;
    const bytes = hexToBytes(init);
    write(core, n, n.ef.structure === 'transparent' ? bytes : new Array<Uint8Array>(n.ef.records).fill(bytes), n.name);
  }
  for (const { node, rules } of core.tree.arrs) write(core, node, rules, 'EF_ARR');
  const adf = core.tree.adfs[0]!;
  const label = new TextEncoder().encode('USIM');
  writeAll(core, 'EF_DIR', [Uint8Array.of(0x61, 4 + adf.aid!.length + label.length, 0x4f, adf.aid!.length, ...adf.aid!, 0x50, label.length, ...label)]);
  writeAll(core, 'EF_ICCID', iccid!);
  writeAll(core, 'EF_IMSI', imsi!);
  const last = Number(String(p.imsi).slice(-1));
  const acc = 1 << last;
  writeAll(core, 'EF_ACC', Uint8Array.of(acc >> 8, acc & 0xff));
  if (p.spn !== undefined) writeAll(core, 'EF_SPN', wrap('spn', () => encodeSpn(p.spn!)));
  if (p.msisdn !== undefined) writeAll(core, 'EF_MSISDN', (n) => [wrap('msisdn', () => encodeMsisdn(p.msisdn!, n.ef!.recordLength))]);
  if (p.acmMax !== undefined) writeAll(core, 'EF_ACMmax', wrap('acmMax', () => encodeU24(p.acmMax!, 'acmMax')));
  if (p.puct !== undefined) writeAll(core, 'EF_PUCT', wrap('puct', () => encodePuct(p.puct!.currency, p.puct!.eppu)));
  const tables = wrap('files', () => serviceTables(core.tree, simFeatures(core.personality, p)));
  writeAll(core, 'EF_SST', tables.sst);
  writeAll(core, 'EF_UST', tables.ust);
  writeAll(core, 'EF_EST', tables.est);
  writeFiles(core, p.files);
}

/** Raw contents by declared name or node path, applied last so they can override the fields above. */
function writeFiles(core: SimCore, files: SimPersonalization['files']): void {
  for (const [key, value] of Object.entries(files ?? {})) {
    const field = `files.${key}`;
    const nodes = core.tree.byName(key).filter((n) => n.ef);
    const byPath = core.tree.byPath(key);
    if (byPath?.ef) nodes.push(byPath);
    if (nodes.length === 0) throw new SimConfigError(field, 'no declared EF has this name or path');
    const content = typeof value === 'string' ? wrap(field, () => hexToBytes(value)) : (value as readonly string[]).map((r, i) => wrap(`${field}[${i}]`, () => hexToBytes(r)));
    for (const n of nodes) write(core, n, content, field);
  }
}
