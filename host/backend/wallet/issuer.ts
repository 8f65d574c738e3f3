/**
 * The wallet issuer (seed 000's operator): signs reloads for one wallet's fresh challenge and
 * next load counter, builds the wallet's PERSO_STORE_DATA records, and checks receipts (the
 * wallet's signature over the record, and that the record names the expected subscriber).
 */
import { readU16, readU32, u16, u32, bytesToHex, equalBytes } from '../../../card/runtime/index.js';
import { WALLET_PERSO_TAGS as TAG } from '../../../apdu-specs/wallet.js';
import { walletLoadDigest, walletReceiptDigest, WREC } from '../../../card/protocol/index.js';
import { verify, type SigningKey } from '../ledger/keys.js';
import type { WalletReceipt } from './card-client.js';

export class WalletIssuer {
  constructor(private readonly key: SigningKey) {}

  get publicKey(): Uint8Array {
    return this.key.publicKey;
  }

  /** The issuer signature LOAD needs (the card's challenge from GET CHALLENGE, its next load counter). */
  authorizeLoad(walletId: Uint8Array, challenge: Uint8Array, amount: number, loadCounter: number): Uint8Array {
    return this.key.sign(walletLoadDigest(walletId, challenge, amount, loadCounter));
  }
}

/** A payment record (= receipt body) decoded. */
export interface WalletRecord {
  readonly walletId: string;
  readonly counter: number;
  readonly amount: number;
  readonly currency: number;
  readonly merchantId: string;
  readonly before: number;
  readonly after: number;
  readonly hostChallenge: string;
  readonly imsiHash: string;
}

export function decodeWalletRecord(r: Uint8Array): WalletRecord {
  if (r.length !== WREC.length) throw new RangeError(`decodeWalletRecord: "record" expected ${WREC.length} bytes, got ${r.length}`);
  const hex = (a: number, b: number): string => bytesToHex(r.subarray(a, b));
  return {
    walletId: hex(0, 8), counter: readU32(r, WREC.counter), amount: readU32(r, WREC.amount), currency: readU16(r, WREC.currency), merchantId: hex(WREC.merchantId, WREC.before),
    before: readU32(r, WREC.before), after: readU32(r, WREC.after), hostChallenge: hex(WREC.hostChallenge, WREC.imsiHash), imsiHash: hex(WREC.imsiHash, WREC.length),
  };
}

/**
 * The terminal's check of a receipt: the wallet's signature, its host challenge, and the
 * subscriber (IMSI hash) the wallet is bound to.
 */
export function checkWalletReceipt(walletKey: Uint8Array, receipt: WalletReceipt, expect: { readonly hostChallenge: Uint8Array; readonly imsiHash: Uint8Array }): boolean {
  const r = receipt.record;
  return r.length === WREC.length && verify(walletKey, walletReceiptDigest(r), receipt.signature) &&
    equalBytes(r.subarray(WREC.hostChallenge, WREC.imsiHash), expect.hostChallenge) && equalBytes(r.subarray(WREC.imsiHash), expect.imsiHash);
}

/** The wallet's PERSO_STORE_DATA records (one block): tag ‖ length ‖ value each. */
export function walletPersoRecords(v: {
  readonly walletId: Uint8Array; readonly currency: number; readonly threshold: number; readonly maxBalance: number; readonly initialBalance?: number;
  readonly issuerKey: Uint8Array; readonly imsiHash: Uint8Array;
}): Uint8Array {
  const parts: [number, Uint8Array][] = [[TAG.WALLET_ID, v.walletId], [TAG.CURRENCY, u16(v.currency)], [TAG.THRESHOLD, u32(v.threshold)], [TAG.MAX_BALANCE, u32(v.maxBalance)]];
  if (v.initialBalance !== undefined) parts.push([TAG.INITIAL_BALANCE, u32(v.initialBalance)]);
  parts.push([TAG.ISSUER_KEY, v.issuerKey], [TAG.IMSI_HASH, v.imsiHash]);
  const out: number[] = [];
  for (const [t, b] of parts) out.push(t, b.length, ...b);
  return Uint8Array.from(out);
}
