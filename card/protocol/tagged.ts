/**
 * The signing input of the applets' own statements (ledger, e-wallet): SHA-256 over a 4-character
 * ASCII tag naming the statement (domain separation: a digest of one kind never verifies as
 * another) followed by its fields, concatenated.
 */
import { sha256 } from '../algorithms/sha256.js';

export function tagged(tag: string, ...parts: Uint8Array[]): Uint8Array {
  if (!/^[\x20-\x7e]{4}$/.test(tag)) throw new RangeError(`tagged: "tag" expected 4 ASCII characters, got ${JSON.stringify(tag)}`);
  let n = 4;
  for (const p of parts) n += p.length;
  const buf = new Uint8Array(n);
  for (let i = 0; i < 4; i++) buf[i] = tag.charCodeAt(i);
  let off = 4;
  for (const p of parts) {
    buf.set(p, off);
    off += p.length;
  }
  return sha256(buf);
}
