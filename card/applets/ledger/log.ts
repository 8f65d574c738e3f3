/**
 * The ledger's usage log: READ RECORD (ISO/IEC 7816-4 §11.3.3, 1 = newest), EXPORT LOG (the
 * unexported records' digest and amount, card-signed; the export is pending until acknowledged)
 * and ACK EXPORT (the payment server's signature settles the exported records in one
 * transaction; postpaid: the settled amount leaves the cumulative use).
 */
import { SW } from '../../../apdu-specs/status-words.js';
import type { CommandSpec } from '../../../apdu-specs/types.js';
import { CardError, checkParams, readU32, writeU32, type CommandApdu, type Reply } from '../../runtime/index.js';
import { REC, ackStatement, exportDigest, recordsDigest } from '../../protocol/ledger.js';
import { concat2, type LedgerCore } from './core.js';

export function readRecord(core: LedgerCore, a: CommandApdu): Reply {
  // P2 is 04 (the dispatcher checked the declaration); the record number (P1) against the log's
  // state: 00 or past the written records is 6A83.
  const available = Math.min(core.txCounter.get(), core.p.logSize);
  if (a.p1 < 1 || a.p1 > available) throw new CardError(SW.RECORD_NOT_FOUND);
  return { data: core.recordAt(a.p1) };
}

export function exportLog(core: LedgerCore): Reply {
  const last = core.txCounter.get();
  const first = core.settled.get() + 1;
  if (last < first) throw new CardError(SW.RECORD_NOT_FOUND, 'nothing to export');
  const records: Uint8Array[] = [];
  let amount = 0;
  for (let c = first; c <= last; c++) {
    const r = core.recordAt(last - c + 1);
    records.push(r);
    amount += readU32(r, REC.price);
  }
  if (amount > 0xffffffff) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'export amount overflows');
  const digest = recordsDigest(records);
  const ec = core.exportCounter.get() + 1;
  core.ctx.beginTransaction();
  core.exportCounter.set(ec);
  core.exportPending.set(true);
  core.pendingLast.set(last);
  core.pendingAmount.set(amount);
  core.pendingDigest.set(digest);
  core.ctx.commitTransaction();
  const o = new Uint8Array(48);
  writeU32(o, 0, ec);
  writeU32(o, 4, first);
  writeU32(o, 8, last);
  writeU32(o, 12, amount);
  o.set(digest, 16);
  return { data: concat2(o, core.sign(exportDigest(core.cardId.view(), ec, first, last, amount, digest))) };
}

export function ackExport(core: LedgerCore, a: CommandApdu, spec: CommandSpec): Reply {
  if (a.data.length !== 72) throw new CardError(SW.WRONG_LENGTH);
  checkParams(a, spec);
  const ec = readU32(a.data, 0);
  const last = readU32(a.data, 4);
  if (!core.exportPending.get() || ec !== core.exportCounter.get()) throw new CardError(SW.LEDGER_REPLAYED, 'no such pending export');
  if (last !== core.pendingLast.get()) throw new CardError(SW.WRONG_DATA);
  if (!core.verifyStatement(core.serverKey.view(), ackStatement(core.cardId.view(), ec, last, core.pendingDigest.view()), a.data.subarray(8))) throw new CardError(SW.LEDGER_BAD_SIGNATURE);
  core.ctx.beginTransaction();
  core.settled.set(last);
  core.exportPending.set(false);
  if (core.p.mode === 'postpaid') core.value.set(core.value.get() - core.pendingAmount.get());
  core.ctx.commitTransaction();
  return {};
}
