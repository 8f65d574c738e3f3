/**
 * AES-128 in counter mode (NIST SP 800-38A §6.5): keystream block j = E_K(T_j), where T_1 = the
 * initial counter block and T_{j+1} is T_j + 1 as a 128-bit big-endian integer (the standard
 * incrementing function of SP 800-38A Appendix B.1 over the whole block, so a carry runs through
 * all 16 bytes). Encryption and decryption are the same operation; the last block may be partial.
 * Used by the ledger's ticket seal. Checked against SP 800-38A F.5.1 / F.5.2
 * (test/algorithms/aes-ctr.test.ts).
 */
import { aes128EncryptInto, aes128KeyCached } from './aes128.js';

/** AES-128-CTR of `data` with a 16-byte big-endian counter block starting at `iv` (not modified). */
export function aes128Ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const k = aes128KeyCached(key);
  const ctr = iv.slice();
  const ks = new Uint8Array(16);
  const out = new Uint8Array(data.length);
  for (let off = 0; off < data.length; off += 16) {
    aes128EncryptInto(k, ctr, 0, ks, 0);
    const n = Math.min(16, data.length - off);
    for (let i = 0; i < n; i++) out[off + i] = data[off + i]! ^ ks[i]!;
    for (let i = 15; i >= 0; i--) if (++ctr[i]! <= 0xff) break; else ctr[i] = 0;
  }
  return out;
}
