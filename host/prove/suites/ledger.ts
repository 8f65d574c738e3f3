/**
 * The ledger suite (France Telecom seed): the card key is certified by the ledger issuer, a DEBIT
 * needs consent and a valid editor signature and changes nothing when refused; with
 * --destructive, a 1-unit debit whose receipt the software interface verifies, then export and
 * the server's settlement acknowledgement.
 */
import { SoftwareInterface, SettlementServer, LedgerCard, LedgerCardError } from '../../backend/ledger/index.js';
import { hexToBytes } from '../../../card/runtime/index.js';
import type { Suite } from '../types.js';

export const ledgerSuite: Suite = {
  name: 'ledger',
  description: 'certified card key, consent and editor signature required, refused debits change nothing; with --destructive: debit, receipt, export, settlement',
  needsProfile: true,
  checks: [{ name: 'debit 1 unit, receipt, export, settlement', destructive: true, effect: 'spends 1 unit of the purse (or adds 1 to the postpaid use)' }],
  async run(ctx) {
    const p = ctx.profile!;
    if (!p.ledger) return ctx.skip('ledger suite', 'the profile has no ledger section');
    if (!ctx.actors) return ctx.skip('ledger suite', 'needs --backend-keys (the ledger issuer and the editor root)');
    const a = ctx.actors;
    const w = new LedgerCard(ctx.transport);
    await w.select();
    const cert = await w.certificate();
    ctx.check('the card key is certified by the ledger issuer', 'valid', a.ledgerIssuer.checkCertificate(cert.cardId, cert.publicKey, cert.signature) ? 'valid' : 'invalid');
    ctx.check('card id', p.ledger.card_id.toLowerCase(), Buffer.from(cert.cardId).toString('hex'));
    const before = await w.info();
    const sw = async (f: () => Promise<unknown>): Promise<string> => {
      try {
        await f();
        return '9000';
      } catch (e) {
        return e instanceof LedgerCardError ? e.sw.toString(16) : (e as Error).message;
      }
    };
    const editor = new SoftwareInterface(hexToBytes('ed0000f0'), a.editorRoot, a.ledgerIssuer.publicKey);
    const offer = editor.offer('cardforge prove: 1 unit', 1, p.ledger.currency);
    if (p.ledger.consent && p.ledger.consent.mode === 'always') {
      ctx.check('DEBIT without consent is refused', '6982', await sw(() => w.debit(offer)));
    }
    const forged = { ...offer, editorSignature: offer.editorSignature.slice() };
    forged.editorSignature[5] = forged.editorSignature[5]! ^ 1;
    if (p.ledger.consent?.code) await w.verifyCode(new TextEncoder().encode(p.ledger.consent.code));
    const bad = await sw(() => w.debit(forged));
    ctx.check('DEBIT with a forged editor signature is refused', 'refused', bad === '9000' ? 'accepted' : 'refused', bad !== '9000', `SW ${bad}`);
    const after = await w.info();
    ctx.check('refused debits changed nothing (value, counter)', `${before.value}/${before.txCounter}`, `${after.value}/${after.txCounter}`);
    if (!ctx.allowed('debit 1 unit, receipt, export, settlement')) return;
    if (p.ledger.consent?.code) await w.verifyCode(new TextEncoder().encode(p.ledger.consent.code));
    const receipt = await w.debit(offer);
    let price = -1;
    try {
      price = editor.acceptReceipt(receipt, cert).price;
    } catch (e) {
      ctx.check('receipt verified by the software interface', 'valid', (e as Error).message, false);
    }
    if (price >= 0) ctx.check('receipt verified by the software interface', '1', String(price));
    const server = new SettlementServer(a.ledgerIssuer.publicKey, a.ledgerServerKey);
    const exp = await w.exportLog();
    const imported = server.importExport(cert, exp);
    ctx.check('the server imports the exported log', '≥ 1 record', `${imported.added} record(s)`, imported.added >= 1);
    ctx.check('settlement acknowledgement accepted by the card', '9000', await sw(() => w.ackExport(imported.ack.exportCounter, imported.ack.last, imported.ack.signature)));
  },
};
