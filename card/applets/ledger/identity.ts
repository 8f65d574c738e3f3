/**
 * The ledger card's identity and status: GET INFO (counters, value, flags), the card's public key,
 * the issuer's certificate of it (stored once, under the issuer's signature over card id and key),
 * and GET CHALLENGE (the one-use RAM challenge for LOAD, DEBIT, ISSUE and REFUND, with the next
 * load counter), and REGISTER EDITOR (seed 004, per-editor keys): the issuer's card-verifiable
 * editor certificate (editor id, key version, editor public key, the issuer's signature over
 * "CFED" ‖ all three — the compact form of the X.509 editor certificate the issuer CA issues,
 * host/backend/ledger issuer.ts) is verified once with the issuer key the card holds and the
 * editor's key cached in a bounded persistent table (EDITOR_SLOTS entries; 6A84 when full). A new
 * entry is one transaction (entry, then count). For a known editor the version must go up: a
 * certificate of a lower or equal version is refused (LEDGER_REPLAYED, nothing changed), so an
 * older certificate cannot roll the editor back to an older (possibly compromised) key; the exact
 * entry already held again is answered 9000 without a write (a retry after a lost answer); a
 * higher version replaces the entry in one atomic write. From then on DEBIT verifies that
 * editor's offers with its own key only (the root no longer speaks for it); an editor never
 * registered stays under the editor root key of the personalization.
 */
import { SW } from '../../../apdu-specs/status-words.js';
import { CardError, equalBytes, readU32, writeU16, writeU32, type CommandApdu, type Reply } from '../../runtime/index.js';
import { certStatement, editorStatement, CHALLENGE_LENGTH, EDITOR_CERT, EDITOR_ENTRY, EDITOR_SLOTS, FLAG, INFO } from '../../protocol/ledger.js';
import type { LedgerCore } from './core.js';

export function info(core: LedgerCore): Reply {
  const o = new Uint8Array(INFO.length);
  o.set(core.cardId.view(), INFO.cardId);
  o[INFO.mode] = core.p.mode === 'prepaid' ? 1 : 2;
  writeU16(o, INFO.currency, core.currency.get());
  writeU32(o, INFO.value, core.value.get());
  writeU32(o, INFO.limit, core.limit.get());
  writeU32(o, INFO.txCounter, core.txCounter.get());
  writeU32(o, INFO.loadCounter, core.loadCounter.get());
  writeU32(o, INFO.exportCounter, core.exportCounter.get());
  writeU32(o, INFO.settled, core.settled.get());
  o[INFO.flags] =
    (core.receiptPending.get() ? FLAG.receiptPending : 0) | (core.exportPending.get() ? FLAG.exportPending : 0) |
    (core.certified.get() ? FLAG.certified : 0) | core.tickets.flags();
  o[INFO.logSize] = core.p.logSize;
  o[INFO.ticketSlots] = core.p.ticketSlots;
  return { data: o };
}

export function getPublicKey(core: LedgerCore): Reply {
  return { data: core.publicKey.get() };
}

export function putCertificate(core: LedgerCore, a: CommandApdu): Reply {
  if (a.data.length !== 64) throw new CardError(SW.WRONG_LENGTH);
  if (core.certified.get()) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'certificate already stored');
  if (!core.verifyStatement(core.issuerKey.view(), certStatement(core.cardId.view(), core.publicKey.view()), a.data)) throw new CardError(SW.LEDGER_BAD_SIGNATURE);
  core.ctx.beginTransaction();
  core.cert.set(a.data);
  core.certified.set(true);
  core.ctx.commitTransaction();
  return {};
}

export function getCertificate(core: LedgerCore): Reply {
  if (!core.certified.get()) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND);
  const o = new Uint8Array(8 + 65 + 64);
  o.set(core.cardId.view());
  o.set(core.publicKey.view(), 8);
  o.set(core.cert.view(), 73);
  return { data: o };
}

export function getChallenge(core: LedgerCore): Reply {
  const o = new Uint8Array(CHALLENGE_LENGTH + 4);
  o.set(core.challenge.issue());
  writeU32(o, CHALLENGE_LENGTH, (core.loadCounter.get() + 1) >>> 0);
  return { data: o };
}

export function registerEditor(core: LedgerCore, a: CommandApdu): Reply {
  const d = a.data;
  if (d.length !== EDITOR_CERT.length) throw new CardError(SW.WRONG_LENGTH);
  const id = d.subarray(EDITOR_CERT.editorId, EDITOR_CERT.keyVersion);
  const version = readU32(d, EDITOR_CERT.keyVersion);
  const key = d.subarray(EDITOR_CERT.publicKey, EDITOR_CERT.signature);
  if (key[0] !== 0x04) throw new CardError(SW.WRONG_DATA, 'editor key is not an uncompressed point');
  if (!core.verifyStatement(core.issuerKey.view(), editorStatement(id, version, key), d.subarray(EDITOR_CERT.signature))) throw new CardError(SW.LEDGER_BAD_SIGNATURE);
  // The certificate's first EDITOR_ENTRY.length bytes are the table entry (id, version, key).
  const entry = d.subarray(0, EDITOR_ENTRY.length);
  const i = core.editorIndex(id);
  if (i >= 0) {
    const held = core.editorEntry(i);
    if (version === held.keyVersion && equalBytes(key, held.publicKey)) return {};
    if (version <= held.keyVersion) throw new CardError(SW.LEDGER_REPLAYED, `editor key version ${version} is not above the registered ${held.keyVersion}`);
    core.editors.setAt(i * EDITOR_ENTRY.length, entry);
    return {};
  }
  const n = core.editorCount.get();
  if (n >= EDITOR_SLOTS) throw new CardError(SW.NOT_ENOUGH_MEMORY, 'editor table full');
  core.ctx.beginTransaction();
  core.editors.setAt(n * EDITOR_ENTRY.length, entry);
  core.editorCount.set(n + 1);
  core.ctx.commitTransaction();
  return {};
}
