/** Re-exports of the ledger fixture for the fuzz targets, plus a bounds-checked u32 read. */
export { makeCard, apdu, offer, ISSUER, CARD_ID, CODE } from '../applets/ledger/fixture.js';

export function readU32Safe(b: Uint8Array, off: number): number {
  if (b.length < off + 4) return 0;
  return ((b[off]! << 24) >>> 0) + ((b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!);
}
