/**
 * Ledger applet: prepaid purse or postpaid usage meter with signed receipts (France Telecom
 * WO 00/63859: the card "updates the file, and only then" releases the payment proof), authorised
 * reloads, a cyclic usage log exported to and acknowledged by the payment server, and e-tickets
 * (tickets.ts). Commands: apdu-specs/ledger.ts; layouts and signed messages: card/protocol/ledger.ts.
 *
 * This file builds the command table; the state is core.ts and the families are purse.ts (DEBIT,
 * LOAD, receipts: the atomicity and replay rules are there), log.ts (READ RECORD, EXPORT, ACK),
 * identity.ts (GET INFO, key, certificate, challenge), codes.ts (VERIFY) and tickets.ts.
 *
 * Advice of Charge: the SIM applet's EF_ACM / EF_ACMmax (TS 51.011 §10.3.6, INCREASE) is the
 * telephone-card meter: it counts call units in the handset's trust, without receipts. This
 * ledger is the same idea with proof: postpaid mode ~ ACM (cumulative use) with ceiling ~ ACMmax,
 * prepaid mode ~ a telephone card whose units go down; each unit is a signed record. A phone can
 * meter a call on both: ACM INCREASE per tick and one ledger DEBIT per charged unit, priced
 * units × EF_PUCT (EPPU · 10^EX in the currency's minor units), with the ceiling = ACMmax × that
 * price so both stop at the same tick (9850 / LEDGER_CEILING_REACHED):
 * test/applets/joint-aoc-ledger.test.ts.
 */
import { LEDGER_COMMANDS } from '../../../apdu-specs/ledger.js';
import { PERSONALIZATION_COMMANDS } from '../../../apdu-specs/personalization.js';
import { Applet, CommandTable, type AppletContext, type AppletParams, type LayoutFields, storeDataBlock } from '../../runtime/index.js';
import { EDITOR_ENTRY, EDITOR_SLOTS } from '../../protocol/ledger.js';
import { verifyCode } from './codes.js';
import { CONSENT, LedgerCore } from './core.js';
import { getCertificate, getChallenge, getPublicKey, info, putCertificate, registerEditor } from './identity.js';
import { ackExport, exportLog, readRecord } from './log.js';
import { checkPersonalization } from './params.js';
import { debit, lastReceipt, load } from './purse.js';
import { isLedgerFactory, ledgerTable, LedgerStoreData } from './store-data.js';

export class LedgerApplet extends Applet {
  static readonly type = 'cardforge.ledger';
  /**
   * Layout 2 (issue 18) adds the editor-key table (editors, editorCount: REGISTER EDITOR) and the
   * refund record (tickets/lastRefund); layout-1 images migrate with both empty (no editor
   * registered, no refund to re-answer).
   * Layout 3 (issue 18) drops the host-random window (randoms, randomNext: DEBIT now answers the
   * card's one-use challenge, so no window is needed, and the `replayWindow` parameter of older
   * images is ignored) and gives each editor-table entry a key version (id ‖ version ‖ key, no
   * rollback); a layout-2 entry migrates with version 0, so any issuer certificate of version 1
   * or more replaces it.
   */
  static readonly layout = 3;
  static migrateLayout(from: number, fields: LayoutFields): LayoutFields {
    if (from !== 1 && from !== 2) throw new RangeError(`ledger layout ${from}: no migration`);
    const { randoms: _r, randomNext: _n, ...rest } = fields;
    const editors = new Uint8Array(EDITOR_SLOTS * EDITOR_ENTRY.length);
    const old = fields.editors;
    if (from === 2 && old !== undefined) {
      // layout 2 entry: id (4) ‖ key (65), 69 bytes; version 0.
      const OLD = 4 + 65;
      for (let i = 0; i < EDITOR_SLOTS && (i + 1) * OLD <= old.length; i++) {
        const e = old.subarray(i * OLD, (i + 1) * OLD);
        editors.set(e.subarray(0, 4), i * EDITOR_ENTRY.length + EDITOR_ENTRY.editorId);
        editors.set(e.subarray(4), i * EDITOR_ENTRY.length + EDITOR_ENTRY.publicKey);
      }
    }
    if (from === 1) return { ...rest, editors, editorCount: new Uint8Array(1), 'tickets/lastRefund': new Uint8Array(24) };
    return { ...rest, editors };
  }
  override readonly extendedLength = true;
  readonly commands: CommandTable;
  private readonly core: LedgerCore;
  /** PERSO_STORE_DATA and the blank state (store-data.ts, issue 8). */
  private readonly perso: LedgerStoreData;

  constructor(ctx: AppletContext, params: AppletParams) {
    super(ctx, params);
    const core = new LedgerCore(ctx, params);
    this.core = core;
    const t = core.tickets;
    this.perso = new LedgerStoreData(ctx, {
      mode: core.p.mode, cardId: core.cardId, currency: core.currency, limit: core.limit, value: core.value, editorKey: core.editorKey, issuerKey: core.issuerKey,
      serverKey: core.serverKey, consentMode: core.consentMode, threshold: core.threshold, code: core.code, generateKeys: () => core.generateKeys(),
    });
    this.commands = ledgerTable([...LEDGER_COMMANDS, ...PERSONALIZATION_COMMANDS], () => this.perso, {
      LEDGER_VERIFY_CODE: (a) => verifyCode(core, a),
      LEDGER_READ_RECORD: (a) => readRecord(core, a),
      LEDGER_GET_INFO: () => info(core),
      LEDGER_GET_PUBLIC_KEY: () => getPublicKey(core),
      LEDGER_PUT_CERTIFICATE: (a) => putCertificate(core, a),
      LEDGER_GET_CERTIFICATE: () => getCertificate(core),
      LEDGER_GET_CHALLENGE: () => getChallenge(core),
      LEDGER_REGISTER_EDITOR: (a) => registerEditor(core, a),
      LEDGER_DEBIT: (a, s) => debit(core, a, s),
      LEDGER_GET_LAST_RECEIPT: () => lastReceipt(core),
      LEDGER_LOAD: (a, s) => load(core, a, s),
      LEDGER_EXPORT_LOG: () => exportLog(core),
      LEDGER_ACK_EXPORT: (a, s) => ackExport(core, a, s),
      LEDGER_ISSUE_TICKET: (a) => t.issue(a),
      LEDGER_VALIDATE_TICKET: (a) => t.validate(a),
      LEDGER_REFUND_TICKET: (a) => t.refund(a),
      LEDGER_READ_TICKET: (a) => t.read(a),
      LEDGER_GET_TRANSFER_NONCE: () => t.nonce(),
      LEDGER_TRANSFER_OUT: (a, s) => t.transferOut(a, s),
      LEDGER_TRANSFER_IN: (a) => t.transferIn(a),
    });
  }

  /** STORE DATA blocks forwarded by the ISD (INSTALL [for personalization]; perso.ts PersoBlocks). */
  override processData(command: Uint8Array): void {
    this.perso.processData(storeDataBlock(command));
  }

  override install(personalization: unknown): void {
    // Blank (issue 8): layout only; the ISD's STORE DATA personalizes it and generates the keys.
    if (isLedgerFactory(personalization)) return this.perso.factory();
    const c = this.core;
    c.generateKeys();
    // Installed without values (e.g. an empty image): all keys zero, so every signed command is
    // refused (LEDGER_BAD_SIGNATURE) until the card is personalized.
    if (typeof personalization === 'object' && personalization !== null && Object.keys(personalization).length === 0) return;
    const v = checkPersonalization(personalization, c.p.mode);
    c.cardId.set(v.cardId);
    c.currency.set(v.currency);
    c.limit.set(v.limit);
    c.value.set(c.p.mode === 'prepaid' ? (v.initialBalance ?? 0) : 0);
    c.editorKey.set(v.editorRootKey);
    c.issuerKey.set(v.issuerKey);
    c.serverKey.set(v.serverKey);
    const consent = v.consent ?? { mode: 'none' as const };
    c.consentMode.set(CONSENT[consent.mode]);
    c.threshold.set(consent.threshold ?? 0);
    if (consent.code !== undefined) c.code.update(consent.code);
  }
}
