/**
 * The e-wallet's state, shared by its command families (purse.ts, identity.ts, store-data.ts):
 * every persistent cell (allocated here, in this order, under the names saved card images carry),
 * the RAM challenge, and the helpers several families use (the wallet's key pair and signature,
 * the one-use challenge: the same runtime/protocol helpers as the ledger's). The private key has
 * no read path.
 */
import { OneUseChallenge, type AppletContext, type PBool, type PBytes, type PU16, type PU32 } from '../../runtime/index.js';
import { isValidPublicKey } from '../../algorithms/p256.js';
import { IMSI_HASH_LENGTH, WALLET_CHALLENGE_LENGTH, WALLET_ID_LENGTH, WREC } from '../../protocol/wallet.js';
import { CardKeyPair } from '../../protocol/card-key.js';
import type { WalletPersonalization } from './types.js';
import { cryptoOf } from '../../algorithms/provider.js';

export class WalletCore {
  readonly walletId: PBytes;
  readonly currency: PU16;
  readonly threshold: PU32;
  readonly maxBalance: PU32;
  readonly balance: PU32;
  readonly txCounter: PU32;
  readonly loadCounter: PU32;
  readonly imsiHash: PBytes;
  readonly issuerKey: PBytes;
  /** The wallet's key pair (cells 'privateKey', 'publicKey'). */
  readonly keys: CardKeyPair;
  readonly publicKey: PBytes;
  /** The last committed payment record (the receipt body GET LAST RECEIPT re-signs). */
  readonly last: PBytes;
  readonly receiptPending: PBool;
  /** RAM: the one-use GET CHALLENGE value for LOAD (cleared on reset). */
  readonly challenge: OneUseChallenge;

  constructor(readonly ctx: AppletContext) {
    const s = ctx.persistent;
    this.walletId = s.bytes('walletId', WALLET_ID_LENGTH);
    this.currency = s.u16('currency');
    this.threshold = s.u32('threshold');
    this.maxBalance = s.u32('maxBalance');
    this.balance = s.u32('balance');
    this.txCounter = s.u32('txCounter');
    this.loadCounter = s.u32('loadCounter');
    this.imsiHash = s.bytes('imsiHash', IMSI_HASH_LENGTH);
    this.issuerKey = s.bytes('issuerKey', 65);
    this.keys = new CardKeyPair(ctx);
    this.publicKey = this.keys.publicKey;
    this.last = s.bytes('lastRecord', WREC.length);
    this.receiptPending = s.bool('receiptPending');
    this.challenge = new OneUseChallenge(ctx, WALLET_CHALLENGE_LENGTH, 'reset');
  }

  generateKeys(): void {
    // The wallet's own key pair, generated here and never readable (FIPS 186-5 A.2.1).
    this.keys.generate();
  }

  sign(digest: Uint8Array): Uint8Array {
    return this.keys.sign(digest);
  }

  /**
   * Verify raw r‖s over SHA-256(statement) (the signed bytes, card/protocol xStatement) through the
   * card's crypto provider; `cache`: a long-lived key (issue 20).
   */
  verifyStatement(key: Uint8Array, statement: Uint8Array, signature: Uint8Array, cache = true): boolean {
    return cryptoOf(this.ctx).p256VerifyMessage(key, statement, signature, cache);
  }

  /** The one-use challenge, consumed; undefined if none was issued since the last use/reset. */
  takeChallenge(): Uint8Array | undefined {
    return this.challenge.take();
  }

  /** install() with values: the same writes as PERSO_STORE_DATA (store-data.ts). */
  personalize(v: WalletPersonalization): void {
    const p = checkWalletPersonalization(v);
    this.walletId.set(p.walletId);
    this.currency.set(p.currency);
    this.threshold.set(p.threshold);
    this.maxBalance.set(p.maxBalance);
    this.balance.set(p.initialBalance ?? 0);
    this.issuerKey.set(p.issuerKey);
    this.imsiHash.set(p.imsiHash);
  }
}

function u32ok(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`wallet personalization: "${name}" expected 0..2^32-1, got ${String(v)}`);
  return v;
}

function bytesOk(name: string, v: unknown, n: number): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== n) throw new RangeError(`wallet personalization: "${name}" expected ${n} bytes`);
  return v;
}

export function checkWalletPersonalization(v: unknown): WalletPersonalization {
  if (typeof v !== 'object' || v === null) throw new TypeError('wallet personalization: expected an object');
  const o = v as Record<string, unknown>;
  const currency = u32ok('currency', o['currency']);
  if (currency > 999) throw new RangeError(`wallet personalization: "currency" expected 0..999, got ${currency}`);
  const maxBalance = u32ok('maxBalance', o['maxBalance']);
  const initialBalance = o['initialBalance'] === undefined ? undefined : u32ok('initialBalance', o['initialBalance']);
  if (initialBalance !== undefined && initialBalance > maxBalance) throw new RangeError('wallet personalization: "initialBalance" expected <= maxBalance');
  const issuerKey = bytesOk('issuerKey', o['issuerKey'], 65);
  if (!isValidPublicKey(issuerKey)) throw new RangeError('wallet personalization: "issuerKey" expected a P-256 public key');
  return {
    walletId: bytesOk('walletId', o['walletId'], WALLET_ID_LENGTH), currency, threshold: u32ok('threshold', o['threshold']), maxBalance,
    ...(initialBalance !== undefined ? { initialBalance } : {}), issuerKey, imsiHash: bytesOk('imsiHash', o['imsiHash'], IMSI_HASH_LENGTH),
  };
}
