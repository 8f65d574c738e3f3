/**
 * The ledger card's identity and status: GET INFO (counters, value, flags), the card's public key,
 * the issuer's certificate of it (stored once, under the issuer's signature over card id and key),
 * and GET CHALLENGE (the one-use RAM challenge for LOAD, ISSUE and REFUND, with the next load
 * counter), and REGISTER EDITOR (seed 004, per-editor keys): the issuer's card-verifiable editor
 * certificate (editor id, editor public key, the issuer's signature over "CFED" ‖ both — the
 * compact form of the X.509 editor certificate the issuer CA issues, host/backend/ledger
 * issuer.ts) is verified once with the issuer key the card holds and the editor's key cached in a
 * bounded persistent table (EDITOR_SLOTS entries; 6A84 when full). A new entry is one transaction
 * (entry, then count); a re-registration with another key replaces it in one atomic write; the
 * same key again changes nothing. From then on DEBIT verifies that editor's offers with its own
 * key only (the root no longer speaks for it); an editor never registered stays under the editor
 * root key of the personalization.
 */
import { SW } from '../../../apdu-specs/status-words.js';
import { CardError, equalBytes, writeU16, writeU32, type CommandApdu, type Reply } from '../../runtime/index.js';
import { verifyDigest } from '../../algorithms/p256.js';
import { certDigest, editorDigest, CHALLENGE_LENGTH, EDITOR_CERT, EDITOR_ENTRY_LENGTH, EDITOR_SLOTS, FLAG, INFO } from '../../protocol/ledger.js';
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
  if (!verifyDigest(core.issuerKey.view(), certDigest(core.cardId.view(), core.publicKey.view()), a.data)) throw new CardError(SW.LEDGER_BAD_SIGNATURE);
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
  core.ctx.rng.fill(core.challenge.subarray(1));
  core.challenge[0] = 1;
  const o = new Uint8Array(CHALLENGE_LENGTH + 4);
  o.set(core.challenge.subarray(1));
  writeU32(o, CHALLENGE_LENGTH, (core.loadCounter.get() + 1) >>> 0);
  return { data: o };
}

export function registerEditor(core: LedgerCore, a: CommandApdu): Reply {
  const d = a.data;
  if (d.length !== EDITOR_CERT.length) throw new CardError(SW.WRONG_LENGTH);
  const id = d.subarray(EDITOR_CERT.editorId, EDITOR_CERT.publicKey);
  const key = d.subarray(EDITOR_CERT.publicKey, EDITOR_CERT.signature);
  if (key[0] !== 0x04) throw new CardError(SW.WRONG_DATA, 'editor key is not an uncompressed point');
  if (!verifyDigest(core.issuerKey.view(), editorDigest(id, key), d.subarray(EDITOR_CERT.signature))) throw new CardError(SW.LEDGER_BAD_SIGNATURE);
  const entry = d.subarray(0, EDITOR_ENTRY_LENGTH);
  const t = core.editors.view();
  const n = core.editorCount.get();
  for (let i = 0; i < n; i++) {
    const off = i * EDITOR_ENTRY_LENGTH;
    if (!equalBytes(t.subarray(off, off + 4), id)) continue;
    if (!equalBytes(t.subarray(off + 4, off + EDITOR_ENTRY_LENGTH), key)) {
      core.editors.setAt(off, entry);
      core.offerMemo[0] = 0;
    }
    return {};
  }
  if (n >= EDITOR_SLOTS) throw new CardError(SW.NOT_ENOUGH_MEMORY, 'editor table full');
  core.ctx.beginTransaction();
  core.editors.setAt(n * EDITOR_ENTRY_LENGTH, entry);
  core.editorCount.set(n + 1);
  core.ctx.commitTransaction();
  core.offerMemo[0] = 0;
  return {};
}
