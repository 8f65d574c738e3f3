/**
 * Subscriber authentication:
 * - RUN GSM ALGORITHM (TS 51.011 §9.2.16; only with DF_GSM or a DF below it current, §8.16;
 *   access condition CHV1): A3/A8 with the card's GSM
 *   algorithm, SRES ‖ Kc. The ME, not the SIM, stores Kc in EF_Kc (TS 51.011 §11.5.1-style
 *   "ciphering key" procedure), so this command writes nothing.
 * - AUTHENTICATE (TS 31.102 §7.1.2, PIN1 access condition, USIM ADF selected): 3G context opens
 *   AUTN (TS 33.102 §6.3.3), 9862 on a MAC failure, checks SQN freshness against the Annex C
 *   array and answers DB RES CK IK Kc (Kc = c3(CK, IK)), or DC AUTS carrying SQN_MS (AMF* 0000)
 *   on a synchronisation failure; the accepted SEQ is written inside a transaction that commits
 *   before the answer. GSM context (TS 33.102 §6.8.1.2): SRES = c2(RES), Kc = c3(CK, IK).
 * A success sets the session facts SUBSCRIBER_AUTHENTICATED (the context), AUTHENTICATION_RAND
 * (the RAND answered) and SUBSCRIBER_IMSI_HASH (SHA-256 of the EF_IMSI digits): RAM only, cleared
 * at power-up and reset with every session fact (issue 18, SFR seed).
 */
import { SW } from '../../../apdu-specs/status-words.js';
import { SESSION_FACTS, type SubscriberAuthentication } from '../../../apdu-specs/session-facts.js';
import {
  AUTN_SCRATCH, aes128KeyCached, buildAuts, c2, c3, decidePackedSqn, comp128v1, comp128v2, comp128v3, gsmMilenage, kernelF1, kernelF2345, kernelF5star,
  kernelOpenAutnAt, kernelTemp, openAutn, packedSqnMs, xor2g, xor3gAka, type AkaFunctions, type GsmAuthOutput,
} from '../../algorithms/index.js';
import type { FsNode } from '../../fs/tree.js';
import { decodeImsi } from '../../fs/codecs.js';
import { bytesToHex } from '../../runtime/bytes.js';
import { CardError, u48, type CommandApdu, type Reply } from '../../runtime/index.js';
import { imsiHash } from '../../protocol/index.js';
import { ALG2G, ALG3G, GSM_SW, type SimAuthCache, type SimCore } from './core.js';

function aka(core: SimCore): AkaFunctions {
  const ki = core.ki.view();
  if (core.algs.byte(0) === ALG3G.xor) return xor3gAka(ki);
  const m = { key: aes128KeyCached(ki), opc: core.opc.view() };
  // One set per command: TEMP = E_K(RAND ⊕ OPc) is computed once for the command's RAND (the same
  // array object every call here) and shared by f2345, f1 and f5* (issue 20).
  let tRand: Uint8Array | undefined;
  let t: Uint8Array = new Uint8Array(0);
  const tempOf = (rand: Uint8Array): Uint8Array => {
    if (rand !== tRand) {
      t = kernelTemp(m, rand);
      tRand = rand;
    }
    return t;
  };
  return {
    algorithm: 'milenage',
    f1: (rand, sqn, amf) => kernelF1(m, rand, sqn, amf, tempOf(rand)),
    f2345: (rand) => kernelF2345(m, rand, tempOf(rand)),
    f5star: (rand) => kernelF5star(m, rand, tempOf(rand)),
  };
}

function gsmAlgorithm(core: SimCore, rand: Uint8Array): GsmAuthOutput {
  const ki = core.ki.view();
  switch (core.algs.byte(1)) {
    case ALG2G.comp128v1:
      return comp128v1(ki, rand);
    case ALG2G.comp128v2:
      return comp128v2(ki, rand);
    case ALG2G.comp128v3:
      return comp128v3(ki, rand);
    case ALG2G['gsm-milenage']:
      return gsmMilenage(ki, core.opc.view(), rand, core.algs.byte(2) === 2 ? 2 : 1);
    case ALG2G.xor2g:
      return xor2g(ki, rand);
    default:
      throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'card not personalized');
  }
}

/**
 * The last EF_IMSI contents hashed per SIM (issue 20: hashing on every AUTHENTICATE was a tenth of
 * its time); recomputed whenever the file's bytes differ from the copy kept here.
 */
const imsiHashCache = new WeakMap<SimCore, { readonly raw: Uint8Array; readonly hex: string }>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The SIM's AUTHENTICATE cache (SimCore.authCache), emptied when the memory's generation or
 * open-journal length moved since it was filled: then some cell may have changed.
 */
function freshCache(core: SimCore): SimAuthCache {
  const c = core.authCache;
  const cell = core.sqnArray;
  const g = cell.generation;
  const j = cell.journalLength;
  if (c.generation !== g || c.journalLength !== j) {
    c.generation = g;
    c.journalLength = j;
    c.sqnMs = -1;
    c.kernel = undefined;
    c.imsiHex = undefined;
  }
  return c;
}

/** SHA-256 of the EF_IMSI digits as ASCII, hex; '' when EF_IMSI is absent or empty. */
function imsiHashHex(core: SimCore): string {
  const c = freshCache(core);
  if (c.imsiHex !== undefined) return c.imsiHex;
  const ef = core.tree.firstByName('EF_IMSI');
  if (ef === undefined) return (c.imsiHex = '');
  const raw = core.fs.view(ef);
  const hit = imsiHashCache.get(core);
  if (hit !== undefined && sameBytes(hit.raw, raw)) return (c.imsiHex = hit.hex);
  const digits = decodeImsi(raw);
  const hex = /^\d{1,15}$/.test(digits) ? bytesToHex(imsiHash(digits)) : '';
  imsiHashCache.set(core, { raw: raw.slice(), hex });
  return (c.imsiHex = hex);
}

const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** bytesToHex of the 16 bytes at `at` (RAND inside the command data), without a subarray. */
function hex16At(b: Uint8Array, at: number): string {
  let s = '';
  for (let i = at; i < at + 16; i++) s += HEX_PAIRS[b[i]!];
  return s;
}

/** The session facts of a successful authentication: context, RAND and IMSI hash (issue 18). */
function authenticated(core: SimCore, context: SubscriberAuthentication, data: Uint8Array, randAt: number): void {
  const s = core.ctx.session;
  s.set(SESSION_FACTS.AUTHENTICATION_RAND, hex16At(data, randAt));
  s.set(SESSION_FACTS.SUBSCRIBER_IMSI_HASH, imsiHashHex(core));
  s.set(SESSION_FACTS.SUBSCRIBER_AUTHENTICATED, context);
}

export function runGsmAlgorithm(core: SimCore, apdu: CommandApdu): Reply {
  if (apdu.data.length !== 16) throw new CardError(SW.GSM_WRONG_P3 | 0x10);
  // TS 51.011 §8.16: executable only when DF_GSM or a DF below it is the current directory. The
  // spec names no status word for this; 9804 (access condition not fulfilled) is the nearest.
  let df: FsNode | null = core.currentDf;
  while (df !== null && df.name !== 'DF_GSM') df = df.parent;
  if (df === null) throw new CardError(SW.GSM_ACCESS_NOT_FULFILLED, 'DF_GSM is not the current directory');
  core.require('CHV1', GSM_SW);
  const { sres, kc } = gsmAlgorithm(core, apdu.data);
  authenticated(core, 'gsm', apdu.data, 0);
  const out = new Uint8Array(12);
  out.set(sres);
  out.set(kc, 4);
  return { data: out };
}

function seqBytes(seq: number): Uint8Array {
  return u48(seq);
}

/** SEQ as 6 bytes in one reused array (the write copies it): no per-command array (issue 20). */
const SEQ6 = new Uint8Array(6);
function seqInto(seq: number): Uint8Array {
  const hi = Math.floor(seq / 4294967296);
  const lo = seq >>> 0;
  SEQ6[0] = hi >>> 8;
  SEQ6[1] = hi;
  SEQ6[2] = lo >>> 24;
  SEQ6[3] = lo >>> 16;
  SEQ6[4] = lo >>> 8;
  SEQ6[5] = lo;
  return SEQ6;
}

/** Install-time: SQN (highest accepted) into its IND slot. */
export function seedSqn(core: SimCore, sqn: number): void {
  if (sqn === 0) return;
  const size = 2 ** core.sqnParams.indBits;
  core.sqnArray.setAt((sqn % size) * 6, seqBytes(Math.floor(sqn / size)));
}

function lv(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + 1 + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out[o++] = p.length;
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** PIN1 for AUTHENTICATE: the GSM status words, 6982 when not verified. */
const AUTH_CHV1_SW = Object.freeze({ ...GSM_SW, security: SW.SECURITY_STATUS_NOT_SATISFIED });

/**
 * Milenage's working bytes for one 3G AUTHENTICATE (kernelOpenAutnInto): commands run one at a
 * time and the bytes (CK, IK among them) are zeroed before the answer leaves, so one array serves
 * every card in the process (issue 20: no per-command arrays for TEMP, OUT1..OUT4, SQN).
 */
const scratch = new Uint8Array(AUTN_SCRATCH.length);
/** SQN in the scratch (made once). */
const SCRATCH_SQN = scratch.subarray(AUTN_SCRATCH.sqn, AUTN_SCRATCH.sqn + 6);

/** DB ‖ L RES ‖ 10 CK ‖ 10 IK ‖ 08 Kc (Kc = c3(CK, IK)), built in one array. */
function dbAnswer(res: Uint8Array, resAt: number, resLen: number, ck: Uint8Array, ckAt: number, ik: Uint8Array, ikAt: number): Uint8Array {
  // A constant length for Milenage's 8-byte RES (53 bytes: V8 allocates it in the heap, fast).
  const out = resLen === 8 ? new Uint8Array(53) : new Uint8Array(1 + 1 + resLen + 17 + 17 + 9);
  out[0] = 0xdb;
  out[1] = resLen;
  let o = 2;
  for (let i = 0; i < resLen; i++) out[o++] = res[resAt + i]!;
  out[o++] = 16;
  for (let i = 0; i < 16; i++) out[o++] = ck[ckAt + i]!;
  out[o++] = 16;
  for (let i = 0; i < 16; i++) out[o++] = ik[ikAt + i]!;
  out[o++] = 8;
  for (let i = 0; i < 8; i++) out[o++] = ck[ckAt + i]! ^ ck[ckAt + 8 + i]! ^ ik[ikAt + i]! ^ ik[ikAt + 8 + i]!;
  return out;
}

/**
 * SQN accepted: write SEQ at its IND in one transaction; else the DC AUTS answer (SQN_MS, f1*,
 * f5*) over `fns` (default: the card's functions, made only on this rare path).
 */
function acceptSqn(core: SimCore, sqn: Uint8Array, data: Uint8Array, fns?: AkaFunctions): Reply | undefined {
  const cell = core.sqnArray;
  const packed = cell.view();
  // O(1) freshness (issue 20): SQN_MS is rescanned only when the cell may have changed since it
  // was cached. A bad entry throws from the scan and caches nothing, so it is reported on every
  // command as before.
  const c = freshCache(core);
  if (c.sqnMs < 0) c.sqnMs = packedSqnMs(packed, core.sqnParams);
  const verdict = decidePackedSqn(packed, sqn, core.sqnParams, c.sqnMs);
  if (!verdict.accepted) {
    const auts = buildAuts(fns ?? aka(core), data.subarray(1, 17), verdict.sqnMs);
    return { data: Uint8Array.of(0xdc, auts.length, ...auts) };
  }
  // The cache was valid when this command began, and the only change from here is this write of
  // SEQ: once committed, the cache is re-stamped with the new SQN_MS (a tear leaves it stale).
  c.generation = -1;
  core.ctx.beginTransaction();
  cell.setAt(verdict.ind * 6, seqInto(verdict.seq));
  core.ctx.commitTransaction();
  c.sqnMs = verdict.sqnMs;
  c.generation = cell.generation;
  c.journalLength = cell.journalLength;
  return undefined;
}

export function authenticate(core: SimCore, apdu: CommandApdu): Reply {
  if (core.currentAdf === undefined) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'no USIM ADF selected');
  const d = apdu.data;
  if (d.length < 17 || d[0] !== 16) throw new CardError(SW.WRONG_DATA);
  if (apdu.p2 === 0x80) {
    if (d.length !== 17) throw new CardError(SW.WRONG_DATA);
    core.require('CHV1', AUTH_CHV1_SW);
    const { res, ck, ik } = aka(core).f2345(d.subarray(1, 17));
    authenticated(core, 'gsm-context', d, 1);
    return { data: lv([c2(res), c3(ck, ik)]) };
  }
  if (d.length !== 34 || d[17] !== 16) throw new CardError(SW.WRONG_DATA);
  core.require('CHV1', AUTH_CHV1_SW);
  if (core.algs.byte(0) === ALG3G.xor) {
    const fns = aka(core);
    const opened = openAutn(fns, d.subarray(1, 17), d.subarray(18, 34));
    if (!opened.macOk) throw new CardError(SW.AUTH_MAC_FAILURE);
    const refused = acceptSqn(core, opened.sqn, d, fns);
    if (refused !== undefined) return refused;
    authenticated(core, '3g', d, 1);
    return { data: dbAnswer(opened.res, 0, opened.res.length, opened.ck, 0, opened.ik, 0) };
  }
  // Milenage: 5 AES blocks into the shared scratch, RAND and AUTN read in place: no per-command
  // arrays, not even subarrays (issue 20).
  const S = AUTN_SCRATCH;
  try {
    const c = freshCache(core);
    const m = (c.kernel ??= { key: aes128KeyCached(core.ki.view()), opc: core.opc.view() });
    if (!kernelOpenAutnAt(m, d, 1, d, 18, scratch)) throw new CardError(SW.AUTH_MAC_FAILURE);
    const refused = acceptSqn(core, SCRATCH_SQN, d);
    if (refused !== undefined) return refused;
    authenticated(core, '3g', d, 1);
    return { data: dbAnswer(scratch, S.res, 8, scratch, S.ck, scratch, S.ik) };
  } finally {
    scratch.fill(0);
  }
}
