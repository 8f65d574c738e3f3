/**
 * The ledger card's identity and status: GET INFO (counters, value, flags), the card's public key,
 * the issuer's certificate of it (stored once, under the issuer's signature over card id and key),
 * and GET CHALLENGE (the one-use RAM challenge for LOAD, ISSUE and REFUND, with the next load
 * counter).
 */
import { SW } from '../../../apdu-specs/status-words.js';
import { CardError, writeU16, writeU32, type CommandApdu, type Reply } from '../../runtime/index.js';
import { verifyDigest } from '../../algorithms/p256.js';
import { certDigest, CHALLENGE_LENGTH, FLAG, INFO } from '../../protocol/ledger.js';
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
