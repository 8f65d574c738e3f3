/**
 * A real card cloned from its file-system export (issue 13): the tree and contents a pySim-shell
 * export holds (pysim-export.ts), plus what no export holds — Ki/OPc, algorithms, PINs/PUKs/ADM,
 * SQN — from a profile, or defaults announced as warnings. What an export does say is taken from
 * it: whether PIN1/CHV1 is enabled (the PS_DO of the USIM's FCP, TS 102.221 §11.1.1.4.10; the
 * classic MF response's byte 14 b8, TS 51.011 §9.2.1), and the personality (UICC FCPs: 'both';
 * GSM responses: 'classic'). The card's logical channels follow its ATR (--atr or the profile's
 * `atr`, else cardforge's own per personality). An ARA-M the export lists (GlobalPlatform access
 * control, pySim `aram_delete_all`: no rules) is installed beside the SIM.
 */
import { z } from 'zod';
import { installSim, simDefaultAtr, SimConfigError, type SimPersonality, type SimPersonalization } from '../../card/applets/sim/index.js';
import { Card, hexToBytes, parseAtr, readTlvs, type Clock, type Rng } from '../../card/runtime/index.js';
import { FsLayoutError, fcpObjects, type FsNodeData, type FsTreeData } from '../../card/fs/index.js';
import { installAram } from '../../card/applets/aram/index.js';
import { profileSchema, type Profile } from '../profile/schema.js';
import { parseProfileText, ProfileError } from '../profile/load.js';
import { USIM_AID_PREFIX } from '../../apdu-specs/index.js';
import { simPersonalization } from '../profile/build.js';
import { parsePysimExport } from './pysim-export.js';
import { ExportParseError } from './errors.js';
import { CardforgeError } from '../errors.js';

/** What an import profile may hold: the secrets and algorithms no export carries, and the ATR. */
export const importProfileSchema = profileSchema.partial().required({ auth: true, pins: true });
export type ImportProfile = z.output<typeof importProfileSchema>;

/** Profile keys an export already answers: the clone takes its files, not these. */
const FROM_EXPORT = ['iccid', 'imsi', 'spn', 'msisdn', 'acm_max', 'puct', 'files', 'payment', 'ledger'] as const;

export function parseImportProfile(text: string, file: string): ImportProfile {
  const p = parseProfileText(text, file, importProfileSchema);
  const extra = FROM_EXPORT.filter((k) => p[k] !== undefined);
  if (extra.length) {
    throw new ProfileError(file, extra.map((k) => ({ path: k, message: `the export holds the card's files; an import profile gives only auth, pins, personality and atr — remove "${k}"` })));
  }
  return p;
}

/** TS 35.207 test set 1 keys and well-known test PINs: a clone without a profile answers with these. */
const DEFAULT_SECRETS: Pick<Profile, 'auth' | 'pins'> = {
  auth: { algorithm: 'milenage', gsm_algorithm: 'gsm-milenage', ki: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf' },
  pins: { pin1: '1234', puk1: '12345678', pin2: '5678', puk2: '87654321', adm1: '12345678', pin1_enabled: true },
};

export interface ImportOptions {
  readonly profile?: ImportProfile;
  /** The profile's file name, for messages. */
  readonly profileFile?: string;
  /** Hex ATR (overrides the profile's). */
  readonly atr?: string;
  readonly rng?: Rng;
  readonly clock?: Clock;
}

export interface ImportResult {
  readonly card: Card;
  readonly personality: SimPersonality;
  readonly files: number;
  readonly contents: number;
  readonly warnings: readonly string[];
}

/** PIN1/CHV1 enabled on the exported card, when its descriptions say. */
export function exportedPin1Enabled(tree: FsTreeData): boolean | undefined {
  const raw = (n: FsNodeData): Uint8Array => hexToBytes(n.fcp);
  if (tree.flavour === 'classic') {
    const r = raw(tree.mf);
    return r.length > 13 ? (r[13]! & 0x80) === 0 : undefined;
  }
  const usim = tree.mf.children?.find((c) => c.kind === 'ADF' && c.aid?.toUpperCase().startsWith(USIM_AID_PREFIX.toUpperCase()));
  for (const n of [usim, tree.mf]) {
    if (n === undefined) continue;
    const c6 = fcpObjects(raw(n)).find((t) => t.tag === 0xc6)?.value;
    if (!c6) continue;
    const inner = readTlvs(c6);
    const ps = inner.find((t) => t.tag === 0x90)?.value;
    const refs = inner.filter((t) => t.tag === 0x83).map((t) => t.value[0]);
    const i = refs.indexOf(0x01);
    if (ps && ps.length > 0 && i >= 0 && i < 8 * ps.length) return (ps[i >> 3]! & (0x80 >> (i & 7))) !== 0;
  }
  return undefined;
}

/** Clone a card from a pySim-shell export's text (`file` names it in errors). Throws ExportParseError, ProfileError, CloneError. */
export function importPysimExport(text: string, file: string, opts: ImportOptions = {}): ImportResult {
  const parsed = parsePysimExport(text, file);
  const warnings = [...parsed.warnings];
  const personality: SimPersonality = parsed.tree.flavour === 'classic' ? 'classic' : (opts.profile?.personality ?? 'both');
  if (parsed.tree.flavour === 'classic' && opts.profile?.personality !== undefined && opts.profile.personality !== 'classic') {
    throw new CloneError(`${opts.profileFile ?? 'profile'}: personality: ${file} is a classic SIM (GSM responses): its clone is a classic card; remove personality or set it to classic`);
  }
  const secrets = opts.profile ? { auth: opts.profile.auth, pins: opts.profile.pins } : DEFAULT_SECRETS;
  if (!opts.profile) {
    warnings.push('no --profile: Ki/OPc are the TS 35.207 test set 1 keys (Milenage), PIN1 1234, PUK1 12345678, PIN2 5678, PUK2 87654321, ADM1 12345678 — give a profile with auth and pins for the card\'s own');
  }
  const pin1Enabled = exportedPin1Enabled(parsed.tree);
  const base = simPersonalization({ ...secrets, iccid: '', imsi: '', personality } as unknown as Profile);
  const perso: SimPersonalization = { ...base, pins: { ...base.pins, pin1Enabled: pin1Enabled ?? base.pins.pin1Enabled ?? true }, files: parsed.contents };
  const atrHex = opts.atr ?? opts.profile?.atr;
  let atr: Uint8Array;
  try {
    atr = atrHex !== undefined ? hexToBytes(atrHex) : simDefaultAtr(personality);
    parseAtr(atr);
  } catch (e) {
    throw new CloneError(`--atr: ${e instanceof Error ? e.message : String(e)}; give the card's ATR as hex, e.g. as a trace or pcsc_scan shows it`);
  }
  const card = new Card({ atr, ...(opts.rng ? { rng: opts.rng } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
  try {
    installSim(card, { personality, tree: parsed.tree }, perso);
  } catch (e) {
    if (e instanceof FsLayoutError || e instanceof SimConfigError) throw new CloneError(`${file}: ${e.message}`);
    throw e;
  }
  // The export's ARA-M (GlobalPlatform access control; phones select it on a logical channel).
  if (parsed.applets.aram) installAram(card, {});
  card.powerOn();
  let files = 0;
  const count = (n: FsNodeData): void => {
    files++;
    for (const c of n.children ?? []) count(c);
  };
  count(parsed.tree.mf);
  return { card, personality, files, contents: Object.keys(parsed.contents).length, warnings };
}

export class CloneError extends CardforgeError<'CLONE_INVALID'> {
  constructor(message: string) {
    super('CLONE_INVALID', message);
    this.name = 'CloneError';
  }
}

export { ExportParseError };
