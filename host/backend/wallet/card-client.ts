/**
 * The terminal's side of the e-wallet applet (seed 000): sends the commands of
 * apdu-specs/wallet.ts by their declarations (WALLET.WALLET_PAY …, host/transport's sendCommand)
 * over any Transport and parses the answers. A non-9000 status word is a WalletCardError carrying
 * it; `payOrCard` turns the card's WALLET_USE_PAYMENT_CARD into "pay with the payment card".
 */
import { concat, hexToBytes, readU16, readU32, u16, u32 } from '../../../card/runtime/index.js';
import { describeSw, ISO7816, SW, WALLET, type CommandSpec } from '../../../apdu-specs/index.js';
import { WALLET_AID, WINFO, WREC } from '../../../card/protocol/index.js';
import { sendCommand, type CommandFields, type Transport } from '../../transport/index.js';
import { CardforgeError } from '../../errors.js';

export class WalletCardError extends CardforgeError<'WALLET_CARD_SW'> {
  constructor(readonly command: string, readonly sw: number) {
    super('WALLET_CARD_SW', `${command}: card answered ${sw.toString(16).padStart(4, '0').toUpperCase()} (${describeSw(sw)?.description ?? 'unknown status word'})`);
    this.name = 'WalletCardError';
  }
}

export interface WalletInfo {
  readonly walletId: Uint8Array;
  readonly currency: number;
  readonly balance: number;
  readonly threshold: number;
  readonly maxBalance: number;
  readonly txCounter: number;
  readonly loadCounter: number;
  readonly flags: number;
}

export interface PayRequest {
  readonly amount: number;
  readonly currency: number;
  /** 8 bytes. */
  readonly merchantId: Uint8Array;
  /** 16 fresh bytes from the terminal: the receipt covers them. */
  readonly hostChallenge: Uint8Array;
}

export interface WalletReceipt {
  readonly record: Uint8Array;
  readonly signature: Uint8Array;
}

/** PAY's outcome: paid from the purse (with the receipt), or the card's decision to use the payment card. */
export type PayOutcome = { readonly path: 'purse'; readonly receipt: WalletReceipt } | { readonly path: 'payment-card' };

export function encodePay(r: PayRequest): Uint8Array {
  return concat(u32(r.amount), u16(r.currency), r.merchantId, r.hostChallenge);
}

const split = (d: Uint8Array): WalletReceipt => ({ record: d.slice(0, WREC.length), signature: d.slice(WREC.length) });

export class WalletCard {
  constructor(readonly transport: Transport) {}

  /** Send one declared command; the data of a 9000 answer, WalletCardError otherwise. */
  async send(spec: CommandSpec, fields: CommandFields = {}): Promise<Uint8Array> {
    const r = await sendCommand(this.transport, spec, fields);
    if (r.sw !== 0x9000) throw new WalletCardError(spec.name, r.sw);
    return r.data.slice();
  }

  async select(aid: string = WALLET_AID): Promise<void> {
    await this.send(ISO7816.SELECT, { p1: 0x04, p2: 0x00, data: hexToBytes(aid) });
  }

  async info(): Promise<WalletInfo> {
    const d = await this.send(WALLET.WALLET_GET_INFO, { ne: WINFO.length });
    return {
      walletId: d.slice(0, 8), currency: readU16(d, WINFO.currency), balance: readU32(d, WINFO.balance), threshold: readU32(d, WINFO.threshold),
      maxBalance: readU32(d, WINFO.maxBalance), txCounter: readU32(d, WINFO.txCounter), loadCounter: readU32(d, WINFO.loadCounter), flags: d[WINFO.flags]!,
    };
  }

  publicKey(): Promise<Uint8Array> {
    return this.send(WALLET.WALLET_GET_PUBLIC_KEY, { ne: 65 });
  }

  async challenge(): Promise<{ challenge: Uint8Array; nextLoadCounter: number }> {
    const d = await this.send(WALLET.WALLET_GET_CHALLENGE, { ne: 20 });
    return { challenge: d.slice(0, 16), nextLoadCounter: readU32(d, 16) };
  }

  /** PAY; throws WalletCardError on any refusal, WALLET_USE_PAYMENT_CARD included. */
  async pay(r: PayRequest): Promise<WalletReceipt> {
    return split(await this.send(WALLET.WALLET_PAY, { data: encodePay(r), ne: 256 }));
  }

  /** PAY, with the card's threshold decision as a result instead of an error. */
  async payOrCard(r: PayRequest): Promise<PayOutcome> {
    try {
      return { path: 'purse', receipt: await this.pay(r) };
    } catch (e) {
      if (e instanceof WalletCardError && e.sw === SW.WALLET_USE_PAYMENT_CARD) return { path: 'payment-card' };
      throw e;
    }
  }

  async lastReceipt(): Promise<WalletReceipt> {
    return split(await this.send(WALLET.WALLET_GET_LAST_RECEIPT, { ne: WREC.length + 64 }));
  }

  async load(amount: number, loadCounter: number, issuerSignature: Uint8Array): Promise<number> {
    return readU32(await this.send(WALLET.WALLET_LOAD, { data: concat(u32(amount), u32(loadCounter), issuerSignature), ne: 4 }), 0);
  }
}
