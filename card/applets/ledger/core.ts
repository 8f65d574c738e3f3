/**
 * The ledger applet's state, shared by its command families (purse.ts, log.ts, identity.ts,
 * codes.ts, tickets.ts): the layout parameters, every persistent cell (allocated here, in this
 * order, under the names saved card images carry), the payment code, the RAM challenge and offer
 * memo, and the helpers several families use (the card's signature, the one-use challenge, the
 * n-th newest usage record). The private key has no read path.
 */
import { OwnerPin, equalBytes, type AppletContext, type AppletParams, type PBool, type PBytes, type PU16, type PU32, type PU8 } from '../../runtime/index.js';
import { bytesToBig, publicKeyOf, scalarFromSeed, signDigest } from '../../algorithms/p256.js';
import { CARD_ID_LENGTH, CHALLENGE_LENGTH, EDITOR_ENTRY_LENGTH, EDITOR_SLOTS, RANDOM_LENGTH, REC } from '../../protocol/ledger.js';
import { checkParams } from './params.js';
import { Tickets } from './tickets.js';
import { CODE_MAX_LENGTH, type LedgerParams } from './types.js';

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
  readonly randoms: PBytes;
  readonly randomNext: PU8;
  readonly receiptPending: PBool;
  readonly exportPending: PBool;
  readonly pendingLast: PU32;
  readonly pendingAmount: PU32;
  readonly pendingDigest: PBytes;
  readonly editorKey: PBytes;
  readonly issuerKey: PBytes;
  readonly serverKey: PBytes;
  readonly privateKey: PBytes;
  readonly publicKey: PBytes;
  readonly cert: PBytes;
  readonly certified: PBool;
  readonly consentMode: PU8;
  readonly threshold: PU32;
  readonly code: OwnerPin;
  /** REGISTER EDITOR's table (seed 004): EDITOR_SLOTS entries of editor id || public key; the first editorCount used. */
  readonly editors: PBytes;
  readonly editorCount: PU8;
  /** RAM: [0] = 1 while the challenge is unused, [1..17) the challenge. */
  readonly challenge: Uint8Array;
  /** RAM: [0] = 1 when [1..33) offer digest and [33..97) its signature verified with the editor key. */
  readonly offerMemo: Uint8Array;
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
    this.randoms = s.bytes('randoms', this.p.replayWindow * RANDOM_LENGTH);
    this.randomNext = s.u8('randomNext');
    this.receiptPending = s.bool('receiptPending');
    this.exportPending = s.bool('exportPending');
    this.pendingLast = s.u32('pendingLast');
    this.pendingAmount = s.u32('pendingAmount');
    this.pendingDigest = s.bytes('pendingDigest', 32);
    this.editorKey = s.bytes('editorKey', 65);
    this.issuerKey = s.bytes('issuerKey', 65);
    this.serverKey = s.bytes('serverKey', 65);
    this.privateKey = s.bytes('privateKey', 32);
    this.publicKey = s.bytes('publicKey', 65);
    this.cert = s.bytes('certificate', 64);
    this.certified = s.bool('certified');
    this.consentMode = s.u8('consentMode');
    this.threshold = s.u32('threshold');
    this.editors = s.bytes('editors', EDITOR_SLOTS * EDITOR_ENTRY_LENGTH);
    this.editorCount = s.u8('editorCount');
    // Consent is valid until this applet is deselected or the card reset, as the payment applet's code (issue 18).
    this.code = new OwnerPin(s, ctx.transient, 'paymentCode', { tryLimit: 3, maxLength: CODE_MAX_LENGTH, clearOn: 'deselect' });
    this.challenge = ctx.transient.bytes('challenge', 1 + CHALLENGE_LENGTH);
    this.offerMemo = ctx.transient.bytes('offerMemo', 1 + 32 + 64);
    this.tickets = new Tickets(ctx, this.p.ticketSlots, {
      cardId: () => this.cardId.view(),
      publicKey: () => this.publicKey.view(),
      issuerKey: () => this.issuerKey.view(),
      certificate: () => (this.certified.get() ? this.cert.view() : undefined),
      sign: (digest) => this.sign(digest),
      privateScalar: () => bytesToBig(this.privateKey.view()),
      takeChallenge: () => this.takeChallenge(),
    });
  }

  generateKeys(): void {
    // The card's own key pair, generated here and never readable (FIPS 186-5 A.2.1).
    const d = scalarFromSeed(this.ctx.rng.fill(new Uint8Array(48)));
    this.privateKey.set(bytes32(d));
    this.publicKey.set(publicKeyOf(d));
  }

  sign(digest: Uint8Array): Uint8Array {
    return signDigest(bytesToBig(this.privateKey.view()), digest, this.ctx.rng.fill(new Uint8Array(16)));
  }

  /** The one-use challenge, consumed; undefined if none was issued since the last use/reset. */
  takeChallenge(): Uint8Array | undefined {
    if (this.challenge[0] !== 1) return undefined;
    this.challenge[0] = 0;
    return this.challenge.slice(1);
  }

  /** The registered key of an editor (REGISTER EDITOR), or undefined: its offers are then verified with the editor root key. */
  editorKeyOf(editorId: Uint8Array): Uint8Array | undefined {
    const t = this.editors.view();
    for (let i = 0; i < this.editorCount.get(); i++) {
      const off = i * EDITOR_ENTRY_LENGTH;
      if (equalBytes(t.subarray(off, off + 4), editorId)) return t.subarray(off + 4, off + EDITOR_ENTRY_LENGTH);
    }
    return undefined;
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

function bytes32(d: bigint): Uint8Array {
  const o = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, d >>= 8n) o[i] = Number(d & 0xffn);
  return o;
}
