/**
 * The APDU script of a profile for a SIM/USIM card (issue 8), as data: VERIFY ADM1, the applet's
 * PERSO_STORE_DATA blocks (apdu-specs/personalization.ts) for keys and PINs, VERIFY CHV1/CHV2
 * with the new values (the files they guard), SELECT + UPDATE BINARY / UPDATE RECORD of every EF
 * the profile sets (sim-files.ts), and the last block with the final ADM1. Each step carries a
 * masked rendering (secret bytes as **) for dry runs and logs; the bytes themselves are only
 * handed to a transport. Vendor adapters (../adapters) turn the same plan into their own script.
 */
import { PERSO_P1, PERSO_STORE_DATA, SIM_PERSO_SECRET_TAGS, SIM_PERSO_TAGS as TAG } from '../../../apdu-specs/index.js';
import type { FsNode } from '../../../card/fs/index.js';
import { USIM_AID } from '../../../card/applets/sim/index.js';
import { bytesToHex, hexToBytes } from '../../../card/runtime/index.js';
import { simPersonalization } from '../build.js';
import type { Profile } from '../schema.js';
import type { EfWrite } from './sim-files.js';
import type { GpSession } from '../../gp/session.js';

/**
 * 'verify-adm' / 'command': sent as they are. 'gp-open': opens the ISD's secure channel (run.ts,
 * host/gp openSecureChannel; `apdu` is INITIALIZE UPDATE's header, the host challenge is drawn at
 * run time). 'gp': sent through that session (C-MAC); `encode`, when set, builds the clear command
 * from the session (DGI values encrypted with its DEK) in place of `apdu`.
 */
export type StepKind = 'verify-adm' | 'command' | 'gp-open' | 'gp';

export interface Step {
  readonly kind: StepKind;
  /** What the step does, e.g. "UPDATE BINARY EF_IMSI (3F00/7F20/6F07)". */
  readonly label: string;
  /** The APDU (for 'gp': in clear, before the session wraps it; secret DGI values not yet encrypted). */
  readonly apdu: Uint8Array;
  /** The APDU in hex with secret bytes replaced by '*'. */
  readonly masked: string;
  /** 'gp' steps with sensitive data: the command with its DGI values encrypted under the session's DEK. */
  readonly encode?: (session: GpSession) => Uint8Array;
}

/** SIM algorithm codes (card/applets/sim/core.ts ALG3G / ALG2G; the card checks them). */
const ALG3G: Record<string, number> = { milenage: 1, xor: 2 };
const ALG2G: Record<string, number> = { comp128v1: 1, comp128v2: 2, comp128v3: 3, 'gsm-milenage': 4, xor2g: 5 };

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const star = (n: number): string => '*'.repeat(2 * n);

/** ADM1 as VERIFY presents it: 8 ASCII digits, or 16 hex digits raw without trailing FF. */
export function admValue(adm: string): Uint8Array {
  if (/^[0-9a-fA-F]{16}$/.test(adm)) {
    const raw = hexToBytes(adm);
    let n = raw.length;
    while (n > 0 && raw[n - 1] === 0xff) n--;
    return raw.slice(0, n);
  }
  return utf8(adm);
}

export function pinField(v: Uint8Array): Uint8Array {
  const out = new Uint8Array(8).fill(0xff);
  out.set(v.subarray(0, 8));
  return out;
}

function header(cla: number, ins: number, p1: number, p2: number, data: Uint8Array): Uint8Array {
  return Uint8Array.of(cla, ins, p1, p2, data.length, ...data);
}

export function plainStep(label: string, apdu: Uint8Array, kind: StepKind = 'command'): Step {
  return { kind, label, apdu, masked: bytesToHex(apdu).toUpperCase() };
}

/** A command whose data is entirely secret (VERIFY). */
export function secretStep(label: string, apdu: Uint8Array, kind: StepKind = 'command'): Step {
  return { kind, label, apdu, masked: bytesToHex(apdu.subarray(0, 5)).toUpperCase() + star(apdu.length - 5) };
}

/** PERSO_STORE_DATA block: records in TLV; values of secret tags masked, tags and lengths shown. */
export function storeDataStep(label: string, block: number, last: boolean, recs: readonly [number, Uint8Array][], secret: ReadonlySet<number>): Step {
  const parts: number[] = [];
  let masked = '';
  for (const [tag, v] of recs) {
    parts.push(tag, v.length, ...v);
    masked += bytesToHex(Uint8Array.of(tag, v.length)).toUpperCase() + (secret.has(tag) ? star(v.length) : bytesToHex(v).toUpperCase());
  }
  const apdu = header(PERSO_STORE_DATA.cla.value, PERSO_STORE_DATA.ins, last ? PERSO_P1.LAST_BLOCK : PERSO_P1.MORE_BLOCKS, block, Uint8Array.from(parts));
  return { kind: 'command', label, apdu, masked: bytesToHex(apdu.subarray(0, 5)).toUpperCase() + masked };
}

export function verifyAdmStep(classic: boolean, adm: string): Step {
  return secretStep('VERIFY ADM1', header(classic ? 0xa0 : 0x00, 0x20, 0x00, 0x0a, pinField(admValue(adm))), 'verify-adm');
}

/** SELECT of an EF: UICC by path (ADF files: the ADF by AID, then the path from it); classic FID by FID. */
export function selectSteps(n: FsNode, classic: boolean): Step[] {
  const chain: FsNode[] = [];
  for (let x: FsNode | null = n; x; x = x.parent) chain.unshift(x);
  const fid = (x: FsNode): number[] => [x.fid >> 8, x.fid & 0xff];
  if (classic) return chain.map((x) => plainStep(`SELECT ${x.name}`, header(0xa0, 0xa4, 0, 0, Uint8Array.from(fid(x)))));
  const adfAt = chain.findIndex((x) => x.kind === 'ADF');
  if (adfAt < 0) return [plainStep(`SELECT ${n.name} (${n.path})`, header(0x00, 0xa4, 0x08, 0x0c, Uint8Array.from(chain.slice(1).flatMap(fid))))];
  const aid = hexToBytes(USIM_AID);
  return [
    plainStep(`SELECT ${chain[adfAt]!.name} by AID`, header(0x00, 0xa4, 0x04, 0x0c, aid)),
    plainStep(`SELECT ${n.name} (${n.path})`, header(0x00, 0xa4, 0x09, 0x0c, Uint8Array.from(chain.slice(adfAt + 1).flatMap(fid)))),
  ];
}

/** UPDATE BINARY (chunks of at most 255 bytes) or UPDATE RECORD of every record. */
export function updateSteps(w: EfWrite, classic: boolean): Step[] {
  const cla = classic ? 0xa0 : 0x00;
  const n = w.node;
  const out: Step[] = [];
  if (w.content) {
    for (let off = 0; off < w.content.length; off += 255) {
      const chunk = w.content.subarray(off, Math.min(w.content.length, off + 255));
      out.push(plainStep(`UPDATE BINARY ${n.name} @${off}`, header(cla, 0xd6, off >> 8, off & 0xff, chunk)));
    }
    return out;
  }
  const recs = w.records!;
  if (n.ef!.structure === 'cyclic') {
    // Each cyclic UPDATE (mode PREVIOUS) writes the oldest slot and makes it record 1: write the
    // last record first, so after all of them record 1 is the first given (and the pointer is back).
    for (let r = recs.length; r >= 1; r--) out.push(plainStep(`UPDATE RECORD ${n.name} (cyclic, becomes record 1 of ${r})`, header(cla, 0xdc, 0x00, 0x03, recs[r - 1]!)));
    return out;
  }
  recs.forEach((rec, i) => out.push(plainStep(`UPDATE RECORD ${n.name} #${i + 1}`, header(cla, 0xdc, i + 1, 0x04, rec))));
  return out;
}

/** Keys, algorithms, SQN and PINs (not ADM1) as SIM PERSO_STORE_DATA records. */
export function simKeyRecords(profile: Profile): [number, Uint8Array][] {
  const p = simPersonalization(profile);
  return [
    [TAG.KI, hexToBytes(p.ki)],
    [TAG.OPC, p.opc !== undefined ? hexToBytes(p.opc) : new Uint8Array(16)],
    [TAG.ALGORITHMS, Uint8Array.of(ALG3G[p.algorithm]!, ALG2G[p.gsmAlgorithm]!, p.gsmMilenageSres ?? 1)],
    [TAG.SQN, p.sqn !== undefined ? hexToBytes(p.sqn) : new Uint8Array(6)],
    [TAG.CHV1, utf8(p.pins.pin1)],
    [TAG.PUK1, utf8(p.pins.puk1)],
    [TAG.CHV2, utf8(p.pins.pin2)],
    [TAG.PUK2, utf8(p.pins.puk2)],
    [TAG.CHV1_ENABLED, Uint8Array.of(p.pins.pin1Enabled === false ? 0 : 1)],
  ];
}

export { SIM_PERSO_SECRET_TAGS, TAG as SIM_PERSO_TAGS };
