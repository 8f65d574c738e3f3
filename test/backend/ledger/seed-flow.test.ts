/**
 * The France Telecom seed end to end through the Transport interface (EmulatorTransport over a
 * Card): the software interface offers a use (editor-signed, fresh random, date-time) → the user
 * consents with the payment code → the card debits and returns its receipt → the software
 * interface verifies it against its offer and the card certificate → more uses for two editors →
 * the reload is refused until the log reaches the server → export → the server imports, totals
 * and acknowledges → settlement per editor → reload authorised by the issuer.
 * Guards: any step of the seed's message chain breaking across a real transport (APDU framing,
 * GET RESPONSE, status words), and the ordering rule "records to the server before any reload".
 */
import { describe, expect, it } from 'vitest';
import { Card, SeededRng, VirtualClock, bytesToHex } from '../../../card/runtime/index.js';
import { LedgerApplet } from '../../../card/applets/ledger/index.js';
import { EmulatorTransport } from '../../../host/transport/index.js';
import { LedgerCard, LedgerCardError, SettlementServer, SoftwareInterface } from '../../../host/backend/ledger/index.js';
import { CARD_ID, CODE, EDITOR_A, EDITOR_B, EDITOR_ROOT, ISSUER, SERVER_KEY } from '../../applets/ledger/fixture.js';
import { SW } from '../../../apdu-specs/status-words.js';
import { LEDGER_AID } from '../../../card/protocol/index.js';

describe('seed flow (WO 00/63859) through EmulatorTransport', () => {
  it('offer → consent → debit → receipt verified → export → settlement per editor → reload', async () => {
    const card = new Card({ rng: new SeededRng('seed-flow'), clock: new VirtualClock() });
    card.install(LedgerApplet, {
      aid: LEDGER_AID, params: { mode: 'prepaid', logSize: 16, ticketSlots: 2 },
      personalization: { cardId: CARD_ID, currency: 978, limit: 5_000, initialBalance: 1_000, editorRootKey: EDITOR_ROOT.publicKey, issuerKey: ISSUER.publicKey, serverKey: SERVER_KEY.publicKey, consent: { mode: 'always', code: CODE } },
    });
    const transport = new EmulatorTransport(card);
    await transport.connect();
    const w = new LedgerCard(transport); // the payment module
    await w.select();

    // Issuance: the issuer certifies the key the card generated.
    const pub = await w.publicKey();
    await w.putCertificate(ISSUER.certify(CARD_ID, pub));
    const cert = await w.certificate();

    const server = new SettlementServer(ISSUER.publicKey, SERVER_KEY);
    const game = new SoftwareInterface(EDITOR_A, EDITOR_ROOT, ISSUER.publicKey);
    const cad = new SoftwareInterface(EDITOR_B, EDITOR_ROOT, ISSUER.publicKey);

    const use = async (il: SoftwareInterface, what: string, price: number): Promise<void> => {
      const { challenge } = await w.challenge(); // the card's one-use random for this offer
      const offer = il.offer(what, price, 978, challenge); // message 1
      await w.verifyCode(CODE); // consent (1b)
      const receipt = await w.debit(offer); // messages 2-3, on the card
      expect(il.acceptReceipt(receipt, cert).price).toBe(price); // the use is granted
    };
    await use(game, 'level 1', 120);
    await use(game, 'level 2', 80);
    await use(cad, 'render 4k', 300);

    // Without consent the card refuses.
    await expect(w.debit(game.offer('level 3', 80, 978, (await w.challenge()).challenge))).rejects.toMatchObject({ sw: SW.SECURITY_STATUS_NOT_SATISFIED });
    expect((await w.info()).value).toBe(500);

    // Reload before the records reached the server: refused.
    const ch0 = await w.challenge();
    const early = w.load(1_000, ch0.nextLoadCounter, ISSUER.authorizeLoad(CARD_ID, ch0.challenge, 1_000, ch0.nextLoadCounter));
    await expect(early).rejects.toBeInstanceOf(LedgerCardError);
    await expect(early).rejects.toMatchObject({ sw: SW.LEDGER_LOG_NOT_EXPORTED });

    // Export → server import → acknowledgement.
    const exp = await w.exportLog();
    expect(exp.records).toHaveLength(3);
    const imported = server.importExport(cert, exp);
    expect(imported.added).toBe(3);
    await w.ackExport(imported.ack.exportCounter, imported.ack.last, imported.ack.signature);
    expect(await w.info()).toMatchObject({ txCounter: 3, settled: 3 });

    // Settlement per editor.
    expect(server.settle()).toEqual([
      { editorId: bytesToHex(EDITOR_A), currency: 978, amount: 200, records: 2 },
      { editorId: bytesToHex(EDITOR_B), currency: 978, amount: 300, records: 1 },
    ]);
    expect(server.perUser.get(bytesToHex(CARD_ID))).toBe(500);

    // Reload now succeeds.
    const ch = await w.challenge();
    const balance = await w.load(1_000, ch.nextLoadCounter, ISSUER.authorizeLoad(CARD_ID, ch.challenge, 1_000, ch.nextLoadCounter));
    ISSUER.booked(CARD_ID, 1_000);
    expect(balance).toBe(1_500);
    expect(await w.info()).toMatchObject({ value: 1_500, loadCounter: 1 });
    await transport.close();
  });
});
