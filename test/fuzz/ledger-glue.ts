/** Re-exports of the ledger fixture for the fuzz targets, plus a bounds-checked u32 read. */
export { makeCard, apdu, offerFor, ISSUER, CARD_ID, CODE } from '../applets/ledger/fixture.js';

/** The challenge of a GET CHALLENGE answer (16 bytes; zeros where the card refused, so a fuzzed session still builds its DEBIT). */
export function challengeOf(r: Uint8Array): Uint8Array {
  const c = new Uint8Array(16);
  if (r.length >= 18) c.set(r.subarray(0, 16));
  return c;
}

export function readU32Safe(b: Uint8Array, off: number): number {
  if (b.length < off + 4) return 0;
  return ((b[off]! << 24) >>> 0) + ((b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!);
}
