/**
 * The pure-TypeScript crypto provider (issue 20): the default of every card, and the reference
 * the Node provider (host/crypto/node-provider.ts) is checked against. Applets reach the card's
 * provider with cryptoOf(ctx); no provider set means this one.
 */
import type { CryptoProvider } from '../runtime/crypto.js';
import { aes128EncryptInto, aes128KeyCached } from './aes128.js';
import { bytesOf } from './check.js';
import { sha256 } from './sha256.js';
import { publicKeyOf, signDigest, verifyDigest } from './p256.js';

export const PURE_CRYPTO: CryptoProvider = Object.freeze({
  name: 'pure',
  aes128Encrypt(key: Uint8Array, block: Uint8Array, out?: Uint8Array): Uint8Array {
    bytesOf('block', block, 16);
    const o = out === undefined ? new Uint8Array(16) : bytesOf('out', out, 16);
    aes128EncryptInto(aes128KeyCached(key), block, 0, o, 0);
    return o;
  },
  sha256,
  p256PublicKey: (secretKey: Uint8Array): Uint8Array => publicKeyOf(secretKey),
  p256Sign: (secretKey: Uint8Array, digest: Uint8Array, extraEntropy?: Uint8Array, lowS?: boolean): Uint8Array =>
    signDigest(secretKey, digest, extraEntropy, lowS ?? true),
  p256Verify: (publicKey: Uint8Array, digest: Uint8Array, signature: Uint8Array, cache?: boolean): boolean =>
    verifyDigest(publicKey, digest, signature, cache ?? true),
  p256VerifyMessage: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, cache?: boolean): boolean =>
    message instanceof Uint8Array && verifyDigest(publicKey, sha256(message), signature, cache ?? true),
});

/** The provider of a card context: the one the card was given, else the pure one. */
export function cryptoOf(ctx: { readonly crypto?: CryptoProvider | undefined }): CryptoProvider {
  return ctx.crypto ?? PURE_CRYPTO;
}
