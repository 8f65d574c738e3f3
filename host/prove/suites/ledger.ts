/**
 * The ledger suite (France Telecom seed): the card key is certified by the ledger issuer; a DEBIT
 * needs consent, a valid editor signature and the card's outstanding challenge, and changes
 * nothing when refused; an editor certificate not signed by the issuer is refused. With
 * --destructive: an editor key certified by the issuer is registered (REGISTER EDITOR), a 1-unit
 * debit signed with it whose receipt the software interface verifies, the same DEBIT sent again is
 * refused (pay per use: once), then export and the server's settlement acknowledgement.
 */
import { LedgerIssuer, OfferSigner, SoftwareInterface, SettlementServer, SigningKey, LedgerCard, LedgerCardError } from '../../backend/ledger/index.js';
import { hexToBytes } from '../../../card/runtime/index.js';
import { sha256 } from '../../../card/algorithms/index.js';
import type { Suite } from '../types.js';

const REGISTER = 'register an issuer-certified editor key (REGISTER EDITOR)';
const DEBIT = 'debit 1 unit, receipt, replay refused, export, settlement';
/** The editor the suite registers (its own key), apart from the root-signed editor of the other checks. */
const PROVE_EDITOR = hexToBytes('ed0000f1');

/** The prove editor's key: fixed per editor root (derived from its secret), so a re-run re-registers the same key. */
function proveEditorKey(root: OfferSigner): OfferSigner {
  const seed = new Uint8Array([...new TextEncoder().encode('cardforge prove: editor ed0000f1 offer key'), ...root.key.secretCopy()]);
  return new OfferSigner(SigningKey.fromSecret(sha256(seed)));
}

export const ledgerSuite: Suite = {
  name: 'ledger',
  description: 'certified card key, consent, editor signature and the card challenge required, refused debits and a forged editor certificate change nothing; with --destructive: editor registration, debit, receipt, replay refused, export, settlement',
  needsProfile: true,
  checks: [
    { name: REGISTER, destructive: true, effect: 'stores an editor key (ed0000f1) in the card\'s bounded editor table' },
    { name: DEBIT, destructive: true, effect: 'spends 1 unit of the purse (or adds 1 to the postpaid use)' },
  ],
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
    const fresh = async (signer: SoftwareInterface = editor): Promise<ReturnType<SoftwareInterface['offer']>> =>
      signer.offer('cardforge prove: 1 unit', 1, p.ledger!.currency, (await w.challenge()).challenge);
    const code = p.ledger.consent?.code;
    const consent = async (): Promise<void> => {
      if (code) await w.verifyCode(new TextEncoder().encode(code));
    };
    if (p.ledger.consent && p.ledger.consent.mode === 'always') {
      ctx.check('DEBIT without consent is refused', '6982', await sw(async () => w.debit(await fresh())));
    }
    const forgedOffer = await fresh();
    const forged = { ...forgedOffer, editorSignature: forgedOffer.editorSignature.slice() };
    forged.editorSignature[5] = forged.editorSignature[5]! ^ 1;
    await consent();
    const bad = await sw(() => w.debit(forged));
    ctx.check('DEBIT with a forged editor signature is refused', 'refused', bad === '9000' ? 'accepted' : 'refused', bad !== '9000', `SW ${bad}`);
    // An offer signed for one card challenge, sent after the card issued another: the binding.
    const stale = await fresh();
    await w.challenge();
    await consent();
    ctx.check('DEBIT answering an earlier card challenge is refused', '6912', await sw(() => w.debit(stale)));
    // An editor certificate from another issuer: refused, and that key does not sign for the editor.
    const prove = proveEditorKey(a.editorRoot);
    const outsider = new LedgerIssuer(SigningKey.generate()).certifyEditor(PROVE_EDITOR, SigningKey.generate().publicKey, { keyVersion: 0xffffffff });
    ctx.check('REGISTER EDITOR with a certificate not signed by the issuer is refused', '6916', await sw(() => w.registerEditor(outsider)));
    const after = await w.info();
    ctx.check('refused debits changed nothing (value, counter)', `${before.value}/${before.txCounter}`, `${after.value}/${after.txCounter}`);
    const registered = ctx.allowed(REGISTER);
    if (registered) {
      // The key version is the issuing time (seconds): each run's certificate is newer than the last.
      const cert = a.ledgerIssuer.certifyEditor(PROVE_EDITOR, prove.publicKey, { editorName: 'cardforge prove editor', keyVersion: Math.floor(Date.now() / 1000) });
      ctx.check('REGISTER EDITOR with the issuer-certified editor key', '9000', await sw(() => w.registerEditor(cert)));
      const own = new SoftwareInterface(PROVE_EDITOR, a.editorRoot, a.ledgerIssuer.publicKey);
      await consent();
      ctx.check('after registration the editor root no longer signs for that editor', '6916', await sw(async () => w.debit(await fresh(own))));
    }
    if (!ctx.allowed(DEBIT)) return;
    // With the registered editor key when that check ran, else the editor root.
    const payee = registered ? new SoftwareInterface(PROVE_EDITOR, prove, a.ledgerIssuer.publicKey) : editor;
    const offer = await fresh(payee);
    await consent();
    const receipt = await w.debit(offer);
    let price = -1;
    try {
      price = payee.acceptReceipt(receipt, cert).price;
    } catch (e) {
      ctx.check('receipt verified by the software interface', 'valid', (e as Error).message, false);
    }
    if (price >= 0) ctx.check(`receipt verified by the software interface${registered ? ' (offer signed with the registered editor key)' : ''}`, '1', String(price));
    const paid = await w.info();
    await consent();
    ctx.check('the same DEBIT sent again is refused (its challenge was used)', '6985', await sw(() => w.debit(offer)));
    const again = await w.info();
    ctx.check('the refused replay changed nothing (value, counter)', `${paid.value}/${paid.txCounter}`, `${again.value}/${again.txCounter}`);
    const server = new SettlementServer(a.ledgerIssuer.publicKey, a.ledgerServerKey);
    const exp = await w.exportLog();
    const imported = server.importExport(cert, exp);
    ctx.check('the server imports the exported log', '≥ 1 record', `${imported.added} record(s)`, imported.added >= 1);
    ctx.check('settlement acknowledgement accepted by the card', '9000', await sw(() => w.ackExport(imported.ack.exportCounter, imported.ack.last, imported.ack.signature)));
  },
};
