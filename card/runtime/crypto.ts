/**
 * The card's cryptographic primitives behind one replaceable provider (issue 20), injected like the
 * RNG and the clock. card/ stays portable and I/O-free: the default is the pure-TypeScript provider
 * of card/algorithms (card/algorithms/provider.ts, used whenever no provider is set), and host/
 * injects a Node provider (host/crypto/node-provider.ts, node:crypto where that is faster). Every
 * provider must give the same bytes for the same inputs (ECDSA signing included: RFC 6979 nonces),
 * so a card image and every response are identical whichever provider runs the card; the vectors,
 * golden transcripts and fuzz targets run under both (CARDFORGE_CRYPTO=node for the test helpers).
 * Only the shape lives here: the runtime imports nothing from the project.
 */
export interface CryptoProvider {
  /** Short name for reports ("pure", "node"). */
  readonly name: string;
  /** FIPS-197 AES-128 of one 16-byte block under a 16-byte key; into `out` (16 bytes) when given. */
  aes128Encrypt(key: Uint8Array, block: Uint8Array, out?: Uint8Array): Uint8Array;
  /** FIPS 180-4 SHA-256 of `data`, a new 32-byte array. */
  sha256(data: Uint8Array): Uint8Array;
  /** d·G as an uncompressed SEC 1 point (65 bytes), d a 32-byte scalar in 1..n-1. */
  p256PublicKey(secretKey: Uint8Array): Uint8Array;
  /**
   * ECDSA P-256 over a 32-byte digest with the RFC 6979 §3.2 nonce (hedged with `extraEntropy`,
   * RFC 6979 §3.6, when given): raw r‖s (64 bytes), s in the low half unless `lowS` is false.
   */
  p256Sign(secretKey: Uint8Array, digest: Uint8Array, extraEntropy?: Uint8Array, lowS?: boolean): Uint8Array;
  /**
   * Verify raw r‖s over a 32-byte digest; never throws. `cache`: the key is long-lived (stored at
   * personalization), a provider may keep per-key precomputation for it.
   */
  p256Verify(publicKey: Uint8Array, digest: Uint8Array, signature: Uint8Array, cache?: boolean): boolean;
  /**
   * p256Verify over SHA-256(message): the same decision for every input, for the call sites that
   * have the signed statement at hand (a provider whose native verify hashes the message itself
   * can skip the digest round trip). Never throws; `cache` as for p256Verify.
   */
  p256VerifyMessage(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, cache?: boolean): boolean;
}

let processDefault: CryptoProvider | undefined;

/**
 * The provider new cards start with when CardOptions.crypto is not given (undefined: the pure one).
 * host/ sets it once at start-up (the CLI, the test set-up under CARDFORGE_CRYPTO=node).
 */
export function setDefaultCryptoProvider(provider: CryptoProvider | undefined): void {
  processDefault = provider;
}

export function defaultCryptoProvider(): CryptoProvider | undefined {
  return processDefault;
}
