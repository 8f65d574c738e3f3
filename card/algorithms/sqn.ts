/**
 * Sequence number freshness in the USIM: the array scheme of 3GPP TS 33.102 Annex C
 * (C.1.1: SQN = SEQ || IND; C.2.1: protection against wrap-around with Δ; C.2.2: the array
 * SEQ_MS(0..a-1) indexed by IND, and the optional age limit L).
 *
 * Pure: a check takes the array state and returns the verdict with the next state; the SIM applet
 * persists the array. SQN is 48 bits, held in a plain number (exact up to 2^53).
 *
 * Order of checks, as C.2.1 and C.2.2 require (SEQ_MS = highest SEQ anywhere in the array):
 *  1. Δ: SEQ - SEQ_MS ≤ Δ (C.2.1, "before applying the freshness conditions");
 *  2. L, when set: SEQ_MS - SEQ < L (C.2.2, "before verifying the above conditions");
 *  3. freshness: SEQ > SEQ_MS(IND); if so SEQ_MS(IND) := SEQ.
 * Any rejection is answered with a synchronisation failure carrying SQN_MS, the highest
 * previously accepted sequence number anywhere in the array.
 */

import { readU16, readU32, writeU16, writeU32 } from '../runtime/bytes.js';
import { bytesOf, intBetween } from './check.js';

/** TS 33.102 §6.3.2: SQN is 48 bits. */
export const SQN_BITS = 48;
const SQN_MAX = 2 ** SQN_BITS - 1;

export interface SqnParams {
  /** Length of IND in bits (the array has 2^indBits entries). */
  readonly indBits: number;
  /** Δ: largest accepted jump SEQ - SEQ_MS (C.2.1). `Infinity` switches the check off. */
  readonly delta: number;
  /** L: when set, SEQ is accepted only if SEQ_MS - SEQ < L (C.2.2). */
  readonly limit?: number | undefined;
}

/**
 * TS 33.102 Annex C.3 (informative profile): IND of 5 bits (a 32-entry array, SEQ of 43 bits)
 * and Δ = 2^28; the age limit L is optional and not applied by default.
 */
export const SQN_DEFAULT_PARAMS: SqnParams = Object.freeze({ indBits: 5, delta: 2 ** 28 });

/** The USIM's array: `seq[i]` is SEQ_MS(i), the highest SEQ accepted with IND = i (0 = none). */
export interface SqnState {
  readonly seq: readonly number[];
}

export const SQN_REJECT = {
  /** SEQ ≤ SEQ_MS(IND): a replay, or older than what this IND already accepted. */
  NOT_FRESH: 'not-fresh',
  /** SEQ - SEQ_MS > Δ: an implausible jump ahead. */
  DELTA: 'delta',
  /** SEQ_MS - SEQ ≥ L: too old. */
  LIMIT: 'limit',
} as const;
export type SqnRejectReason = (typeof SQN_REJECT)[keyof typeof SQN_REJECT];

interface VerdictBase {
  /** SEQ and IND of the received SQN. */
  readonly seq: number;
  readonly ind: number;
  /** State to keep: the same object when rejected. */
  readonly state: SqnState;
  /** SQN_MS after this check: the value an AUTS would carry. */
  readonly sqnMs: number;
}
export type SqnVerdict =
  | (VerdictBase & { readonly accepted: true })
  | (VerdictBase & { readonly accepted: false; readonly reason: SqnRejectReason });

function checkParams(params: SqnParams): SqnParams {
  if (params === null || typeof params !== 'object') throw new TypeError(`"params" expected object, got ${typeof params}`);
  intBetween('indBits', params.indBits, 0, 16);
  intBetween('delta', params.delta, 1, Infinity);
  if (params.limit !== undefined) intBetween('limit', params.limit, 1, Infinity);
  return params;
}

function checkState(state: SqnState, params: SqnParams): readonly number[] {
  const seq = state?.seq;
  if (!Array.isArray(seq)) throw new TypeError(`"state.seq" expected array, got ${typeof seq}`);
  const size = 2 ** params.indBits;
  if (seq.length !== size) throw new RangeError(`"state.seq" expected ${size} entries, got ${seq.length}`);
  const seqMax = 2 ** (SQN_BITS - params.indBits) - 1;
  for (let i = 0; i < size; i++) {
    const v = seq[i] as number;
    // The label is built only for a bad entry: this ran on every AUTHENTICATE (issue 20).
    if (!(Number.isSafeInteger(v) && v >= 0 && v <= seqMax)) intBetween(`state.seq[${i}]`, v, 0, seqMax);
  }
  return seq;
}

/** The initial array: every SEQ_MS(i) zero (C.2.2). */
export function sqnInitialState(params: SqnParams = SQN_DEFAULT_PARAMS): SqnState {
  checkParams(params);
  return { seq: new Array<number>(2 ** params.indBits).fill(0) };
}

/** SQN → { seq, ind } for the given IND length. */
export function sqnSplit(sqn: number, indBits: number = SQN_DEFAULT_PARAMS.indBits): { seq: number; ind: number } {
  intBetween('sqn', sqn, 0, SQN_MAX);
  intBetween('indBits', indBits, 0, 16);
  const size = 2 ** indBits;
  return { seq: Math.floor(sqn / size), ind: sqn % size };
}

/** SEQ || IND → SQN. */
export function sqnJoin(seq: number, ind: number, indBits: number = SQN_DEFAULT_PARAMS.indBits): number {
  intBetween('indBits', indBits, 0, 16);
  intBetween('seq', seq, 0, 2 ** (SQN_BITS - indBits) - 1);
  intBetween('ind', ind, 0, 2 ** indBits - 1);
  return seq * 2 ** indBits + ind;
}

/** 6-byte big-endian SQN (as carried in AUTN and AUTS) → number. */
export function sqnFromBytes(bytes: Uint8Array): number {
  bytesOf('sqn', bytes, 6);
  return readU16(bytes, 0) * 2 ** 32 + readU32(bytes, 2);
}

/** number → 6-byte big-endian SQN. */
export function sqnToBytes(sqn: number): Uint8Array {
  intBetween('sqn', sqn, 0, SQN_MAX);
  const out = new Uint8Array(6);
  writeU16(out, 0, Math.floor(sqn / 2 ** 32));
  writeU32(out, 2, sqn % 2 ** 32);
  return out;
}

function highest(seq: readonly number[], indBits: number): number {
  let best = 0;
  for (let i = 0; i < seq.length; i++) {
    // SEQ_MS(i) = 0 means nothing was accepted at i (an accepted SEQ is always > 0).
    if (seq[i]! > 0) best = Math.max(best, seq[i]! * 2 ** indBits + i);
  }
  return best;
}

/**
 * SQN_MS: the highest previously accepted SQN anywhere in the array (SEQ_MS || its IND), or 0
 * when nothing was accepted yet.
 */
export function sqnMs(state: SqnState, params: SqnParams = SQN_DEFAULT_PARAMS): number {
  checkParams(params);
  return highest(checkState(state, params), params.indBits);
}

/** Decide whether a received SQN (number, or the 6 bytes recovered from AUTN) is acceptable. */
export function checkSqnFreshness(
  state: SqnState,
  sqn: number | Uint8Array,
  params: SqnParams = SQN_DEFAULT_PARAMS,
): SqnVerdict {
  checkParams(params);
  const arr = checkState(state, params);
  const value = sqn instanceof Uint8Array ? sqnFromBytes(sqn) : intBetween('sqn', sqn, 0, SQN_MAX);
  const { seq, ind } = sqnSplit(value, params.indBits);
  const ms = highest(arr, params.indBits);
  const seqMs = Math.floor(ms / 2 ** params.indBits);
  const reject = (reason: SqnRejectReason): SqnVerdict => ({ accepted: false, reason, seq, ind, state, sqnMs: ms });
  if (seq - seqMs > params.delta) return reject(SQN_REJECT.DELTA);
  if (params.limit !== undefined && seqMs - seq >= params.limit) return reject(SQN_REJECT.LIMIT);
  if (seq <= arr[ind]!) return reject(SQN_REJECT.NOT_FRESH);
  const next = arr.slice();
  next[ind] = seq;
  return { accepted: true, seq, ind, state: { seq: next }, sqnMs: highest(next, params.indBits) };
}

/** The big-endian 48-bit integer at `o` (the caller has checked the bounds). */
function u48At(b: Uint8Array, o: number): number {
  return ((b[o]! << 8) | b[o + 1]!) * 4294967296 + (((b[o + 2]! << 24) | (b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]!) >>> 0);
}

/** The verdict of the packed check: the same facts as SqnVerdict, without a next state. */
export type PackedSqnVerdict =
  | { readonly accepted: true; readonly seq: number; readonly ind: number; readonly sqnMs: number }
  | { readonly accepted: false; readonly reason: SqnRejectReason; readonly seq: number; readonly ind: number; readonly sqnMs: number };

/**
 * Check the packed array a USIM keeps in persistent memory: 2^indBits entries of 6 bytes
 * (SEQ_MS(i), big-endian), e.g. the SIM applet's 'sqn' cell. The same decision as
 * checkSqnFreshness, for the per-command path (issue 20): `params` are the applet's, checked once
 * when it was built (checkSqnParams); the array is read in place in one pass that finds SQN_MS and
 * range-checks each entry with one comparison (a 6-byte entry holds at most 48 bits; SEQ has
 * 48 - indBits), so no array, no state object and no label is built unless an entry is bad — then
 * the error names it like checkSqnFreshness does. On acceptance the caller writes SEQ at entry IND.
 */
export function checkPackedSqn(packed: Uint8Array, sqn: Uint8Array, params: SqnParams): PackedSqnVerdict {
  const size = 2 ** params.indBits;
  // The order of the errors as before the split: the array's length, the SQN, then the entries.
  if (packed.length !== 6 * size) throw new RangeError(`"state.seq" expected ${size} entries, got ${packed.length / 6}`);
  bytesOf('sqn', sqn, 6);
  return decidePackedSqn(packed, sqn, params, packedSqnMs(packed, params));
}

/**
 * The scan half of checkPackedSqn: SQN_MS of the packed array (0 when nothing was accepted), after
 * range-checking every entry (RangeError naming the entry like checkSqnFreshness). A caller may keep
 * the result while it can prove the array unchanged (the USIM keys it on the memory's generation and
 * open-journal length, issue 20) and hand it to decidePackedSqn.
 */
export function packedSqnMs(packed: Uint8Array, params: SqnParams): number {
  const indBits = params.indBits;
  const size = 2 ** indBits;
  if (packed.length !== 6 * size) throw new RangeError(`"state.seq" expected ${size} entries, got ${packed.length / 6}`);
  const seqMax = 2 ** (SQN_BITS - indBits) - 1;
  // One pass in 16-bit words (small integers: no heap numbers per entry). An entry is in range
  // when its top indBits bits are zero (SEQ has 48 - indBits). SQN_MS = SEQ_MS || IND of the
  // highest non-zero entry, the later IND on a tie; SEQ_MS(i) = 0 means nothing accepted at i.
  const topShift = 16 - indBits;
  let b0 = 0, b1 = 0, b2 = 0, best = -1;
  for (let i = 0, o = 0; i < size; i++, o += 6) {
    const w0 = (packed[o]! << 8) | packed[o + 1]!;
    const w1 = (packed[o + 2]! << 8) | packed[o + 3]!;
    const w2 = (packed[o + 4]! << 8) | packed[o + 5]!;
    if ((w0 >> topShift) !== 0) intBetween(`state.seq[${i}]`, u48At(packed, o), 0, seqMax);
    if ((w0 | w1 | w2) !== 0 && (w0 > b0 || (w0 === b0 && (w1 > b1 || (w1 === b1 && w2 >= b2))))) {
      b0 = w0;
      b1 = w1;
      b2 = w2;
      best = i;
    }
  }
  return best < 0 ? 0 : (b0 * 4294967296 + b1 * 65536 + b2) * size + best;
}

/**
 * The decision half of checkPackedSqn, given `ms` = packedSqnMs(packed, params) of this very array
 * (the caller's promise): O(1), it reads only the received SQN and entry IND.
 */
export function decidePackedSqn(packed: Uint8Array, sqn: Uint8Array, params: SqnParams, ms: number): PackedSqnVerdict {
  bytesOf('sqn', sqn, 6);
  const size = 2 ** params.indBits;
  // size ≤ 2^16 is a power of two: IND is the low bits of the last two bytes, and dividing by
  // size (multiplying by its exact inverse) is exact; no floating-point remainder (issue 20).
  const inv = 1 / size;
  const ind = ((sqn[4]! << 8) | sqn[5]!) & (size - 1);
  const seq = (u48At(sqn, 0) - ind) * inv;
  const seqMs = Math.floor(ms * inv);
  if (seq - seqMs > params.delta) return { accepted: false, reason: SQN_REJECT.DELTA, seq, ind, sqnMs: ms };
  if (params.limit !== undefined && seqMs - seq >= params.limit) return { accepted: false, reason: SQN_REJECT.LIMIT, seq, ind, sqnMs: ms };
  if (seq <= u48At(packed, ind * 6)) return { accepted: false, reason: SQN_REJECT.NOT_FRESH, seq, ind, sqnMs: ms };
  const joined = seq * size + ind;
  return { accepted: true, seq, ind, sqnMs: joined > ms ? joined : ms };
}

/** Check SQN parameters once (where they are configured), so the packed check need not. */
export function checkSqnParams(params: SqnParams): SqnParams {
  return checkParams(params);
}
