/**
 * The payment suite (SFR / DoCoMo seeds): the card certificate chains to the issuer CA, the
 * payment code gates exactly one signature, the payment server accepts the signed purchase and
 * rejects a replay and any changed field. Needs the profile (codes) and the back-end keys.
 * A wrong code (spends a try) and the signed purchase (spends money) run only with --destructive.
 */
import { sha256 } from '../../../card/algorithms/index.js';
import { PaymentServer } from '../../backend/payment/index.js';
import { PaymentCardClient } from '../../backend/payment/card-client.js';
import type { Suite } from '../types.js';
import { identifySubscriber } from './sim.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export const paymentSuite: Suite = {
  name: 'payment',
  description: 'certificate chain, payment code, SIGN TRANSACTION accepted by the payment server, replay and tampering rejected',
  needsProfile: true,
  checks: [
    { name: 'VERIFY a wrong payment code counts down', destructive: true, effect: 'spends a payment-code try, restored by the right code' },
    { name: 'signed purchase: SIGN TRANSACTION, payment server, replay, tampering', destructive: true, effect: 'signs purchases of 0.01 and 0.02 EUR' },
  ],
  async run(ctx) {
    const p = ctx.profile!;
    if (!p.payment) return ctx.skip('payment suite', 'the profile has no payment section');
    if (!ctx.actors) return ctx.skip('payment suite', 'needs --backend-keys (the issuer CA that certified the card)');
    const needsId = p.payment.require_identification;
    if (needsId && p.personality !== 'uicc') await identifySubscriber(ctx);
    const client = new PaymentCardClient(ctx.transport);
    const sel = await client.select();
    if (!ctx.check('SELECT the payment applet', '9000', sel.sw.toString(16))) return;
    const server = new PaymentServer({ issuerPublicKey: ctx.actors.paymentIssuer.publicKey, requireIdentification: needsId });
    // What the card attests in the signed record: 01 = identified by RUN GSM ALGORITHM in this session.
    const identification = needsId ? 1 : 0;
    const certificate = await client.certificate();
    const order = { merchantId: enc('prove-shop'), amount: 1, currency: 978, dateTime: new Date(), orderHash: sha256(enc('cardforge prove')) };
    const verdict = (fn: () => unknown): string => {
      try {
        fn();
        return 'accepted';
      } catch (e) {
        return (e as { code?: string }).code ?? (e as Error).message;
      }
    };
    let req = server.begin(order);
    let r = await client.sign({ ...order, challenge: req.challenge });
    ctx.check('SIGN TRANSACTION without the payment code', '6982', r.sw.toString(16));
    if (ctx.allowed('VERIFY a wrong payment code counts down')) {
      r = await client.verifyCode(enc(p.payment.payment_code === '0000' ? '9999' : '0000'));
      ctx.check('VERIFY a wrong payment code counts down', `63c${p.payment.payment_code_try_limit - 1}`, r.sw.toString(16));
    }
    r = await client.verifyCode(enc(p.payment.payment_code));
    ctx.check('VERIFY the payment code', '9000', r.sw.toString(16));
    if (!ctx.allowed('signed purchase: SIGN TRANSACTION, payment server, replay, tampering')) return;
    const signed = await client.sign({ ...order, challenge: req.challenge });
    ctx.check('SIGN TRANSACTION after the code', '9000', signed.sw.toString(16));
    ctx.check('payment server accepts the signature and the certificate chain', 'accepted', verdict(() => server.verify({ certificate, challenge: req.challenge, response: signed.data, identification })));
    ctx.check('the same signature again is rejected', 'UNKNOWN_CHALLENGE', verdict(() => server.verify({ certificate, challenge: req.challenge, response: signed.data, identification })));
    r = await client.sign({ ...order, challenge: server.begin(order).challenge });
    ctx.check('one VERIFY authorises one signature only', '6982', r.sw.toString(16));
    req = server.begin({ ...order, amount: 2 });
    await client.verifyCode(enc(p.payment.payment_code));
    const other = await client.sign({ ...order, challenge: req.challenge });
    ctx.check('a signature over another amount is rejected', 'SIGNATURE_INVALID', verdict(() => server.verify({ certificate, challenge: req.challenge, response: other.data, identification })));
  },
};
