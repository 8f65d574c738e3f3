/**
 * The payment suite (SFR / DoCoMo seeds): the card certificate chains to the issuer CA, the
 * payment code gates exactly one signature, the payment server accepts the signed purchase and
 * rejects a replay and any changed field. Needs the profile (codes) and the back-end keys.
 * A wrong code (spends a try) and the signed purchase (spends money) run only with --destructive.
 * With identification required (SFR seed, issue 18) the subscriber is authenticated through the
 * AuC (RAND issued, SRES verified and logged), the card signs the IMSI hash and that RAND, and the
 * server accepts only when the AuC confirms the pair; a host-chosen RAND is refused. The
 * identification takes the way the card answers (sim.ts identifySubscriber): RUN GSM ALGORITHM on a
 * card with the classic SIM, USIM AUTHENTICATE in GSM context on a UICC-only card (record byte 03).
 */
import { sha256 } from '../../../card/algorithms/index.js';
import { imsiHash, NO_IDENTITY, type RecordIdentity } from '../../../card/protocol/index.js';
import { PaymentServer } from '../../backend/payment/index.js';
import { PaymentCardClient } from '../../backend/payment/card-client.js';
import type { Suite } from '../types.js';
import { aucFor, identifySubscriber } from './sim.js';

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
    const auc = aucFor(p);
    let identity: RecordIdentity = NO_IDENTITY;
    // What the card attests in the signed record: 01 = RUN GSM ALGORITHM, 03 = AUTHENTICATE in GSM
    // context, in this session, with the IMSI hash and the RAND (tags CB, CC).
    let identification = 0;
    if (needsId) {
      const id = await identifySubscriber(ctx, auc);
      if (id !== undefined) identity = { imsiHash: imsiHash(p.imsi), rand: id.rand };
      identification = id?.code ?? 1;
    }
    const client = new PaymentCardClient(ctx.transport);
    const sel = await client.select();
    // The signed purchase's own rows (server verdicts, replay, host-chosen RAND) are listed under its gate's name.
    ctx.require('SELECT the payment applet', '9000', sel.sw.toString(16), [
      'SIGN TRANSACTION without the payment code', 'VERIFY a wrong payment code counts down', 'VERIFY the payment code', 'signed purchase: SIGN TRANSACTION, payment server, replay, tampering',
    ]);
    const server = new PaymentServer({ issuerPublicKey: ctx.actors.paymentIssuer.publicKey, requireIdentification: needsId, identification: auc });
    const certificate = await client.certificate();
    const order = { merchantId: enc('prove-shop'), amount: 1, currency: 978, dateTime: new Date(), orderHash: sha256(enc('cardforge prove')) };
    // A refusal reads "CODE: why" so a failing row says what the server objected to.
    const verdict = (fn: () => unknown): string => {
      try {
        fn();
        return 'accepted';
      } catch (e) {
        const code = (e as { code?: string }).code;
        return code === undefined ? (e as Error).message : `${code}: ${(e as Error).message}`;
      }
    };
    const codeOf = (v: string): string => v.split(':')[0]!;
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
    ctx.check('payment server accepts the signature and the certificate chain', 'accepted', verdict(() => server.verify({ certificate, challenge: req.challenge, response: signed.data, identification, identity })));
    ctx.check('the same signature again is rejected', 'UNKNOWN_CHALLENGE', codeOf(verdict(() => server.verify({ certificate, challenge: req.challenge, response: signed.data, identification, identity }))));
    r = await client.sign({ ...order, challenge: server.begin(order).challenge });
    ctx.check('one VERIFY authorises one signature only', '6982', r.sw.toString(16));
    req = server.begin({ ...order, amount: 2 });
    await client.verifyCode(enc(p.payment.payment_code));
    const other = await client.sign({ ...order, challenge: req.challenge });
    ctx.check('a signature over another amount is rejected', 'SIGNATURE_INVALID', codeOf(verdict(() => server.verify({ certificate, challenge: req.challenge, response: other.data, identification, identity }))));
    if (!needsId) return;
    // The audit's gap (issue 18): the host authenticates the SIM on a RAND of its own choosing —
    // the card answers, but the AuC never issued that RAND, so the server must refuse the payment.
    const hostRand = sha256(enc('prove: a host-chosen RAND')).slice(0, 16);
    await ctx.transport.reset(); // a new session: the SIM applet is selected again, no identification
    const answered = await identifySubscriber(ctx, auc, hostRand);
    const how = answered?.context === 'gsm-context' ? 'AUTHENTICATE GSM context' : 'RUN GSM ALGORITHM';
    ctx.require(`${how} on a host-chosen RAND (not issued by the AuC)`, '9000', answered ? '9000' : 'refused', ['a host-chosen RAND is refused: the AuC never issued or verified it']);
    await client.select();
    await client.verifyCode(enc(p.payment.payment_code));
    req = server.begin(order);
    const forged = await client.sign({ ...order, challenge: req.challenge });
    const got = verdict(() => server.verify({ certificate, challenge: req.challenge, response: forged.data, identification, identity: { imsiHash: imsiHash(p.imsi), rand: hostRand } }));
    ctx.check('a host-chosen RAND is refused: the AuC never issued or verified it', 'IDENTIFICATION_NOT_CONFIRMED', codeOf(got), undefined, got);
  },
};
