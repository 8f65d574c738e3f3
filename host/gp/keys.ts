/**
 * Static keys of a security domain and how a host gets them: the three keys given (ENC, MAC, DEK),
 * one key for all three, or a master key diversified per card from the key diversification data
 * (the first 10 bytes of the INITIALIZE UPDATE response), in the two 3DES schemes
 * GlobalPlatformPro calls "emv" (EMV CPS 1.1 §A.2: bytes 4..9 of the KDD) and "visa2" (bytes
 * 0..1 and 4..7). Each scheme builds two 8-byte halves `d ‖ F0 ‖ t` and `d ‖ 0F ‖ t`, t = 01 ENC,
 * 02 MAC, 03 DEK, and encrypts them with 3DES-ECB under the master key.
 */
import { concat } from '../../card/runtime/index.js';
import { tdesEcb } from './crypto.js';
import { GpError } from './errors.js';

export interface StaticKeys {
  readonly enc: Uint8Array;
  readonly mac: Uint8Array;
  readonly dek: Uint8Array;
}

export const DIVERSIFICATIONS = ['none', 'emv', 'visa2'] as const;
export type Diversification = (typeof DIVERSIFICATIONS)[number];

/** The well-known GlobalPlatform test key (GlobalPlatformPro's and most cards' factory default). */
export const DEFAULT_TEST_KEY_HEX = '404142434445464748494a4b4c4d4e4f';

const KEY_TYPE = { enc: 1, mac: 2, dek: 3 } as const;

function kddBytes(kdd: Uint8Array, scheme: Exclude<Diversification, 'none'>): Uint8Array {
  // EMV CPS 1.1 §A.2 takes the 6 bytes after the 2-byte key diversification prefix; VISA2 the
  // first 2 bytes (issuer) and bytes 4..7 (card serial).
  return scheme === 'emv' ? kdd.subarray(4, 10) : concat(kdd.subarray(0, 2), kdd.subarray(4, 8));
}

/** The card's static keys derived from a 16-byte 3DES master key (SCP02 cards). */
export function diversify(master: Uint8Array, kdd: Uint8Array, scheme: Diversification): StaticKeys {
  if (scheme === 'none') return { enc: master, mac: master, dek: master };
  if (master.length !== 16) throw new GpError('GP_BAD_KEY', `--diversify ${scheme} derives 3DES keys: the master key must be 16 bytes (32 hex digits), got ${master.length}`);
  if (kdd.length !== 10) throw new GpError('GP_BAD_RESPONSE', `key diversification data: expected 10 bytes from INITIALIZE UPDATE, got ${kdd.length}`);
  const d = kddBytes(kdd, scheme);
  const one = (t: number): Uint8Array => tdesEcb(master, concat(d, Uint8Array.of(0xf0, t), d, Uint8Array.of(0x0f, t)));
  return { enc: one(KEY_TYPE.enc), mac: one(KEY_TYPE.mac), dek: one(KEY_TYPE.dek) };
}

/** A key for `what` (--key, --enc …) from hex: 16 bytes for SCP02, 16/24/32 for SCP03. */
export function parseKeyHex(hex: string, what: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  if (!/^[0-9a-fA-F]*$/.test(clean) || clean.length % 2 !== 0) throw new GpError('GP_BAD_KEY', `${what}: expected a key in hex (32, 48 or 64 hex digits), got something that is not hex (${clean.length} characters)`);
  const n = clean.length / 2;
  if (n !== 16 && n !== 24 && n !== 32) throw new GpError('GP_BAD_KEY', `${what}: expected 16, 24 or 32 bytes (32, 48 or 64 hex digits), got ${n} bytes`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
