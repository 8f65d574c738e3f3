/**
 * The card's own P-256 key pair, as the ledger and the e-wallet applets hold it: generated on the
 * card from its RNG (FIPS 186-5 A.2.1), kept in two persistent cells named 'privateKey' (32-byte
 * scalar) and 'publicKey' (65-byte uncompressed point) that saved card images carry, and used to
 * sign tagged digests (tagged.ts) with RFC 6979 nonces plus 16 bytes of card entropy, low-S. The
 * private key has no read path: only `sign` and the scalar for ECDH (ticket sealing) use it.
 */
import type { CryptoProvider, PBytes, PersistentStore, Rng } from '../runtime/index.js';
import { bigToBytes, bytesToBig, scalarFromSeed } from '../algorithms/p256.js';
import { cryptoOf } from '../algorithms/provider.js';

export class CardKeyPair {
  /** The public key cell (65 bytes, zero until generated). */
  readonly publicKey: PBytes;
  readonly #privateKey: PBytes;
  readonly #rng: Rng;
  readonly #ctx: { readonly crypto?: CryptoProvider | undefined };

  /**
   * Allocates the two cells in `persistent`, private key first (the order saved images carry).
   * Signing and key generation go through the context's crypto provider (issue 20).
   */
  constructor(ctx: { readonly persistent: PersistentStore; readonly rng: Rng; readonly crypto?: CryptoProvider | undefined }) {
    this.#rng = ctx.rng;
    this.#ctx = ctx;
    this.#privateKey = ctx.persistent.bytes('privateKey', 32);
    this.publicKey = ctx.persistent.bytes('publicKey', 65);
  }

  /** A new key pair from the card's RNG, replacing any earlier one (two persistent writes). */
  generate(): void {
    const d = bigToBytes(scalarFromSeed(this.#rng.fill(new Uint8Array(48))), 32);
    this.#privateKey.set(d);
    this.publicKey.set(cryptoOf(this.#ctx).p256PublicKey(d));
    d.fill(0);
  }

  /** The card's signature (raw r ‖ s) over a 32-byte digest (a tagged statement, tagged.ts). */
  sign(digest: Uint8Array): Uint8Array {
    return cryptoOf(this.#ctx).p256Sign(this.#privateKey.view(), digest, this.#rng.fill(new Uint8Array(16)));
  }

  /** The private scalar, for on-card ECDH only (never sent). */
  scalar(): bigint {
    return bytesToBig(this.#privateKey.view());
  }
}
