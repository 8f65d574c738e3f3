/**
 * The payment module's side of the ledger applet (the seed's module W): sends the commands of
 * apdu-specs/ledger.ts by their declarations (LEDGER.LEDGER_DEBIT …, host/transport's
 * sendCommand, which also completes a T=0 answer) over any Transport (emulator, PC/SC, vpcd), and
 * parses the answers. A non-9000 status word is a LedgerCardError carrying it.
 */
import { readU16, readU32, concat, hexToBytes, u16, u32 } from '../../../card/runtime/index.js';
import { describeSw, ISO7816, LEDGER, type CommandSpec } from '../../../apdu-specs/index.js';
import { INFO, REC, EXPORT, LEDGER_AID, type LedgerMode } from '../../../card/protocol/index.js';
import { sendCommand, type CommandFields, type Transport } from '../../transport/index.js';
import { CardforgeError } from '../../errors.js';

export class LedgerCardError extends CardforgeError<'LEDGER_CARD_SW'> {
  constructor(readonly command: string, readonly sw: number) {
    super('LEDGER_CARD_SW', `${command}: card answered ${sw.toString(16).padStart(4, '0').toUpperCase()} (${describeSw(sw)?.description ?? 'unknown status word'})`);
    this.name = 'LedgerCardError';
  }
}

export interface LedgerInfo {
  readonly cardId: Uint8Array;
  readonly mode: LedgerMode;
  readonly currency: number;
  /** Prepaid: balance; postpaid: cumulative use. */
  readonly value: number;
  readonly limit: number;
  readonly txCounter: number;
  readonly loadCounter: number;
  readonly exportCounter: number;
  readonly settled: number;
  readonly flags: number;
  readonly logSize: number;
  readonly ticketSlots: number;
}

export interface DebitRequest {
  readonly editorId: Uint8Array;
  readonly offerHash: Uint8Array;
  readonly price: number;
  readonly currency: number;
  /** The card's outstanding one-use challenge (challenge()), which the editor signature covers. */
  readonly challenge: Uint8Array;
  readonly dateTime: number;
  readonly editorSignature: Uint8Array;
}

export interface ExportResult {
  readonly exportCounter: number;
  readonly first: number;
  readonly last: number;
  readonly amount: number;
  readonly recordsDigest: Uint8Array;
  readonly signature: Uint8Array;
  /** The records first..last, oldest first (read with READ RECORD). */
  readonly records: Uint8Array[];
}

export function encodeDebit(r: DebitRequest): Uint8Array {
  return concat(r.editorId, r.offerHash, u32(r.price), u16(r.currency), r.challenge, u32(r.dateTime), r.editorSignature);
}

/** LEDGER_REGISTER_EDITOR's data: editor id ‖ key version ‖ editor key ‖ issuer signature (EDITOR_CERT). */
export function encodeEditorRegistration(c: { readonly editorId: Uint8Array; readonly keyVersion: number; readonly publicKey: Uint8Array; readonly signature: Uint8Array }): Uint8Array {
  return concat(c.editorId, u32(c.keyVersion), c.publicKey, c.signature);
}

export class LedgerCard {
  constructor(readonly transport: Transport) {}

  /** Send one declared command; returns the data of a 9000 answer, throws LedgerCardError (named as declared) otherwise. */
  async send(spec: CommandSpec, fields: CommandFields = {}): Promise<Uint8Array> {
    const r = await sendCommand(this.transport, spec, fields);
    if (r.sw !== 0x9000) throw new LedgerCardError(spec.name, r.sw);
    return r.data.slice();
  }

  async select(aid: string = LEDGER_AID): Promise<void> {
    await this.send(ISO7816.SELECT, { p1: 0x04, p2: 0x00, data: hexToBytes(aid) });
  }

  async info(): Promise<LedgerInfo> {
    const d = await this.send(LEDGER.LEDGER_GET_INFO, { ne: INFO.length });
    return {
      cardId: d.slice(0, 8), mode: d[INFO.mode] === 1 ? 'prepaid' : 'postpaid', currency: readU16(d, INFO.currency), value: readU32(d, INFO.value),
      limit: readU32(d, INFO.limit), txCounter: readU32(d, INFO.txCounter), loadCounter: readU32(d, INFO.loadCounter), exportCounter: readU32(d, INFO.exportCounter),
      settled: readU32(d, INFO.settled), flags: d[INFO.flags]!, logSize: d[INFO.logSize]!, ticketSlots: d[INFO.ticketSlots]!,
    };
  }

  publicKey(): Promise<Uint8Array> {
    return this.send(LEDGER.LEDGER_GET_PUBLIC_KEY, { ne: 65 });
  }
  async putCertificate(sig: Uint8Array): Promise<void> {
    await this.send(LEDGER.LEDGER_PUT_CERTIFICATE, { data: sig });
  }
  async certificate(): Promise<{ cardId: Uint8Array; publicKey: Uint8Array; signature: Uint8Array }> {
    const d = await this.send(LEDGER.LEDGER_GET_CERTIFICATE, { ne: 137 });
    return { cardId: d.slice(0, 8), publicKey: d.slice(8, 73), signature: d.slice(73) };
  }
  async challenge(): Promise<{ challenge: Uint8Array; nextLoadCounter: number }> {
    const d = await this.send(LEDGER.LEDGER_GET_CHALLENGE, { ne: 20 });
    return { challenge: d.slice(0, 16), nextLoadCounter: readU32(d, 16) };
  }
  /** LEDGER_REGISTER_EDITOR: the issuer's compact editor certificate (seed 004; LedgerIssuer.certifyEditor). */
  async registerEditor(c: { readonly editorId: Uint8Array; readonly keyVersion: number; readonly publicKey: Uint8Array; readonly signature: Uint8Array }): Promise<void> {
    await this.send(LEDGER.LEDGER_REGISTER_EDITOR, { p1: 0, p2: 0, data: encodeEditorRegistration(c) });
  }
  async verifyCode(code: Uint8Array): Promise<void> {
    await this.send(LEDGER.LEDGER_VERIFY_CODE, { p1: 0x00, p2: 0x81, data: code });
  }
  /** The receipt: record (82 bytes) and the card's signature. */
  async debit(r: DebitRequest): Promise<{ record: Uint8Array; signature: Uint8Array }> {
    const d = await this.send(LEDGER.LEDGER_DEBIT, { data: encodeDebit(r), ne: 256 });
    return { record: d.slice(0, REC.length), signature: d.slice(REC.length) };
  }
  async lastReceipt(): Promise<{ record: Uint8Array; signature: Uint8Array }> {
    const d = await this.send(LEDGER.LEDGER_GET_LAST_RECEIPT, { ne: 146 });
    return { record: d.slice(0, REC.length), signature: d.slice(REC.length) };
  }
  async load(amount: number, loadCounter: number, issuerSignature: Uint8Array): Promise<number> {
    return readU32(await this.send(LEDGER.LEDGER_LOAD, { data: concat(u32(amount), u32(loadCounter), issuerSignature), ne: 4 }), 0);
  }
  readRecord(n: number): Promise<Uint8Array> {
    return this.send(LEDGER.LEDGER_READ_RECORD, { p1: n, p2: 0x04, ne: REC.length });
  }
  async exportLog(): Promise<ExportResult> {
    const d = await this.send(LEDGER.LEDGER_EXPORT_LOG, { ne: EXPORT.length });
    const first = readU32(d, EXPORT.first);
    const last = readU32(d, EXPORT.last);
    const records: Uint8Array[] = [];
    const tx = (await this.info()).txCounter;
    for (let c = first; c <= last; c++) records.push(await this.readRecord(tx - c + 1));
    return {
      exportCounter: readU32(d, 0), first, last, amount: readU32(d, EXPORT.amount), recordsDigest: d.slice(EXPORT.digest, EXPORT.signature),
      signature: d.slice(EXPORT.signature), records,
    };
  }
  async ackExport(exportCounter: number, last: number, serverSignature: Uint8Array): Promise<void> {
    await this.send(LEDGER.LEDGER_ACK_EXPORT, { data: concat(u32(exportCounter), u32(last), serverSignature) });
  }
  async issueTicket(ticket: Uint8Array, issuerSignature: Uint8Array): Promise<void> {
    await this.send(LEDGER.LEDGER_ISSUE_TICKET, { data: concat(ticket, issuerSignature) });
  }
  validateTicket(id: Uint8Array, gateChallenge: Uint8Array, gateTime: number): Promise<Uint8Array> {
    return this.send(LEDGER.LEDGER_VALIDATE_TICKET, { data: concat(id, gateChallenge, u32(gateTime)), ne: 64 });
  }
  refundTicket(id: Uint8Array, issuerSignature: Uint8Array): Promise<Uint8Array> {
    return this.send(LEDGER.LEDGER_REFUND_TICKET, { data: concat(id, issuerSignature), ne: 64 });
  }
  readTicket(slot: number): Promise<Uint8Array> {
    return this.send(LEDGER.LEDGER_READ_TICKET, { p1: slot, ne: 45 });
  }
  transferNonce(): Promise<Uint8Array> {
    return this.send(LEDGER.LEDGER_GET_TRANSFER_NONCE, { ne: 16 });
  }
  transferOut(id: Uint8Array, recipientKey: Uint8Array, recipientNonce: Uint8Array, replaceDelivered = false): Promise<Uint8Array> {
    return this.send(LEDGER.LEDGER_TRANSFER_OUT, { p1: replaceDelivered ? 1 : 0, data: concat(id, recipientKey, recipientNonce), ne: 65536 });
  }
  async transferIn(sealed: Uint8Array): Promise<void> {
    await this.send(LEDGER.LEDGER_TRANSFER_IN, { data: sealed });
  }
}
