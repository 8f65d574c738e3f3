/**
 * The e-wallet suite (SFR JP 2000-69571, seed 000; issue 18), against any card with the
 * `cardforge.wallet` applet (emulator or reader): the purse pays up to the threshold, the payment
 * card above it, and only for the wallet's own subscriber once the network identified it.
 * - PAY in a fresh session (no identification) is refused (6982) and changes nothing;
 * - identification through the SIM with an AuC-issued RAND (sim.ts identifySubscriber: RUN GSM
 *   ALGORITHM, or AUTHENTICATE in GSM context on a UICC-only card), SRES checked by the AuC;
 * - PAY above the threshold answers WALLET_USE_PAYMENT_CARD (6920) and changes nothing; then
 *   (destructive) the payment card path: payment code, SIGN TRANSACTION for that amount, accepted by
 *   the payment server, which asks the AuC to confirm the identification;
 * - (destructive) PAY below the threshold from the purse: the receipt verifies with the wallet's
 *   key, covers the host challenge and the subscriber's IMSI hash, the balance moves by the amount;
 *   the same PAY again is refused (WALLET_REPLAYED);
 * - LOAD: a forged issuer signature is refused (6924); (destructive) a LOAD the wallet issuer
 *   signed credits the purse once, the same LOAD replayed on a fresh challenge is refused
 *   (WALLET_REPLAYED) and without a challenge 6985, the balance unchanged.
 * A card without the applet (SELECT 6A82) or a profile without a wallet section skips with why.
 */
import { ISO7816, SW, WALLET_AID } from '../../../apdu-specs/index.js';
import { sha256 } from '../../../card/algorithms/index.js';
import { bytesToHex, hexToBytes } from '../../../card/runtime/index.js';
import { imsiHash } from '../../../card/protocol/index.js';
import { SigningKey } from '../../backend/ledger/index.js';
import { PaymentServer } from '../../backend/payment/index.js';
import { PaymentCardClient } from '../../backend/payment/card-client.js';
import { checkWalletReceipt, WalletCard, WalletCardError, WalletIssuer, type PayRequest } from '../../backend/wallet/index.js';
import type { Suite } from '../types.js';
import { aucFor, identifySubscriber } from './sim.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const MERCHANT = enc('prove-wl');
const swHex = (sw: number): string => sw.toString(16).padStart(4, '0');

/** The SW of a WalletCard call: '9000' when it answered, else the card's SW (other errors rethrown). */
async function swOf(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
    return '9000';
  } catch (e) {
    if (e instanceof WalletCardError) return swHex(e.sw);
    throw e;
  }
}

const PAY_PURSE = 'PAY below the threshold from the purse, receipt, replay';
const PAY_CARD = 'PAY above the threshold by the payment card: SIGN TRANSACTION, payment server';
const LOAD = 'LOAD signed by the wallet issuer, then the same LOAD replayed';

export const walletSuite: Suite = {
  name: 'wallet',
  description: 'e-wallet: PAY refused without identification; identified through the SIM (AuC RAND); above the threshold 6920 then the payment card signs; with --destructive a purse payment (receipt) and a LOAD whose replay is refused',
  needsProfile: true,
  checks: [
    { name: PAY_PURSE, destructive: true, effect: 'spends 1 minor unit of the purse' },
    { name: PAY_CARD, destructive: true, effect: 'signs a purchase above the threshold with the payment card' },
    { name: LOAD, destructive: true, effect: 'credits 1 minor unit to the purse (moves the load counter)' },
  ],
  async run(ctx) {
    const p = ctx.profile!;
    if (!p.wallet) return ctx.skip('wallet suite', 'the profile has no wallet section');
    const w = new WalletCard(ctx.transport);
    // A fresh session: no identification from an earlier suite.
    await ctx.transport.reset();
    const sel = await ctx.command(ISO7816.SELECT, { p1: 0x04, p2: 0x00, data: hexToBytes(WALLET_AID) });
    if (sel.sw === SW.FILE_NOT_FOUND) return ctx.skip('wallet suite', `the card has no e-wallet applet (SELECT ${WALLET_AID.toUpperCase()} answered 6a82)`);
    ctx.require('SELECT the e-wallet', '9000', sel.swHex, [
      'wallet id and threshold are the profile\'s', 'PAY without identification in this session is refused', 'the refused PAY changed nothing (balance, counter)',
      PAY_CARD, PAY_PURSE, 'LOAD with a signature not from the wallet issuer is refused', LOAD,
    ]);
    const info = await w.info();
    ctx.check('wallet id and threshold are the profile\'s', `${p.wallet.wallet_id.toLowerCase()} ≤${p.wallet.threshold}`, `${bytesToHex(info.walletId)} ≤${info.threshold}`);
    const walletKey = await w.publicKey();
    const mine = imsiHash(p.imsi);
    // A fresh host challenge per PAY: the card refuses the one of its last payment (replay).
    const order = (amount: number): PayRequest => ({ amount, currency: p.wallet!.currency, merchantId: MERCHANT, hostChallenge: globalThis.crypto.getRandomValues(new Uint8Array(16)) });
    const balance = async (): Promise<number> => (await w.info()).balance;

    ctx.check('PAY without identification in this session is refused', '6982', await swOf(() => w.pay(order(1))));
    ctx.check('the refused PAY changed nothing (balance, counter)', `${info.balance}/${info.txCounter}`, await w.info().then((i) => `${i.balance}/${i.txCounter}`));

    // Identification in a new session: after a reset the card's default (the SIM/USIM) answers, as
    // a handset finds it at power-up; the wallet is selected again after it.
    await ctx.transport.reset();
    const auc = aucFor(p);
    const id = await identifySubscriber(ctx, auc);
    if (id === undefined) return;
    await w.select();

    // Above the threshold the card decides: pay by card, nothing changed.
    const above = info.threshold + 1;
    const before = await balance();
    if (above > 0xffffffff) ctx.skip('PAY above the threshold → use the payment card', 'the threshold is the largest amount PAY can carry: the purse pays everything');
    else {
      ctx.check(`PAY ${above} (above the threshold ${info.threshold}) → use the payment card`, swHex(SW.WALLET_USE_PAYMENT_CARD), await swOf(() => w.pay(order(above))));
      ctx.check('the purse is unchanged by the refused PAY', String(before), String(await balance()));
    }
    if (above > 0xffffffff) ctx.skip(PAY_CARD, 'no amount above the threshold');
    else if (!p.payment) ctx.skip(PAY_CARD, 'the profile has no payment section (the credit path)');
    else if (!ctx.actors) ctx.skip(PAY_CARD, 'needs --backend-keys (the issuer CA that certified the payment card)');
    else if (ctx.allowed(PAY_CARD)) {
      const client = new PaymentCardClient(ctx.transport);
      await client.select();
      const certificate = await client.certificate();
      const server = new PaymentServer({ issuerPublicKey: ctx.actors.paymentIssuer.publicKey, requireIdentification: p.payment.require_identification, identification: auc });
      const purchase = { merchantId: MERCHANT, amount: above, currency: p.wallet.currency, dateTime: new Date(), orderHash: sha256(enc('cardforge prove: wallet above the threshold')) };
      const req = server.begin(purchase);
      const code = await client.verifyCode(enc(p.payment.payment_code));
      const signed = await client.sign({ ...purchase, challenge: req.challenge });
      ctx.check('the payment card signs the amount above the threshold (VERIFY, SIGN TRANSACTION)', '9000 9000', `${swHex(code.sw)} ${swHex(signed.sw)}`);
      let got = 'accepted';
      try {
        // The card signs the identification of this session whether or not the server requires it.
        server.verify({ certificate, challenge: req.challenge, response: signed.data, identification: id.code, identity: { imsiHash: mine, rand: id.rand } });
      } catch (e) {
        got = `${(e as { code?: string }).code ?? 'error'}: ${(e as Error).message}`;
      }
      ctx.check('the payment server accepts it (identification confirmed by the AuC)', 'accepted', got);
      await w.select();
    }

    if (info.threshold === 0) ctx.skip(PAY_PURSE, 'threshold 0: the purse pays nothing, every amount goes to the payment card');
    else if ((await balance()) === 0) ctx.skip(PAY_PURSE, 'the purse is empty (balance 0)');
    else if (ctx.allowed(PAY_PURSE)) {
      const amount = 1;
      const o = order(amount);
      const start = await balance();
      let receipt;
      try {
        receipt = await w.pay(o);
      } catch (e) {
        ctx.check(`PAY ${amount} from the purse`, '9000', e instanceof WalletCardError ? swHex(e.sw) : (e as Error).message);
      }
      if (receipt) {
        ctx.check('the receipt verifies with the wallet key and names the challenge and the subscriber (IMSI hash)', 'valid', checkWalletReceipt(walletKey, receipt, { hostChallenge: o.hostChallenge, imsiHash: mine }) ? 'valid' : 'invalid');
        ctx.check(`the purse paid ${amount}`, String(start - amount), String(await balance()));
        ctx.check('the same PAY again (same host challenge) is refused', swHex(SW.WALLET_REPLAYED), await swOf(() => w.pay(o)));
        ctx.check('the replay changed nothing', String(start - amount), String(await balance()));
      }
    }

    // LOAD: the issuer signs (wallet id, card challenge, amount, next load counter).
    const issuer = ctx.actors?.walletIssuer;
    const forger = new WalletIssuer(SigningKey.fromSecret(sha256(enc('cardforge prove: not the wallet issuer'))));
    let c = await w.challenge();
    const forged = forger.authorizeLoad(info.walletId, c.challenge, 1, c.nextLoadCounter);
    ctx.check('LOAD with a signature not from the wallet issuer is refused', swHex(SW.WALLET_BAD_SIGNATURE), await swOf(() => w.load(1, c.nextLoadCounter, forged)));
    if (!issuer) return ctx.skip(LOAD, 'needs --backend-keys with the wallet issuer (a keys file written before the e-wallet has none)');
    // A profile that pins the wallet issuer key must name the back end's (else it came from --backend-keys).
    if (p.wallet.issuer_key !== undefined) ctx.require('the profile\'s wallet issuer key is the back-end\'s', bytesToHex(issuer.publicKey), p.wallet.issuer_key.toLowerCase(), [LOAD]);
    const start = await balance();
    if (start >= info.maxBalance) return ctx.skip(LOAD, `the purse is at its maximum balance (${info.maxBalance}): a LOAD would be refused (6923)`);
    if (!ctx.allowed(LOAD)) return;
    c = await w.challenge();
    const sig = issuer.authorizeLoad(info.walletId, c.challenge, 1, c.nextLoadCounter);
    ctx.check('LOAD 1 signed by the wallet issuer', `9000 balance ${start + 1}`, await w.load(1, c.nextLoadCounter, sig).then((b) => `9000 balance ${b}`, (e: unknown) => (e instanceof WalletCardError ? swHex(e.sw) : String(e))));
    ctx.check('the same LOAD replayed without a fresh challenge is refused', swHex(SW.CONDITIONS_NOT_SATISFIED), await swOf(() => w.load(1, c.nextLoadCounter, sig)));
    await w.challenge();
    ctx.check('the same LOAD replayed on a fresh challenge is refused (load counter used)', swHex(SW.WALLET_REPLAYED), await swOf(() => w.load(1, c.nextLoadCounter, sig)));
    ctx.check('the replays changed nothing', String(start + 1), String(await balance()));
  },
};
