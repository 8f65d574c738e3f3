/**
 * The encrypted-profile suite (Mall Service seed 003, claim 1): personal information enciphered by
 * the authentication server is stored on the card, released only after the payment code approves
 * the order shown, once, and re-enciphered by the authentication server for the settlement server
 * (a key this suite makes, standing in for it). Storing a profile replaces the one on the card:
 * that runs only with --destructive; without it the release is checked on the profile the card
 * holds, if any.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '../../../card/algorithms/index.js';
import { openSettlementEnvelope } from '../../backend/payment/index.js';
import { PaymentCardClient } from '../../backend/payment/card-client.js';
import type { Suite } from '../types.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export const mallProfileSuite: Suite = {
  name: 'mall-profile',
  description: 'enciphered profile released after the payment code approves the order, once; re-enciphered for settlement; replay and another order refused',
  needsProfile: true,
  checks: [{ name: 'STORE PROFILE (authentication server enrolment)', destructive: true, effect: "replaces the personal information stored on the card with the suite's test profile" }],
  async run(ctx) {
    const p = ctx.profile!;
    if (!p.payment) return ctx.skip('mall-profile suite', 'the profile has no payment section');
    if (!ctx.actors) return ctx.skip('mall-profile suite', 'needs --backend-keys (the authentication server and the issuer CA)');
    const auth = ctx.actors.authServer;
    const client = new PaymentCardClient(ctx.transport);
    const sel = await client.select();
    ctx.require('SELECT the payment applet', '9000', sel.sw.toString(16), [
      'STORE PROFILE (authentication server enrolment)', 'GET PROFILE before the payment code', 'VERIFY the payment code', 'GET PROFILE after the code approves the order',
      'one approval, one release', 'the authentication server re-enciphers it; the settlement server opens it', 'the card never sends the profile in clear',
      'the same release again is refused (replay)', 'an approval of another order than the one shown is refused',
    ]);
    const certificate = await client.certificate();
    const info = enc('cardforge prove: name=Test Holder;card=4111111111111111');
    let stored = false;
    if (ctx.allowed('STORE PROFILE (authentication server enrolment)')) {
      const cardId = await client.cardId();
      const ch = await client.getChallenge();
      const r = await client.storeProfile(auth.enrol(cardId, ch, info));
      stored = ctx.check('STORE PROFILE (authentication server enrolment)', '9000', r.sw.toString(16));
    }
    const digest = sha256(enc('cardforge prove: order 1, 0.01 EUR'));
    let ch = auth.releaseChallenge(digest);
    let r = await client.getProfile(digest, ch);
    if (r.sw === 0x6a88) return ctx.skip('release of the stored profile', 'no profile stored on the card (storing one is destructive: pass --destructive)');
    ctx.check('GET PROFILE before the payment code', '6982', r.sw.toString(16));
    r = await client.verifyCode(enc(p.payment.payment_code));
    ctx.check('VERIFY the payment code', '9000', r.sw.toString(16));
    r = await client.getProfile(digest, ch);
    ctx.check('GET PROFILE after the code approves the order', '9000', r.sw.toString(16));
    const blob = r.data;
    r = await client.getProfile(digest, ch);
    ctx.check('one approval, one release', '6982', r.sw.toString(16));
    const settlementKey = p256.utils.randomSecretKey();
    const settlementPub = p256.getPublicKey(settlementKey, false);
    let opened = 'refused';
    try {
      const env = auth.release({ certificate, challenge: ch, response: blob }, settlementPub);
      const plain = openSettlementEnvelope(settlementKey, env);
      opened = stored ? (Buffer.from(plain).equals(Buffer.from(info)) ? 'the stored profile' : 'another profile') : 'opened';
    } catch (e) {
      opened = (e as { code?: string }).code ?? (e as Error).message;
    }
    ctx.check('the authentication server re-enciphers it; the settlement server opens it', stored ? 'the stored profile' : 'opened', opened);
    ctx.check('the card never sends the profile in clear', 'no plaintext', Buffer.from(blob).includes(Buffer.from(info)) ? 'plaintext in the answer' : 'no plaintext');
    ctx.check('the same release again is refused (replay)', 'UNKNOWN_CHALLENGE', ((): string => {
      try {
        auth.release({ certificate, challenge: ch, response: blob }, settlementPub);
        return 'accepted';
      } catch (e) {
        return (e as { code?: string }).code ?? (e as Error).message;
      }
    })());
    ch = auth.releaseChallenge(sha256(enc('cardforge prove: order 2')));
    await client.verifyCode(enc(p.payment.payment_code));
    r = await client.getProfile(digest, ch);
    const forOther = r.data;
    let other = r.sw.toString(16);
    if (r.sw === 0x9000) {
      try {
        auth.release({ certificate, challenge: ch, response: forOther }, settlementPub);
        other = 'accepted';
      } catch (e) {
        other = (e as { code?: string }).code ?? (e as Error).message;
      }
    }
    ctx.check('an approval of another order than the one shown is refused', 'SIGNATURE_INVALID', other);
  },
};
