/**
 * Shared set-up of the e-wallet tests: deterministic issuer key, a seeded card with the test
 * SIM-fact applet (the SIM's side of "subscriber authenticated", test/applets/payment) and the
 * wallet as the default applet, and synchronous APDU builders for card.transmit.
 */
import { Card, SeededRng, VirtualClock, buildCommand, concat, hexToBytes, readU32, u32 } from '../../../card/runtime/index.js';
import { WalletApplet } from '../../../card/applets/wallet/index.js';
import { WALLET_AID, WINFO, imsiHash } from '../../../card/protocol/index.js';
import { SigningKey } from '../../../host/backend/ledger/index.js';
import { WalletIssuer, encodePay, type PayRequest } from '../../../host/backend/wallet/index.js';
import { SimFactApplet, SIM_FACT_AID, SIM_FACT_IMSI } from '../payment/sim-fact-applet.js';

export const ISSUER = new WalletIssuer(SigningKey.fromSecret(new Uint8Array(32).fill(0x44)));
export const WALLET_ID = hexToBytes('5741000000000001');
export const IMSI = SIM_FACT_IMSI; // the subscriber the SIM stand-in authenticates
export const IMSI_HASH = imsiHash(IMSI);
export const EUR = 978;
export const MERCHANT = hexToBytes('4d45524348303031');

export interface WalletOpts {
  /** The subscriber the wallet is personalized for (default: the one the SIM stand-in authenticates). */
  imsi?: string;
  threshold?: number;
  maxBalance?: number;
  initialBalance?: number;
  seed?: string;
  /** Set the subscriber-authenticated fact before the test (default true). */
  authenticated?: boolean;
}

export function sw(rsp: Uint8Array): number {
  return (rsp[rsp.length - 2]! << 8) | rsp[rsp.length - 1]!;
}
export function ok(rsp: Uint8Array): Uint8Array {
  if (sw(rsp) !== 0x9000) throw new Error(`expected 9000, got ${sw(rsp).toString(16)}`);
  return rsp.slice(0, rsp.length - 2);
}

export const apdu = {
  select: (): Uint8Array => buildCommand(0x00, 0xa4, 0x04, 0x00, { data: hexToBytes(WALLET_AID) }),
  selectSim: (): Uint8Array => buildCommand(0x00, 0xa4, 0x04, 0x00, { data: hexToBytes(SIM_FACT_AID) }),
  authenticate: (): Uint8Array => buildCommand(0x80, 0x88, 0x01, 0x00),
  info: (): Uint8Array => buildCommand(0x80, 0x40, 0, 0, { ne: WINFO.length }),
  pubKey: (): Uint8Array => buildCommand(0x80, 0x42, 0, 0, { ne: 65 }),
  challenge: (): Uint8Array => buildCommand(0x80, 0x48, 0, 0, { ne: 20 }),
  pay: (r: PayRequest): Uint8Array => buildCommand(0x80, 0x50, 0, 0, { data: encodePay(r), ne: 256 }),
  lastReceipt: (): Uint8Array => buildCommand(0x80, 0x52, 0, 0, { ne: 146 }),
  load: (amount: number, counter: number, sig: Uint8Array): Uint8Array => buildCommand(0x80, 0x54, 0, 0, { data: concat(u32(amount), u32(counter), sig), ne: 4 }),
};

let n = 0;
export function payRequest(amount: number, o: { currency?: number; challenge?: Uint8Array } = {}): PayRequest {
  n++;
  return { amount, currency: o.currency ?? EUR, merchantId: MERCHANT, hostChallenge: o.challenge ?? Uint8Array.of(0xc0, n >>> 24, n >>> 16, n >>> 8, n & 0xff, ...new Uint8Array(11)) };
}

/** SELECT the SIM-fact applet, set "subscriber authenticated", SELECT the wallet again. */
export function authenticate(card: Card): void {
  ok(card.transmit(apdu.selectSim()));
  ok(card.transmit(apdu.authenticate()));
  ok(card.transmit(apdu.select()));
}

export function makeWalletCard(o: WalletOpts = {}): Card {
  const card = new Card({ rng: new SeededRng(o.seed ?? 'wallet-test'), clock: new VirtualClock() });
  card.install(SimFactApplet, { aid: SIM_FACT_AID });
  card.install(WalletApplet, {
    aid: WALLET_AID,
    default: true,
    personalization: {
      walletId: WALLET_ID, currency: EUR, threshold: o.threshold ?? 500, maxBalance: o.maxBalance ?? 10_000, initialBalance: o.initialBalance ?? 1_000,
      issuerKey: ISSUER.publicKey, imsiHash: o.imsi !== undefined ? imsiHash(o.imsi) : IMSI_HASH,
    },
  });
  card.powerOn();
  if (o.authenticated !== false) authenticate(card);
  return card;
}

export function info(card: Card): { balance: number; tx: number; loadCounter: number; flags: number; threshold: number } {
  const d = ok(card.transmit(apdu.info()));
  return { balance: readU32(d, WINFO.balance), tx: readU32(d, WINFO.txCounter), loadCounter: readU32(d, WINFO.loadCounter), flags: d[WINFO.flags]!, threshold: readU32(d, WINFO.threshold) };
}
