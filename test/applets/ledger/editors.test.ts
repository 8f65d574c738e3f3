/**
 * Per-editor keys (seed 004, issue 18): the issuer certifies each editor's offer-signing key (X.509
 * for the world, a compact issuer signature for the card); LEDGER_REGISTER_EDITOR checks it once
 * with the card's issuer key and caches the key in a bounded persistent table; DEBIT then verifies
 * that editor's offers with its own key — another editor's key, or the root, no longer speaks for
 * it. No rollback: each registration carries the issuer's key version, which must go up for a
 * known editor. Settlement totals per editor AND per currency.
 */
import { describe, expect, it } from 'vitest';
import { SW } from '../../../apdu-specs/status-words.js';
import { bytesToHex } from '../../../card/runtime/index.js';
import { OfferSigner, SettlementServer, SigningKey, LedgerIssuer, type ExportResult } from '../../../host/backend/ledger/index.js';
import { verifyEditorCertificate } from '../../../host/backend/payment/issuer.js';
import { EDITOR_ENTRY, EDITOR_SLOTS, EXPORT, REC } from '../../../card/protocol/index.js';
import { LedgerApplet } from '../../../card/applets/ledger/index.js';
import { CARD_ID, EDITOR_A, EDITOR_B, EDITOR_ROOT, ISSUER, SERVER_KEY, apdu, info, makeCard, offer, ok, sw } from './fixture.js';

const secret = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const SIGNER_A = new OfferSigner(SigningKey.fromSecret(secret(0x41)));
const SIGNER_B = new OfferSigner(SigningKey.fromSecret(secret(0x42)));

function register(card: ReturnType<typeof makeCard>, id: Uint8Array, signer: OfferSigner, by: LedgerIssuer = ISSUER): number {
  const c = by.certifyEditor(id, signer.publicKey);
  return sw(card.transmit(apdu.registerEditor(c)));
}

/** Send, return the SW, and check persistent memory did not change. */
function unchanged(card: ReturnType<typeof makeCard>, cmd: Uint8Array): number {
  const before = card.memory.generation;
  const snap = new Map([...card.memory.cells].map(([k, v]) => [k, v.slice()]));
  const r = sw(card.transmit(cmd));
  for (const [k, v] of card.memory.cells) expect(v, k).toEqual(snap.get(k));
  expect(card.memory.generation).toBe(before);
  return r;
}

describe('LEDGER_REGISTER_EDITOR (seed 004: per-editor keys)', () => {
  it("the issuer's X.509 editor certificate and its compact form carry the same editor and key", () => {
    const c = ISSUER.certifyEditor(EDITOR_A, SIGNER_A.publicKey, { editorName: 'editor A' });
    const x = verifyEditorCertificate(c.x509, ISSUER.publicKey);
    expect(bytesToHex(x.editorId)).toBe(bytesToHex(EDITOR_A));
    expect(x.publicKey).toEqual(SIGNER_A.publicKey);
    expect(x.name).toBe('editor A');
  });

  it("after registration DEBIT verifies the editor's offers with its own key; neither the root nor another editor's key speaks for it", () => {
    const card = makeCard();
    // Before: editor A's own key is unknown to the card.
    expect(sw(card.transmit(apdu.debit(offer(card, 10, { signer: SIGNER_A }))))).toBe(SW.LEDGER_BAD_SIGNATURE);
    expect(register(card, EDITOR_A, SIGNER_A)).toBe(0x9000);
    ok(card.transmit(apdu.debit(offer(card, 10, { signer: SIGNER_A }))));
    expect(sw(card.transmit(apdu.debit(offer(card, 10, { signer: EDITOR_ROOT }))))).toBe(SW.LEDGER_BAD_SIGNATURE);
    expect(sw(card.transmit(apdu.debit(offer(card, 10, { signer: SIGNER_B }))))).toBe(SW.LEDGER_BAD_SIGNATURE);
    // Editor B, not registered, stays under the root; B's key cannot sign for A nor A's for B.
    ok(card.transmit(apdu.debit(offer(card, 10, { editor: EDITOR_B }))));
    expect(register(card, EDITOR_B, SIGNER_B)).toBe(0x9000);
    expect(sw(card.transmit(apdu.debit(offer(card, 10, { editor: EDITOR_B, signer: SIGNER_A }))))).toBe(SW.LEDGER_BAD_SIGNATURE);
    ok(card.transmit(apdu.debit(offer(card, 10, { editor: EDITOR_B, signer: SIGNER_B }))));
    expect(info(card).value).toBe(970);
  });

  it('the cache survives a power cycle; the same certificate again changes nothing; a newer key replaces the old', () => {
    const card = makeCard();
    const c = ISSUER.certifyEditor(EDITOR_A, SIGNER_A.publicKey);
    expect(sw(card.transmit(apdu.registerEditor(c)))).toBe(0x9000);
    ok(card.transmit(apdu.debit(offer(card, 10, { signer: SIGNER_A }))));
    card.powerOff();
    card.powerOn();
    ok(card.transmit(apdu.debit(offer(card, 10, { signer: SIGNER_A }))));
    expect(unchanged(card, apdu.registerEditor(c)), 'a retry of the same registration').toBe(0x9000);
    expect(register(card, EDITOR_A, SIGNER_B)).toBe(0x9000);
    expect(sw(card.transmit(apdu.debit(offer(card, 10, { signer: SIGNER_A }))))).toBe(SW.LEDGER_BAD_SIGNATURE);
    ok(card.transmit(apdu.debit(offer(card, 10, { signer: SIGNER_B }))));
  });

  it('refuses a certificate not from the issuer, a bad length, and a full table (bounded: EDITOR_SLOTS)', () => {
    const card = makeCard();
    const other = new LedgerIssuer(SigningKey.fromSecret(secret(0x55)));
    expect(register(card, EDITOR_A, SIGNER_A, other)).toBe(SW.LEDGER_BAD_SIGNATURE);
    const c = ISSUER.certifyEditor(EDITOR_A, SIGNER_A.publicKey);
    const forged = c.signature.slice();
    forged[5]! ^= 1;
    expect(unchanged(card, apdu.registerEditor({ ...c, signature: forged }))).toBe(SW.LEDGER_BAD_SIGNATURE);
    expect(unchanged(card, apdu.registerEditor({ ...c, keyVersion: c.keyVersion + 1 })), 'the version is signed').toBe(SW.LEDGER_BAD_SIGNATURE);
    expect(unchanged(card, apdu.registerEditor({ ...c, publicKey: c.publicKey.subarray(1) }))).toBe(SW.WRONG_LENGTH);
    for (let i = 0; i < EDITOR_SLOTS; i++) expect(register(card, Uint8Array.of(0xe0, 0, 0, i), SIGNER_A)).toBe(0x9000);
    expect(register(card, Uint8Array.of(0xe1, 0, 0, 0), SIGNER_A)).toBe(SW.NOT_ENOUGH_MEMORY);
    expect(register(card, Uint8Array.of(0xe0, 0, 0, 3), SIGNER_B), 'an editor already held is still re-keyed').toBe(0x9000);
  });

  it('no rollback: a certificate of a lower or equal key version for a known editor is refused (6912), nothing changed, the newer key stays', () => {
    const card = makeCard();
    const issuer = new LedgerIssuer(ISSUER.key);
    const v1 = issuer.certifyEditor(EDITOR_A, SIGNER_A.publicKey);
    const v2 = issuer.certifyEditor(EDITOR_A, SIGNER_B.publicKey);
    expect([v1.keyVersion, v2.keyVersion]).toEqual([1, 2]);
    ok(card.transmit(apdu.registerEditor(v1)));
    ok(card.transmit(apdu.registerEditor(v2)));
    ok(card.transmit(apdu.debit(offer(card, 10, { signer: SIGNER_B }))));
    // The older certificate (say, of a key since compromised) cannot come back...
    expect(unchanged(card, apdu.registerEditor(v1))).toBe(SW.LEDGER_REPLAYED);
    // ...nor another key under the version already held, nor any lower version.
    expect(unchanged(card, apdu.registerEditor(issuer.certifyEditor(EDITOR_A, SIGNER_A.publicKey, { keyVersion: 2 })))).toBe(SW.LEDGER_REPLAYED);
    expect(unchanged(card, apdu.registerEditor(issuer.certifyEditor(EDITOR_A, SIGNER_A.publicKey, { keyVersion: 0 })))).toBe(SW.LEDGER_REPLAYED);
    expect(sw(card.transmit(apdu.debit(offer(card, 10, { signer: SIGNER_A }))))).toBe(SW.LEDGER_BAD_SIGNATURE);
    ok(card.transmit(apdu.debit(offer(card, 10, { signer: SIGNER_B }))));
    // Also after a power cycle; a higher version still re-keys.
    card.powerOff();
    card.powerOn();
    expect(unchanged(card, apdu.registerEditor(v1))).toBe(SW.LEDGER_REPLAYED);
    ok(card.transmit(apdu.registerEditor(issuer.certifyEditor(EDITOR_A, SIGNER_A.publicKey))));
    ok(card.transmit(apdu.debit(offer(card, 10, { signer: SIGNER_A }))));
  });
});

function exportOf(card: ReturnType<typeof makeCard>): ExportResult {
  const d = ok(card.transmit(apdu.exportLog()));
  const first = (d[4]! << 24) | (d[5]! << 16) | (d[6]! << 8) | d[7]!;
  const last = (d[8]! << 24) | (d[9]! << 16) | (d[10]! << 8) | d[11]!;
  const tx = info(card).tx;
  const records: Uint8Array[] = [];
  for (let c = first; c <= last; c++) records.push(ok(card.transmit(apdu.readRecord(tx - c + 1))).subarray(0, REC.length));
  return {
    exportCounter: (d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!, first, last, amount: (d[12]! << 24) | (d[13]! << 16) | (d[14]! << 8) | d[15]!,
    recordsDigest: d.slice(EXPORT.digest, EXPORT.signature), signature: d.slice(EXPORT.signature), records,
  };
}

function certOf(card: ReturnType<typeof makeCard>): { cardId: Uint8Array; publicKey: Uint8Array; signature: Uint8Array } {
  const d = ok(card.transmit(apdu.cert()));
  return { cardId: d.slice(0, 8), publicKey: d.slice(8, 73), signature: d.slice(73) };
}

describe('settlement per editor and per currency (issue 18)', () => {
  it('never adds prices across currencies: one statement per (editor, currency)', () => {
    const eur = makeCard({ mode: 'postpaid' });
    const usd = makeCard({ mode: 'postpaid', currency: 840, cardId: Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9), seed: 'usd' });
    ok(eur.transmit(apdu.debit(offer(eur, 100, { editor: EDITOR_A }))));
    ok(eur.transmit(apdu.debit(offer(eur, 50, { editor: EDITOR_A }))));
    ok(usd.transmit(apdu.debit(offer(usd, 7, { editor: EDITOR_A, currency: 840 }))));
    ok(usd.transmit(apdu.debit(offer(usd, 3, { editor: EDITOR_B, currency: 840 }))));
    const server = new SettlementServer(ISSUER.publicKey, SERVER_KEY);
    server.importExport(certOf(eur), exportOf(eur));
    server.importExport(certOf(usd), exportOf(usd));
    const a = bytesToHex(EDITOR_A);
    expect([...server.perEditor.get(a)!]).toEqual([[978, 150], [840, 7]]);
    expect(server.settle()).toEqual([
      { editorId: a, currency: 840, amount: 7, records: 1 },
      { editorId: a, currency: 978, amount: 150, records: 2 },
      { editorId: bytesToHex(EDITOR_B), currency: 840, amount: 3, records: 1 },
    ]);
    expect(server.paid.get(a)?.get(978)).toBe(150);
    expect(bytesToHex(CARD_ID)).toBe('0102030405060708');
  });
});

describe('layout 3 migration of the editor table (issue 18)', () => {
  it('a layout-2 entry (id ‖ key) becomes id ‖ version 0 ‖ key; the host-random window is dropped', () => {
    const old = new Uint8Array(EDITOR_SLOTS * 69);
    old.set(EDITOR_A, 69);
    old.set(SIGNER_A.publicKey, 69 + 4);
    const fields = { editors: old, editorCount: Uint8Array.of(2), randoms: new Uint8Array(64), randomNext: new Uint8Array(1), value: Uint8Array.of(0, 0, 0, 7) };
    const now = LedgerApplet.migrateLayout(2, fields);
    expect(Object.keys(now).sort()).toEqual(['editorCount', 'editors', 'value']);
    expect(now.editors!.length).toBe(EDITOR_SLOTS * EDITOR_ENTRY.length);
    const e = now.editors!.subarray(EDITOR_ENTRY.length, 2 * EDITOR_ENTRY.length);
    expect(e.subarray(0, 4)).toEqual(EDITOR_A);
    expect(e.subarray(EDITOR_ENTRY.keyVersion, EDITOR_ENTRY.publicKey)).toEqual(new Uint8Array(4));
    expect(e.subarray(EDITOR_ENTRY.publicKey)).toEqual(SIGNER_A.publicKey);
    expect(now.editors!.subarray(0, EDITOR_ENTRY.length)).toEqual(new Uint8Array(EDITOR_ENTRY.length));
    expect(() => LedgerApplet.migrateLayout(3, fields)).toThrow(/layout 3: no migration/);
  });
});
