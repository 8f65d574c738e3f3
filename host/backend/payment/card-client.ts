/**
 * The terminal side of the payment applet: sends its commands by their declarations
 * (apdu-specs/payment.ts: PAYMENT.SIGN_TRANSACTION …, through host/transport's sendCommand, which
 * checks class and case) over any Transport (emulator, PC/SC). Each call returns the response
 * data and SW; helpers that need success throw CardCommandError with the SW. Used by the
 * end-to-end flows, the profile personalizer (certifyPaymentCard) and the tests.
 */
import { ISO7816, PAYMENT, PAYMENT_AID, PAYMENT_DATA_OBJECTS as DO, PAYMENT_REFS, SIGN_MODES, type CommandSpec } from '../../../apdu-specs/index.js';
import { encodeSignFields, type TransactionFields } from '../../../card/protocol/index.js';
import { buildCommand, bytesToHex, concat, hexToBytes } from '../../../card/runtime/index.js';
import { replyOf, sendCommand, transmitComplete, type CommandFields, type CommandReply, type Transport } from '../../transport/index.js';
import { CardforgeError } from '../../errors.js';

export type CardReply = CommandReply;

export class CardCommandError extends CardforgeError<'CARD_COMMAND_FAILED'> {
  constructor(
    readonly command: string,
    readonly sw: number,
  ) {
    super('CARD_COMMAND_FAILED', `${command} answered ${sw.toString(16).padStart(4, '0').toUpperCase()}`);
    this.name = 'CardCommandError';
  }
}

/**
 * Raw command bytes with no declaration behind them (buildCommand: short form when it fits,
 * extended otherwise) — for tests and tools that must send what no spec allows.
 */
export function apdu(cla: number, ins: number, p1: number, p2: number, data?: Uint8Array, ne?: number): Uint8Array {
  return buildCommand(cla, ins, p1, p2, { ...(data !== undefined ? { data } : {}), ...(ne !== undefined ? { ne } : {}) });
}

export class PaymentCardClient {
  constructor(readonly transport: Transport) {}

  /** Send raw command bytes (see apdu()). */
  async send(command: Uint8Array): Promise<CardReply> {
    return replyOf(await transmitComplete(this.transport, command));
  }

  private command(spec: CommandSpec, fields: CommandFields): Promise<CardReply> {
    return sendCommand(this.transport, spec, fields);
  }

  private async ok(name: string, spec: CommandSpec, fields: CommandFields): Promise<Uint8Array> {
    const r = await this.command(spec, fields);
    if (r.sw !== 0x9000) throw new CardCommandError(name, r.sw);
    return r.data;
  }

  select(): Promise<CardReply> {
    return this.command(ISO7816.SELECT, { p1: 0x04, p2: 0x00, data: hexToBytes(PAYMENT_AID) });
  }

  verifyCode(code: Uint8Array): Promise<CardReply> {
    return this.command(PAYMENT.VERIFY, { p2: PAYMENT_REFS.PAYMENT_CODE, data: code });
  }

  verifyUser(slot: number, credential: Uint8Array): Promise<CardReply> {
    return this.command(PAYMENT.VERIFY, { p2: PAYMENT_REFS.USER_BASE + slot, data: credential });
  }

  unblock(unblockCode: Uint8Array, newCode?: Uint8Array): Promise<CardReply> {
    const data = newCode ? concat(unblockCode, newCode) : unblockCode;
    return this.command(PAYMENT.RESET_RETRY_COUNTER, { p1: newCode ? 0x00 : 0x01, p2: PAYMENT_REFS.PAYMENT_CODE, data });
  }

  getChallenge(n = 16): Promise<Uint8Array> {
    return this.ok('GET CHALLENGE', PAYMENT.GET_CHALLENGE, { ne: n });
  }

  getData(tag: number): Promise<CardReply> {
    return this.command(PAYMENT.GET_DATA, { p1: tag >> 8, p2: tag & 0xff, ne: 0x100 });
  }

  async cardId(): Promise<Uint8Array> {
    return this.ok('GET DATA card id', PAYMENT.GET_DATA, { p1: 0x00, p2: DO.CARD_ID & 0xff, ne: 0x100 });
  }

  async publicKey(): Promise<Uint8Array> {
    return this.ok('GET DATA public key', PAYMENT.GET_DATA, { p1: DO.PUBLIC_KEY >> 8, p2: DO.PUBLIC_KEY & 0xff, ne: 0x100 });
  }

  async certificate(): Promise<Uint8Array> {
    return this.ok('GET DATA certificate', PAYMENT.GET_DATA, { p1: DO.CERTIFICATE >> 8, p2: DO.CERTIFICATE & 0xff, ne: 0x10000 });
  }

  sign(fields: TransactionFields, mode: 'ecdsa' | 'cmac' = 'ecdsa'): Promise<CardReply> {
    return this.command(PAYMENT.SIGN_TRANSACTION, { p1: mode === 'ecdsa' ? SIGN_MODES.ECDSA : SIGN_MODES.CMAC, p2: 0x00, data: encodeSignFields(fields), ne: 0x100 });
  }

  getAuthResult(slot: number, challenge: Uint8Array): Promise<CardReply> {
    return this.command(PAYMENT.GET_AUTH_RESULT, { p2: slot, data: challenge, ne: 0x100 });
  }

  storeCertificate(data: Uint8Array): Promise<CardReply> {
    return this.command(PAYMENT.STORE_CERTIFICATE, { data });
  }

  storeProfile(data: Uint8Array): Promise<CardReply> {
    return this.command(PAYMENT.STORE_PROFILE, { data });
  }

  /** DoCoMo second embodiment: the card number enciphered for the card company (E6 ‖ DD), after VERIFY. */
  encipherCardNumber(serverChallenge: Uint8Array): Promise<CardReply> {
    return this.command(PAYMENT.ENCIPHER_CARD_NUMBER, { data: serverChallenge, ne: 0x100 });
  }

  getProfile(orderDigest: Uint8Array, challenge: Uint8Array): Promise<CardReply> {
    return this.command(PAYMENT.GET_PROFILE, { data: concat(orderDigest, challenge), ne: 0x10000 });
  }
}

export function swHex(sw: number): string {
  return bytesToHex(Uint8Array.of(sw >> 8, sw & 0xff)).toUpperCase();
}
