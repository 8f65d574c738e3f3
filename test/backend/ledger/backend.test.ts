/**
 * Ledger back-end: the settlement server imports exports idempotently (a duplicate or overlapping
 * export counts nothing twice), keeps per-user and per-editor totals, refuses forged or
 * inconsistent exports, and settles each editor once; the software interface accepts a receipt
 * only for the offer it issued last, from a certified card, with matching fields.
 * Guards: double counting on a retried import, paying an editor twice, accepting a receipt for a
 * stale offer, a receipt signed by an uncertified key, an export whose records were altered.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, readU32 } from '../../../card/runtime/index.js';
import { LedgerBackendError, LedgerIssuer, SoftwareInterface, SigningKey, type ExportResult, type CardCertificate } from '../../../host/backend/ledger/index.js';
import { EDITOR_A, EDITOR_B, EDITOR_ROOT, ISSUER, apdu, info, makeCard, newServer, offer, ok } from '../../applets/ledger/fixture.js';
import type { Card } from '../../../card/runtime/index.js';
import { REC } from '../../../card/protocol/index.js';

function certOf(card: Card): CardCertificate {
  const c = ok(card.transmit(apdu.cert()));
  return { cardId: c.slice(0, 8), publicKey: c.slice(8, 73), signature: c.slice(73) };
}

function exportOf(card: Card): ExportResult {
  const e = ok(card.transmit(apdu.exportLog()));
  const first = readU32(e, 4), last = readU32(e, 8);
  const tx = info(card).tx;
  const records: Uint8Array[] = [];
  for (let c = first; c <= last; c++) records.push(ok(card.transmit(apdu.readRecord(tx - c + 1))));
  return { exportCounter: readU32(e, 0), first, last, amount: readU32(e, 12), recordsDigest: e.slice(16, 48), signature: e.slice(48), records };
}

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof LedgerBackendError) return e.code;
    throw e;
  }
  return undefined;
};

describe('settlement server', () => {
  it('imports idempotently and totals per user and per editor; settles each editor once', () => {
    const card = makeCard({ mode: 'postpaid' });
    ok(card.transmit(apdu.debit(offer(card, 10, { editor: EDITOR_A }))));
    ok(card.transmit(apdu.debit(offer(card, 20, { editor: EDITOR_B }))));
    const server = newServer();
    const e1 = exportOf(card);
    expect(server.importExport(certOf(card), e1)).toMatchObject({ added: 2, duplicates: 0 });
    expect(server.importExport(certOf(card), e1)).toMatchObject({ added: 0, duplicates: 2 });
    ok(card.transmit(apdu.debit(offer(card, 5, { editor: EDITOR_A }))));
    const e2 = exportOf(card); // ACK of e1 was lost: e2 overlaps it
    const res = server.importExport(certOf(card), e2);
    expect(res).toMatchObject({ added: 1, duplicates: 2 });
    ok(card.transmit(apdu.ack(res.ack.exportCounter, res.ack.last, res.ack.signature)));
    expect(info(card)).toMatchObject({ value: 0, settled: 3 });
    expect(server.perUser.get('0102030405060708')).toBe(35);
    expect(server.perEditor.get(bytesToHex(EDITOR_A))?.get(978)).toBe(15);
    expect(server.perEditor.get(bytesToHex(EDITOR_B))?.get(978)).toBe(20);
    expect(server.settle()).toEqual([
      { editorId: bytesToHex(EDITOR_A), currency: 978, amount: 15, records: 2 },
      { editorId: bytesToHex(EDITOR_B), currency: 978, amount: 20, records: 1 },
    ]);
    expect(server.settle()).toEqual([]);
    expect(server.importExport(certOf(card), e2).added).toBe(0);
    expect(server.settle()).toEqual([]);
  });

  it('refuses: uncertified card, forged export signature, altered record, wrong amount, missing record', () => {
    const card = makeCard();
    ok(card.transmit(apdu.debit(offer(card, 10))));
    ok(card.transmit(apdu.debit(offer(card, 11))));
    const server = newServer();
    const e = exportOf(card);
    const cert = certOf(card);
    const other = new LedgerIssuer(SigningKey.fromSecret(new Uint8Array(32).fill(0x44)));
    expect(code(() => server.importExport({ ...cert, signature: other.certify(cert.cardId, cert.publicKey) }, e))).toBe('BAD_CERTIFICATE');
    const sig = e.signature.slice();
    sig[3]! ^= 1;
    expect(code(() => server.importExport(cert, { ...e, signature: sig }))).toBe('BAD_SIGNATURE');
    const altered = e.records.map((r) => r.slice());
    altered[0]![REC.price + 3]! ^= 1;
    expect(code(() => server.importExport(cert, { ...e, records: altered }))).toBe('BAD_EXPORT');
    expect(code(() => server.importExport(cert, { ...e, records: e.records.slice(1) }))).toBe('BAD_EXPORT');
    expect(server.recordCount).toBe(0);
  });
});

describe('software interface', () => {
  it('accepts the receipt of its last offer once; refuses an older offer, a replay, an uncertified key', () => {
    const card = makeCard();
    const cert = certOf(card);
    const challenge = (): Uint8Array => ok(card.transmit(apdu.challenge())).subarray(0, 16);
    const sw = new SoftwareInterface(EDITOR_A, EDITOR_ROOT, ISSUER.publicKey);
    const o1 = sw.offer('level 1', 30, 978, challenge(), 1_767_225_600);
    const r1 = ok(card.transmit(apdu.debit(o1)));
    const o2 = sw.offer('level 2', 40, 978, challenge(), 1_767_225_601);
    const receipt1 = { record: r1.subarray(0, 82), signature: r1.subarray(82) };
    expect(code(() => sw.acceptReceipt(receipt1, cert))).toBe('OTHER_OFFER');
    const r2 = ok(card.transmit(apdu.debit(o2)));
    const receipt2 = { record: r2.subarray(0, 82), signature: r2.subarray(82) };
    const forged = { ...receipt2, signature: receipt2.signature.slice().fill(1, 0, 4) };
    expect(code(() => sw.acceptReceipt(forged, cert))).toBe('BAD_SIGNATURE');
    const fakeCert = { ...cert, publicKey: SigningKey.fromSecret(new Uint8Array(32).fill(9)).publicKey };
    expect(code(() => sw.acceptReceipt(receipt2, fakeCert))).toBe('BAD_CERTIFICATE');
    expect(sw.acceptReceipt(receipt2, cert)).toMatchObject({ price: 40, counter: 2, editorId: bytesToHex(EDITOR_A) });
    expect(code(() => sw.acceptReceipt(receipt2, cert))).toBe('NO_OFFER');
  });

  it('signs each offer for the card challenge it answers; a challenge of the wrong size is refused before signing', () => {
    const sw = new SoftwareInterface(EDITOR_A, EDITOR_ROOT, ISSUER.publicKey);
    const a = sw.offer('level 1', 30, 978, new Uint8Array(16).fill(1), 5);
    const b = sw.offer('level 1', 30, 978, new Uint8Array(16).fill(2), 5);
    expect(a.editorSignature).not.toEqual(b.editorSignature);
    expect(() => sw.offer('level 1', 30, 978, new Uint8Array(8), 5)).toThrow(/"challenge" expected 16 bytes/);
  });
});
