/**
 * Shared set-up for the ledger tests: deterministic actor keys, a seeded card with the ledger
 * applet as the default applet, and synchronous APDU builders for card.transmit.
 */
import { Card, SeededRng, VirtualClock, buildCommand, concat, hexToBytes, readU32 } from '../../../card/runtime/index.js';
import { LedgerApplet } from '../../../card/applets/ledger/index.js';
import { LedgerIssuer, OfferSigner, SettlementServer, SigningKey, encodeDebit, encodeEditorRegistration, type DebitRequest } from '../../../host/backend/ledger/index.js';
import { LEDGER_AID, INFO, type LedgerMode } from '../../../card/protocol/index.js';

const secret = (b: number): Uint8Array => new Uint8Array(32).fill(b);
export const ISSUER = new LedgerIssuer(SigningKey.fromSecret(secret(0x11)));
export const EDITOR_ROOT = new OfferSigner(SigningKey.fromSecret(secret(0x22)));
export const SERVER_KEY = SigningKey.fromSecret(secret(0x33));
export const CARD_ID = hexToBytes('0102030405060708');
export const EUR = 978;
export const EDITOR_A = hexToBytes('ed00000a');
export const EDITOR_B = hexToBytes('ed00000b');
export const CODE = new TextEncoder().encode('1234');

export interface CardOpts {
  mode?: LedgerMode;
  logSize?: number;
  ticketSlots?: number;
  limit?: number;
  initialBalance?: number;
  consent?: 'none' | 'always' | 'above';
  threshold?: number;
  cardId?: Uint8Array;
  seed?: string;
  certify?: boolean;
  currency?: number;
}

export function makeCard(o: CardOpts = {}): Card {
  const card = new Card({ rng: new SeededRng(o.seed ?? 'ledger-test'), clock: new VirtualClock() });
  const mode = o.mode ?? 'prepaid';
  card.install(LedgerApplet, {
    aid: LEDGER_AID,
    default: true,
    params: { mode, logSize: o.logSize ?? 8, ticketSlots: o.ticketSlots ?? 3 },
    personalization: {
      cardId: o.cardId ?? CARD_ID, currency: o.currency ?? EUR, limit: o.limit ?? 10_000, ...(mode === 'prepaid' ? { initialBalance: o.initialBalance ?? 1_000 } : {}),
      editorRootKey: EDITOR_ROOT.publicKey, issuerKey: ISSUER.publicKey, serverKey: SERVER_KEY.publicKey,
      ...(o.consent && o.consent !== 'none' ? { consent: { mode: o.consent, threshold: o.threshold ?? 0, code: CODE } } : {}),
    },
  });
  card.powerOn();
  if (o.certify !== false) {
    const pub = ok(card.transmit(buildCommand(0x80, 0x42, 0, 0, { ne: 65 })));
    ok(card.transmit(buildCommand(0x80, 0x44, 0, 0, { data: ISSUER.certify(o.cardId ?? CARD_ID, pub) })));
  }
  return card;
}

export function sw(rsp: Uint8Array): number {
  return (rsp[rsp.length - 2]! << 8) | rsp[rsp.length - 1]!;
}
export function data(rsp: Uint8Array): Uint8Array {
  return rsp.subarray(0, rsp.length - 2);
}
/** The data of a 9000 answer; throws with the SW otherwise. */
export function ok(rsp: Uint8Array): Uint8Array {
  if (sw(rsp) !== 0x9000) throw new Error(`expected 9000, got ${sw(rsp).toString(16)}`);
  return data(rsp).slice();
}

export interface OfferOpts {
  editor?: Uint8Array;
  currency?: number;
  what?: string;
  badSig?: boolean;
  signer?: OfferSigner;
  dateTime?: number;
}

/** An editor-signed offer answering `challenge` (no card involved: a stale or made-up challenge, for the refusals). */
export function offerFor(challenge: Uint8Array, price: number, o: OfferOpts = {}): DebitRequest {
  const editorId = o.editor ?? EDITOR_A;
  const offerHash = new Uint8Array(32).fill((o.what ?? 'level-1').length);
  const currency = o.currency ?? EUR;
  const dateTime = o.dateTime ?? 1_767_225_600;
  const sig = (o.signer ?? EDITOR_ROOT).sign(editorId, offerHash, price, currency, challenge, dateTime);
  if (o.badSig) sig[10]! ^= 1;
  return { editorId, offerHash, price, currency, challenge: challenge.slice(), dateTime, editorSignature: sig };
}

/** GET CHALLENGE on `card`, then an editor-signed offer answering it (the host flow of one DEBIT). */
export function offer(card: Card, price: number, o: OfferOpts = {}): DebitRequest {
  return offerFor(ok(card.transmit(apdu.challenge())).subarray(0, 16), price, o);
}

export const apdu = {
  info: (): Uint8Array => buildCommand(0x80, 0x40, 0, 0, { ne: INFO.length }),
  debit: (r: DebitRequest): Uint8Array => buildCommand(0x80, 0x50, 0, 0, { data: encodeDebit(r), ne: 256 }),
  lastReceipt: (): Uint8Array => buildCommand(0x80, 0x52, 0, 0, { ne: 146 }),
  challenge: (): Uint8Array => buildCommand(0x80, 0x48, 0, 0, { ne: 20 }),
  registerEditor: (c: { editorId: Uint8Array; keyVersion: number; publicKey: Uint8Array; signature: Uint8Array }): Uint8Array => buildCommand(0x80, 0x4a, 0, 0, { data: encodeEditorRegistration(c) }),
  load: (amount: number, counter: number, sig: Uint8Array): Uint8Array =>
    buildCommand(0x80, 0x54, 0, 0, { data: concat(u32(amount), u32(counter), sig), ne: 4 }),
  exportLog: (): Uint8Array => buildCommand(0x80, 0x56, 0, 0, { ne: 112 }),
  ack: (ec: number, last: number, sig: Uint8Array): Uint8Array => buildCommand(0x80, 0x58, 0, 0, { data: concat(u32(ec), u32(last), sig) }),
  readRecord: (n: number): Uint8Array => buildCommand(0x00, 0xb2, n, 0x04, { ne: 82 }),
  verify: (code?: Uint8Array): Uint8Array => buildCommand(0x00, 0x20, 0x00, 0x81, code ? { data: code } : {}),
  pubKey: (): Uint8Array => buildCommand(0x80, 0x42, 0, 0, { ne: 65 }),
  cert: (): Uint8Array => buildCommand(0x80, 0x46, 0, 0, { ne: 137 }),
  putCert: (sig: Uint8Array): Uint8Array => buildCommand(0x80, 0x44, 0, 0, { data: sig }),
  issue: (ticket: Uint8Array, sig: Uint8Array): Uint8Array => buildCommand(0x80, 0x60, 0, 0, { data: concat(ticket, sig) }),
  validate: (id: Uint8Array, ch: Uint8Array, t: number): Uint8Array => buildCommand(0x80, 0x62, 0, 0, { data: concat(id, ch, u32(t)), ne: 64 }),
  refund: (id: Uint8Array, sig: Uint8Array): Uint8Array => buildCommand(0x80, 0x64, 0, 0, { data: concat(id, sig), ne: 64 }),
  readTicket: (slot: number): Uint8Array => buildCommand(0x80, 0x6c, slot, 0, { ne: 45 }),
  nonce: (): Uint8Array => buildCommand(0x80, 0x68, 0, 0, { ne: 16 }),
  transferOut: (id: Uint8Array, key: Uint8Array, nonce: Uint8Array, p1 = 0): Uint8Array => buildCommand(0x80, 0x66, p1, 0, { data: concat(id, key, nonce), ne: 65536 }),
  outbox: (): Uint8Array => buildCommand(0x80, 0x66, 0, 0, { ne: 65536 }),
  transferIn: (sealed: Uint8Array): Uint8Array => buildCommand(0x80, 0x6a, 0, 0, { data: sealed }),
};

export function u32(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

export interface Info {
  value: number;
  tx: number;
  loadCounter: number;
  exportCounter: number;
  settled: number;
  flags: number;
}
export function info(card: Card): Info {
  const d = ok(card.transmit(apdu.info()));
  return { value: readU32(d, INFO.value), tx: readU32(d, INFO.txCounter), loadCounter: readU32(d, INFO.loadCounter), exportCounter: readU32(d, INFO.exportCounter), settled: readU32(d, INFO.settled), flags: d[INFO.flags]! };
}

/** Run a LOAD end to end (challenge, issuer authorisation). Returns the SW. */
export function loadCard(card: Card, amount: number, opts: { counter?: number } = {}): number {
  const ch = ok(card.transmit(apdu.challenge()));
  const counter = opts.counter ?? readU32(ch, 16);
  const sig = ISSUER.authorizeLoad(CARD_ID, ch.subarray(0, 16), amount, counter);
  return sw(card.transmit(apdu.load(amount, counter, sig)));
}

/** EXPORT then server import then ACK. Returns the server result. */
export function settleCard(card: Card, server: SettlementServer): void {
  const exp = ok(card.transmit(apdu.exportLog()));
  const first = readU32(exp, 4), last = readU32(exp, 8);
  const tx = info(card).tx;
  const records: Uint8Array[] = [];
  for (let c = first; c <= last; c++) records.push(ok(card.transmit(apdu.readRecord(tx - c + 1))));
  const cert = ok(card.transmit(apdu.cert()));
  const res = server.importExport({ cardId: cert.slice(0, 8), publicKey: cert.slice(8, 73), signature: cert.slice(73) },
    { exportCounter: readU32(exp, 0), first, last, amount: readU32(exp, 12), recordsDigest: exp.slice(16, 48), signature: exp.slice(48), records });
  ok(card.transmit(apdu.ack(res.ack.exportCounter, res.ack.last, res.ack.signature)));
}

export const newServer = (): SettlementServer => new SettlementServer(ISSUER.publicKey, SERVER_KEY);
