/**
 * Answer-to-reset (ISO/IEC 7816-3 §8): enough parsing to learn the offered protocols (the first
 * TDi's T is the default) and historical bytes, and a builder that computes TCK.
 */
import { CardError } from './errors.js';

export interface AtrInfo {
  readonly protocols: readonly number[];
  /** The protocol used without PPS: T of TD1, or T=0 when TD1 is absent. */
  readonly defaultProtocol: number;
  readonly historical: Uint8Array;
}

export function parseAtr(atr: Uint8Array): AtrInfo {
  const fail = (why: string): never => {
    throw new RangeError(`parseAtr: ${why}`);
  };
  if (atr.length < 2) fail(`ATR of ${atr.length} bytes is too short`);
  if (atr[0] !== 0x3b && atr[0] !== 0x3f) fail(`TS must be 3B or 3F, got ${atr[0]!.toString(16)}`);
  let i = 1;
  let y = atr[i]! >> 4;
  const k = atr[i]! & 0x0f;
  i++;
  const protocols: number[] = [];
  while (true) {
    if (y & 1) i++; // TA
    if (y & 2) i++; // TB
    if (y & 4) i++; // TC
    if (!(y & 8)) break;
    if (i >= atr.length) fail('truncated interface bytes');
    const td = atr[i]!;
    i++;
    const t = td & 0x0f;
    if (!protocols.includes(t) && t !== 15) protocols.push(t);
    y = td >> 4;
  }
  if (i + k > atr.length) fail(`expected ${k} historical bytes, ${atr.length - i} present`);
  const historical = atr.slice(i, i + k);
  const defaultProtocol = protocols[0] ?? 0;
  if (protocols.length === 0) protocols.push(0);
  const needsTck = protocols.some((p) => p !== 0);
  if (needsTck) {
    if (i + k + 1 !== atr.length) fail(`expected TCK at offset ${i + k}, ATR has ${atr.length} bytes`);
    let x = 0;
    for (let j = 1; j < atr.length; j++) x ^= atr[j]!;
    if (x !== 0) fail('TCK check failed');
  } else if (i + k !== atr.length && i + k + 1 !== atr.length) {
    fail(`${atr.length - i - k} unexpected bytes after the historical bytes`);
  }
  return { protocols, defaultProtocol, historical };
}

/** Build an ATR (direct convention) offering the given protocols, with historical bytes and TCK. */
export function buildAtr(protocols: readonly (0 | 1)[], historical: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (historical.length > 15) throw new RangeError(`buildAtr: "historical" expected at most 15 bytes, got ${historical.length}`);
  if (protocols.length === 0) throw new RangeError('buildAtr: at least one protocol');
  const out: number[] = [0x3b];
  const onlyT0 = protocols.length === 1 && protocols[0] === 0;
  if (onlyT0) {
    out.push(historical.length, ...historical);
    return Uint8Array.from(out);
  }
  out.push(0x80 | historical.length);
  protocols.forEach((t, idx) => out.push((idx < protocols.length - 1 ? 0x80 : 0) | t));
  out.push(...historical);
  let x = 0;
  for (let j = 1; j < out.length; j++) x ^= out[j]!;
  out.push(x);
  return Uint8Array.from(out);
}

/** Re-export for callers that validate ATRs from profiles: invalid → CardError-free RangeError. */
export function isValidAtr(atr: Uint8Array): boolean {
  try {
    parseAtr(atr);
    return true;
  } catch (e) {
    if (e instanceof CardError) throw e;
    return false;
  }
}

/**
 * The number of logical channels the ATR announces (ISO/IEC 7816-4 §12.1.1.11): compact-TLV
 * historical bytes (category indicator 80) with card capabilities (tag 7) whose third software
 * function table says b3..b1 = channels - 1 (111: 8 or more). undefined when the ATR does not say.
 */
export function atrLogicalChannels(historical: Uint8Array): number | undefined {
  if (historical[0] !== 0x80) return undefined;
  for (let i = 1; i < historical.length; ) {
    const tag = historical[i]! >> 4;
    const len = historical[i]! & 0x0f;
    if (tag === 0x7 && len >= 3) {
      const third = historical[i + 3];
      if (third === undefined) return undefined;
      const n = (third & 0x07) + 1;
      return n === 8 ? Infinity : n;
    }
    i += 1 + len;
  }
  return undefined;
}
