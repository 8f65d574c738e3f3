/**
 * The terminal side of the payment applet: builds its APDUs (apdu-specs/payment.ts) and sends them
 * through any Transport (emulator, PC/SC). Each call returns the response data and SW; helpers
 * that need success throw CardCommandError with the SW. Used by the end-to-end flows, the profile
 * personalizer (certifyPaymentCard) and the tests.
 */
import { PAYMENT_AID, PAYMENT_DATA_OBJECTS as DO, PAYMENT_REFS, SIGN_MODES } from '../../../apdu-specs/payment.js';
import { encodeSignFields, type TransactionFields } from '../../../card/applets/payment/index.js';
import { bytesToHex, hexToBytes } from '../../../card/runtime/bytes.js';
import type { Transport } from '../../transport/types.js';
import { CardforgeError } from '../../errors.js';

export interface CardReply {
  readonly data: Uint8Array;
  readonly sw: number;
}

export class CardCommandError extends CardforgeError<'CARD_COMMAND_FAILED'> {
  constructor(
    readonly command: string,
    readonly sw: number,
  ) {
    super('CARD_COMMAND_FAILED', `${command} answered ${sw.toString(16).padStart(4, '0').toUpperCase()}`);
    this.name = 'CardCommandError';
  }
}

/** ISO 7816-4 command APDU, short form when it fits, extended otherwise. */
export function apdu(cla: number, ins: number, p1: number, p2: number, data?: Uint8Array, ne?: number): Uint8Array {
  const nc = data?.length ?? 0;
  const ext = nc > 255 || (ne !== undefined && ne > 256);
  const head = [cla, ins, p1, p2];
  const body: number[] = [];
  if (nc > 0) body.push(...(ext ? [0, nc >> 8, nc & 0xff] : [nc]), ...data!);
  if (ne !== undefined) {
    if (ext) body.push(...(nc > 0 ? [] : [0]), (ne >> 8) & 0xff, ne & 0xff);
    else body.push(ne & 0xff);
  }
  return Uint8Array.from([...head, ...body]);
}

export class PaymentCardClient {
  constructor(readonly transport: Transport) {}

  async send(command: Uint8Array): Promise<CardReply> {
    const r = await this.transport.transmit(command);
    return { data: r.subarray(0, r.length - 2), sw: (r[r.length - 2]! << 8) | r[r.length - 1]! };
  }

  private async ok(name: string, command: Uint8Array): Promise<Uint8Array> {
    const r = await this.send(command);
    if (r.sw !== 0x9000) throw new CardCommandError(name, r.sw);
    return r.data;
  }

  select(): Promise<CardReply> {
    return this.send(apdu(0x00, 0xa4, 0x04, 0x00, hexToBytes(PAYMENT_AID)));
  }

  verifyCode(code: Uint8Array): Promise<CardReply> {
    return this.send(apdu(0x00, 0x20, 0x00, PAYMENT_REFS.PAYMENT_CODE, code));
  }

  verifyUser(slot: number, credential: Uint8Array): Promise<CardReply> {
    return this.send(apdu(0x00, 0x20, 0x00, PAYMENT_REFS.USER_BASE + slot, credential));
  }

  unblock(unblockCode: Uint8Array, newCode?: Uint8Array): Promise<CardReply> {
    const data = newCode ? Uint8Array.from([...unblockCode, ...newCode]) : unblockCode;
    return this.send(apdu(0x00, 0x2c, newCode ? 0x00 : 0x01, PAYMENT_REFS.PAYMENT_CODE, data));
  }

  getChallenge(n = 16): Promise<Uint8Array> {
    return this.ok('GET CHALLENGE', apdu(0x00, 0x84, 0x00, 0x00, undefined, n));
  }

  getData(tag: number): Promise<CardReply> {
    return this.send(apdu(0x80, 0xca, tag >> 8, tag & 0xff, undefined, 0x100));
  }

  async cardId(): Promise<Uint8Array> {
    return this.ok('GET DATA card id', apdu(0x80, 0xca, 0x00, DO.CARD_ID & 0xff, undefined, 0x100));
  }

  async publicKey(): Promise<Uint8Array> {
    return this.ok('GET DATA public key', apdu(0x80, 0xca, DO.PUBLIC_KEY >> 8, DO.PUBLIC_KEY & 0xff, undefined, 0x100));
  }

  async certificate(): Promise<Uint8Array> {
    return this.ok('GET DATA certificate', apdu(0x80, 0xca, DO.CERTIFICATE >> 8, DO.CERTIFICATE & 0xff, undefined, 0x10000));
  }

  sign(fields: TransactionFields, mode: 'ecdsa' | 'cmac' = 'ecdsa'): Promise<CardReply> {
    return this.send(apdu(0x80, 0x50, mode === 'ecdsa' ? SIGN_MODES.ECDSA : SIGN_MODES.CMAC, 0x00, encodeSignFields(fields), 0x100));
  }

  getAuthResult(slot: number, challenge: Uint8Array): Promise<CardReply> {
    return this.send(apdu(0x80, 0x52, 0x00, slot, challenge, 0x100));
  }

  storeCertificate(data: Uint8Array): Promise<CardReply> {
    return this.send(apdu(0x80, 0xe2, 0x00, 0x00, data));
  }

  storeProfile(data: Uint8Array): Promise<CardReply> {
    return this.send(apdu(0x80, 0xe4, 0x00, 0x00, data));
  }

  getProfile(orderDigest: Uint8Array, challenge: Uint8Array): Promise<CardReply> {
    return this.send(apdu(0x80, 0xe6, 0x00, 0x00, Uint8Array.from([...orderDigest, ...challenge]), 0x10000));
  }
}

export function swHex(sw: number): string {
  return bytesToHex(Uint8Array.of(sw >> 8, sw & 0xff)).toUpperCase();
}
