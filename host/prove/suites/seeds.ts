/**
 * Seed-flow suites (issue 18), each check with expected and got:
 * - card-number: NTT DoCoMo EP 1 280 115, second embodiment (a new enciphered card number per
 *   transaction: two ciphertexts differ, the card company server recovers the number, a replay and a
 *   tampered blob are refused). The first embodiment is the auth-result suite (docomo.ts).
 * - mall-forward: Mall Service JP 2001-076059 claim 3 — the 1st-cipher profile blob stored under the
 *   authentication server's grant, released after the payment code for one order, forwarded by a
 *   terminal that holds no key, deciphered by the settlement server; replay and other order refused.
 * Need the profile (codes, credential, card-number key) and the back-end keys.
 */
import { sha256 } from '../../../card/algorithms/index.js';
import { hexToBytes } from '../../../card/runtime/index.js';
import { CardCompanyServer, ProfileForwarder, ProfileSettlementServer } from '../../backend/payment/index.js';
import { PaymentCardClient } from '../../backend/payment/card-client.js';
import type { Suite } from '../types.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function verdict(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).message;
  }
}

export const cardNumberSuite: Suite = {
  name: 'card-number',
  description: 'DoCoMo second embodiment: a new enciphered card number per transaction, deciphered by the card company; replay and tampering refused',
  needsProfile: true,
  async run(ctx) {
    const p = ctx.profile?.payment;
    if (!p) return ctx.skip('card-number suite', 'the profile has no payment section');
    if (!ctx.actors) return ctx.skip('card-number suite', 'needs --backend-keys (the issuer CA that certified the card)');
    const client = new PaymentCardClient(ctx.transport);
    ctx.require('SELECT the payment applet', '9000', (await client.select()).sw.toString(16), [
      'ENCIPHER CARD NUMBER without the payment code', 'ENCIPHER CARD NUMBER #1 after the code', 'ENCIPHER CARD NUMBER #2 after the code',
      'two transactions give two different ciphertexts', 'the terminal-visible blob does not hold the card number', 'a tampered blob is refused',
      'card company server deciphers and checks freshness', 'the card number recovered', 'the same blob again is refused (replay)',
      'an older blob under a pending challenge is refused (counter)',
    ]);
    if (p.card_number === undefined || p.card_number_key === undefined) return ctx.skip('enciphered card number (second embodiment)', 'the profile has no card_number / card_number_key');
    const company = new CardCompanyServer();
    company.register(hexToBytes(p.card_id), hexToBytes(p.card_number_key));
    ctx.check('ENCIPHER CARD NUMBER without the payment code', '6982', (await client.encipherCardNumber(company.challenge())).sw.toString(16));
    const blobs: Uint8Array[] = [];
    for (let i = 0; i < 2; i++) {
      await client.verifyCode(enc(p.payment_code));
      const r = await client.encipherCardNumber(company.challenge());
      ctx.check(`ENCIPHER CARD NUMBER #${i + 1} after the code`, '9000', r.sw.toString(16));
      blobs.push(r.data);
    }
    const [a, b] = blobs as [Uint8Array, Uint8Array];
    ctx.check('two transactions give two different ciphertexts', 'different', hex(a) === hex(b) ? 'equal' : 'different');
    ctx.check('the terminal-visible blob does not hold the card number', 'absent', hex(b).includes(hex(enc(p.card_number))) ? 'present' : 'absent');
    const tampered = b.slice();
    tampered[40]! ^= 1;
    ctx.check('a tampered blob is refused', 'SIGNATURE_INVALID', verdict(() => company.decipher(tampered)));
    let number = '';
    ctx.check('card company server deciphers and checks freshness', 'accepted', verdict(() => (number = company.decipher(b).cardNumber)));
    ctx.check('the card number recovered', `…${p.card_number.slice(-4)}`, `…${number.slice(-4)}`, number === p.card_number);
    ctx.check('the same blob again is refused (replay)', 'UNKNOWN_CHALLENGE', verdict(() => company.decipher(b)));
    ctx.check('an older blob under a pending challenge is refused (counter)', 'COUNTER_NOT_INCREASING', verdict(() => company.decipher(a)));
  },
};

export const mallForwardSuite: Suite = {
  name: 'mall-forward',
  description: 'Mall Service claim 3: the encrypted profile released after the payment code, forwarded unopened by the terminal, deciphered by the settlement server; replay and another order refused',
  needsProfile: true,
  checks: [{ name: 'STORE PROFILE and forward it (claim 3)', destructive: true, effect: "replaces the personal information stored on the card with the suite's test profile" }],
  async run(ctx) {
    const p = ctx.profile?.payment;
    if (!p) return ctx.skip('mall-forward suite', 'the profile has no payment section');
    if (!ctx.actors) return ctx.skip('mall-forward suite', 'needs --backend-keys (the authentication server that authorises STORE PROFILE)');
    const client = new PaymentCardClient(ctx.transport);
    ctx.require('SELECT the payment applet', '9000', (await client.select()).sw.toString(16), ['STORE PROFILE and forward it (claim 3)']);
    if (!ctx.allowed('STORE PROFILE and forward it (claim 3)')) return;
    const info = enc('cardforge prove: personal information');
    const cardId = hexToBytes(p.card_id);
    const grant = ctx.actors.authServer.enrol(cardId, await client.getChallenge(), info);
    ctx.require('STORE PROFILE under the authentication server grant', '9000', (await client.storeProfile(grant)).sw.toString(16), [
      'GET PROFILE without the payment code', 'the forwarded blob is the stored 1st-cipher blob, unopened', 'settlement server checks the card approval and deciphers',
      'the personal information recovered', 'the same release forwarded again is refused', 'an approval of another order is refused',
    ]);
    const settlement = new ProfileSettlementServer({ issuerPublicKey: ctx.actors.paymentIssuer.publicKey, profileKey: ctx.actors.authServer.profileKeyForSettlement() });
    const forwarder = new ProfileForwarder();
    const digest = sha256(enc('cardforge prove order'));
    ctx.check('GET PROFILE without the payment code', '6982', (await client.getProfile(digest, settlement.challenge(digest))).sw.toString(16));
    await client.verifyCode(enc(p.payment_code));
    const f = await forwarder.forward(client, digest, settlement.challenge(digest));
    ctx.check('the forwarded blob is the stored 1st-cipher blob, unopened', 'identical', hex(f.response).startsWith(hex(grant.subarray(0, grant.length - 66))) ? 'identical' : 'changed');
    let personal: Uint8Array = new Uint8Array(0);
    ctx.check('settlement server checks the card approval and deciphers', 'accepted', verdict(() => (personal = settlement.settle(f).personalInformation)));
    ctx.check('the personal information recovered', hex(info), hex(personal));
    ctx.check('the same release forwarded again is refused', 'UNKNOWN_CHALLENGE', verdict(() => settlement.settle(f)));
    await client.verifyCode(enc(p.payment_code));
    const other = await forwarder.forward(client, sha256(enc('another order')), settlement.challenge(digest));
    ctx.check('an approval of another order is refused', 'SIGNATURE_INVALID', verdict(() => settlement.settle(other)));
  },
};
