/**
 * The settlement server (the "payment server" SP of WO 00/63859 claim 3): imports the card's
 * signed log exports, idempotently (a record is known by card id and counter, so a re-sent or
 * overlapping export counts nothing twice), keeps totals per user (card) and per editor, answers
 * each valid export with its signed settlement acknowledgement, and settles each editor: what the
 * users' cards paid for that editor's offers since the last settlement — per editor AND per
 * currency (issue 18: prices in different currencies are never added; one statement per
 * (editor, currency), sorted by editor id then ISO 4217 code).
 */
import { bytesToHex, equalBytes, readU32 } from '../../../card/runtime/index.js';
import { ackDigest, certDigest, exportDigest, recordsDigest, REC } from '../../../card/protocol/index.js';
import { SigningKey, decodeRecord, verify, type UsageRecord } from './keys.js';
import { LedgerBackendError } from './errors.js';
import type { CardCertificate } from './software-interface.js';
import type { ExportResult } from './card-client.js';

export interface ImportResult {
  /** The acknowledgement the card needs (LEDGER_ACK_EXPORT): the server's signature. */
  readonly ack: { exportCounter: number; last: number; signature: Uint8Array };
  readonly added: number;
  readonly duplicates: number;
}

export interface EditorStatement {
  readonly editorId: string;
  /** ISO 4217 numeric code of `amount`. */
  readonly currency: number;
  readonly amount: number;
  readonly records: number;
}

export class SettlementServer {
  readonly key: SigningKey;
  private readonly records = new Map<string, UsageRecord>();
  /** Unsettled records by `${editorId}/${currency}`. */
  private readonly unsettled = new Map<string, UsageRecord[]>();
  /** Total per card (a card has one currency). */
  readonly perUser = new Map<string, number>();
  /** Total per editor, per currency: editor id (hex) → ISO 4217 code → amount. */
  readonly perEditor = new Map<string, Map<number, number>>();
  /** Amount paid out to each editor by settle(), per currency. */
  readonly paid = new Map<string, Map<number, number>>();

  constructor(private readonly issuerKey: Uint8Array, key: SigningKey = SigningKey.generate()) {
    this.key = key;
  }
  get publicKey(): Uint8Array {
    return this.key.publicKey;
  }
  get recordCount(): number {
    return this.records.size;
  }

  importExport(cert: CardCertificate, exp: ExportResult): ImportResult {
    if (!verify(this.issuerKey, certDigest(cert.cardId, cert.publicKey), cert.signature)) throw new LedgerBackendError('BAD_CERTIFICATE', 'card certificate does not verify with the issuer key');
    const d = exportDigest(cert.cardId, exp.exportCounter, exp.first, exp.last, exp.amount, exp.recordsDigest);
    if (!verify(cert.publicKey, d, exp.signature)) throw new LedgerBackendError('BAD_SIGNATURE', 'export signature does not verify with the card key');
    if (exp.records.length !== exp.last - exp.first + 1) throw new LedgerBackendError('BAD_EXPORT', `expected ${exp.last - exp.first + 1} records, got ${exp.records.length}`);
    if (!equalBytes(recordsDigest(exp.records), exp.recordsDigest)) throw new LedgerBackendError('BAD_EXPORT', 'records do not match the signed digest');
    let sum = 0;
    exp.records.forEach((r, i) => {
      if (!equalBytes(r.subarray(REC.cardId, REC.counter), cert.cardId) || readU32(r, REC.counter) !== exp.first + i) throw new LedgerBackendError('BAD_EXPORT', `record ${i} is not counter ${exp.first + i} of this card`);
      sum += readU32(r, REC.price);
    });
    if (sum !== exp.amount) throw new LedgerBackendError('BAD_EXPORT', `amount ${exp.amount} differs from the records' sum ${sum}`);
    let added = 0;
    for (const raw of exp.records) {
      const r = decodeRecord(raw);
      const k = `${r.cardId}:${r.counter}`;
      if (this.records.has(k)) continue;
      this.records.set(k, r);
      added++;
      this.perUser.set(r.cardId, (this.perUser.get(r.cardId) ?? 0) + r.price);
      addTo(this.perEditor, r.editorId, r.currency, r.price);
      const ek = `${r.editorId}/${r.currency}`;
      const list = this.unsettled.get(ek) ?? [];
      list.push(r);
      this.unsettled.set(ek, list);
    }
    const signature = this.key.sign(ackDigest(cert.cardId, exp.exportCounter, exp.last, exp.recordsDigest));
    return { ack: { exportCounter: exp.exportCounter, last: exp.last, signature }, added, duplicates: exp.records.length - added };
  }

  /** Settle every editor with records since its last settlement (claim 3: the total per editor), one statement per currency. */
  settle(): EditorStatement[] {
    const out: EditorStatement[] = [];
    for (const list of this.unsettled.values()) {
      const { editorId, currency } = list[0]!;
      const amount = list.reduce((s, r) => s + r.price, 0);
      out.push({ editorId, currency, amount, records: list.length });
      addTo(this.paid, editorId, currency, amount);
    }
    this.unsettled.clear();
    return out.sort((a, b) => a.editorId.localeCompare(b.editorId) || a.currency - b.currency);
  }

  /** Every imported record of one card, by counter. */
  recordsOf(cardId: Uint8Array): UsageRecord[] {
    const id = bytesToHex(cardId);
    return [...this.records.values()].filter((r) => r.cardId === id).sort((a, b) => a.counter - b.counter);
  }
}

function addTo(m: Map<string, Map<number, number>>, editorId: string, currency: number, amount: number): void {
  let byCurrency = m.get(editorId);
  if (byCurrency === undefined) m.set(editorId, (byCurrency = new Map()));
  byCurrency.set(currency, (byCurrency.get(currency) ?? 0) + amount);
}
