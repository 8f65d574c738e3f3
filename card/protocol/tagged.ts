/**
 * The signing input of the applets' own statements (ledger, e-wallet): SHA-256 over a 4-character
 * ASCII tag naming the statement (domain separation: a digest of one kind never verifies as
 * another) followed by its fields, concatenated. `statement` gives those bytes, `tagged` their hash.
 */
import { sha256 } from '../algorithms/sha256.js';

export function tagged(tag: string, ...parts: Uint8Array[]): Uint8Array {
  return sha256(statement(tag, ...parts));
}

/**
 * The signed bytes themselves: the tag then the fields (tagged() is their SHA-256). The card
 * verifies signatures over these with p256VerifyMessage, so a provider whose native verify hashes
 * the message itself (node:crypto) is not handed a digest it cannot use (issue 20).
 */
export function statement(tag: string, ...parts: Uint8Array[]): Uint8Array {
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
  return buf;
}
