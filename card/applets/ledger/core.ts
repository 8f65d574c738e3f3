/**
 * The ledger applet's state, shared by its command families (purse.ts, log.ts, identity.ts,
 * codes.ts, tickets.ts): the layout parameters, every persistent cell (allocated here, in this
 * order, under the names saved card images carry), the payment code, the one-use RAM challenge,
 * and the helpers several families use (the card's key pair and signature, the editor table, the
 * n-th newest usage record). The private key has no read path.
 */
import { OneUseChallenge, OwnerPin, equalBytes, readU32, type AppletContext, type AppletParams, type PBool, type PBytes, type PU16, type PU32, type PU8 } from '../../runtime/index.js';
import { CARD_ID_LENGTH, CHALLENGE_LENGTH, EDITOR_ENTRY, EDITOR_SLOTS, REC } from '../../protocol/ledger.js';
import { CardKeyPair } from '../../protocol/card-key.js';
import { checkParams } from './params.js';
import { Tickets } from './tickets.js';
import { CODE_MAX_LENGTH, type LedgerParams } from './types.js';
import { cryptoOf } from '../../algorithms/provider.js';

/** consentMode cell values. */
export const CONSENT = { none: 0, always: 1, above: 2 } as const;

export class LedgerCore {
  readonly p: LedgerParams;
  /** Cyclic log slots: logSize + 1 (one spare for the record being written). */
  readonly slots: number;
  readonly cardId: PBytes;
  readonly currency: PU16;
  readonly limit: PU32;
  /** Prepaid: the balance; postpaid: the cumulative unsettled use. */
  readonly value: PU32;
  readonly txCounter: PU32;
  readonly loadCounter: PU32;
  readonly exportCounter: PU32;
  readonly settled: PU32;
  readonly log: PBytes;
  readonly newest: PU8;
  readonly receiptPending: PBool;
  readonly exportPending: PBool;
  readonly pendingLast: PU32;
  readonly pendingAmount: PU32;
  readonly pendingDigest: PBytes;
  readonly editorKey: PBytes;
  readonly issuerKey: PBytes;
  readonly serverKey: PBytes;
  /** The card's key pair (cells 'privateKey', 'publicKey'). */
  readonly keys: CardKeyPair;
  readonly publicKey: PBytes;
  readonly cert: PBytes;
  readonly certified: PBool;
  readonly consentMode: PU8;
  readonly threshold: PU32;
  readonly code: OwnerPin;
  /** REGISTER EDITOR's table (seed 004): EDITOR_SLOTS entries of editor id || key version || public key (EDITOR_ENTRY); the first editorCount used. */
  readonly editors: PBytes;
  readonly editorCount: PU8;
  /**
   * RAM: the one-use GET CHALLENGE value for LOAD, DEBIT, ISSUE and REFUND; consumed by the
   * command that takes it, replaced by the next GET CHALLENGE, cleared on deselect and reset.
   */
  readonly challenge: OneUseChallenge;
  readonly tickets: Tickets;

  constructor(readonly ctx: AppletContext, params: AppletParams) {
    this.p = checkParams(params);
    this.slots = this.p.logSize + 1;
    const s = ctx.persistent;
    this.cardId = s.bytes('cardId', CARD_ID_LENGTH);
    this.currency = s.u16('currency');
    this.limit = s.u32('limit');
    this.value = s.u32('value');
    this.txCounter = s.u32('txCounter');
    this.loadCounter = s.u32('loadCounter');
    this.exportCounter = s.u32('exportCounter');
    this.settled = s.u32('settled');
    this.log = s.bytes('log', this.slots * REC.length);
    this.newest = s.u8('newest');
    this.receiptPending = s.bool('receiptPending');
    this.exportPending = s.bool('exportPending');
    this.pendingLast = s.u32('pendingLast');
    this.pendingAmount = s.u32('pendingAmount');
    this.pendingDigest = s.bytes('pendingDigest', 32);
    this.editorKey = s.bytes('editorKey', 65);
    this.issuerKey = s.bytes('issuerKey', 65);
    this.serverKey = s.bytes('serverKey', 65);
    this.keys = new CardKeyPair(ctx);
    this.publicKey = this.keys.publicKey;
    this.cert = s.bytes('certificate', 64);
    this.certified = s.bool('certified');
    this.consentMode = s.u8('consentMode');
    this.threshold = s.u32('threshold');
    this.editors = s.bytes('editors', EDITOR_SLOTS * EDITOR_ENTRY.length);
    this.editorCount = s.u8('editorCount');
    // Consent is valid until this applet is deselected or the card reset, as the payment applet's code (issue 18).
    this.code = new OwnerPin(s, ctx.transient, 'paymentCode', { tryLimit: 3, maxLength: CODE_MAX_LENGTH, clearOn: 'deselect' });
    this.challenge = new OneUseChallenge(ctx, CHALLENGE_LENGTH, 'deselect');
    this.tickets = new Tickets(ctx, this.p.ticketSlots, {
      cardId: () => this.cardId.view(),
      publicKey: () => this.publicKey.view(),
      issuerKey: () => this.issuerKey.view(),
      certificate: () => (this.certified.get() ? this.cert.view() : undefined),
      sign: (digest) => this.sign(digest),
      privateScalar: () => this.keys.scalar(),
      takeChallenge: () => this.takeChallenge(),
    });
  }

  generateKeys(): void {
    // The card's own key pair, generated here and never readable (FIPS 186-5 A.2.1).
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

  /** The one-use challenge, consumed; undefined if none was issued since the last use/clear. */
  takeChallenge(): Uint8Array | undefined {
    return this.challenge.take();
  }

  /** The table index of an editor's entry (REGISTER EDITOR), or -1. */
  editorIndex(editorId: Uint8Array): number {
    const t = this.editors.view();
    for (let i = 0; i < this.editorCount.get(); i++) {
      const off = i * EDITOR_ENTRY.length;
      if (equalBytes(t.subarray(off + EDITOR_ENTRY.editorId, off + EDITOR_ENTRY.keyVersion), editorId)) return i;
    }
    return -1;
  }

  /** Entry i of the editor table: key version and public key (views). */
  editorEntry(i: number): { keyVersion: number; publicKey: Uint8Array } {
    const e = this.editors.view().subarray(i * EDITOR_ENTRY.length, (i + 1) * EDITOR_ENTRY.length);
    return { keyVersion: readU32(e, EDITOR_ENTRY.keyVersion), publicKey: e.subarray(EDITOR_ENTRY.publicKey) };
  }

  /** The registered key of an editor (REGISTER EDITOR), or undefined: its offers are then verified with the editor root key. */
  editorKeyOf(editorId: Uint8Array): Uint8Array | undefined {
    const i = this.editorIndex(editorId);
    return i < 0 ? undefined : this.editorEntry(i).publicKey;
  }

  /** The n-th newest usage record (1 = newest). */
  recordAt(n: number): Uint8Array {
    const slot = (this.newest.get() - (n - 1) + this.slots * 2) % this.slots;
    return this.log.read(slot * REC.length, REC.length);
  }
}

/** a || b. */
export function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const o = new Uint8Array(a.length + b.length);
  o.set(a);
  o.set(b, a.length);
  return o;
}
