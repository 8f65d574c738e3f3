/**
 * The authentication-result suite (NTT DoCoMo seed 001, first embodiment): the user is verified
 * against the card (VERIFY of a user credential), the card keeps the result with an expiry and
 * answers the payment gateway's challenge with it, signed and bound to the device id; the gateway
 * accepts it once, refuses a replay and a result presented from another handset. A wrong
 * credential (spends a try) runs only with --destructive. Needs the profile's payment users.
 */
import { PaymentGateway } from '../../backend/payment/index.js';
import { PaymentCardClient } from '../../backend/payment/card-client.js';
import type { Suite } from '../types.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export const authResultSuite: Suite = {
  name: 'auth-result',
  description: 'user verified against the card; authentication result with expiry and device id accepted by the payment gateway once; replay and another handset refused',
  needsProfile: true,
  checks: [{ name: 'VERIFY a wrong user credential counts down', destructive: true, effect: 'spends a user-credential try, restored by the right credential' }],
  async run(ctx) {
    const p = ctx.profile!;
    const user = p.payment?.users[0];
    if (!p.payment) return ctx.skip('auth-result suite', 'the profile has no payment section');
    if (!user || p.payment.device_id === undefined) return ctx.skip('auth-result suite', 'the profile has no payment users or device_id');
    if (!ctx.actors) return ctx.skip('auth-result suite', 'needs --backend-keys (the issuer CA that certified the card)');
    const client = new PaymentCardClient(ctx.transport);
    const sel = await client.select();
    ctx.require('SELECT the payment applet', '9000', sel.sw.toString(16), [
      'GET AUTH RESULT before the user is verified', 'VERIFY a wrong user credential counts down', 'VERIFY the user credential', 'GET AUTH RESULT for the gateway challenge',
      'the payment gateway accepts the result (certificate chain, device id, expiry)', 'the same result again is refused (replay)', 'a result for another handset is refused',
    ]);
    const certificate = await client.certificate();
    const userId = enc(user.user_id);
    const gateway = (deviceId: string): PaymentGateway => {
      const gw = new PaymentGateway({ issuerPublicKey: ctx.actors!.paymentIssuer.publicKey });
      gw.register({ userId, deviceId: enc(deviceId), certificate });
      return gw;
    };
    const gw = gateway(p.payment.device_id);
    const verdict = (fn: () => unknown): string => {
      try {
        fn();
        return 'accepted';
      } catch (e) {
        return (e as { code?: string }).code ?? (e as Error).message;
      }
    };
    let ch = gw.challenge(userId);
    let r = await client.getAuthResult(0, ch);
    ctx.check('GET AUTH RESULT before the user is verified', '6982', r.sw.toString(16));
    if (ctx.allowed('VERIFY a wrong user credential counts down')) {
      r = await client.verifyUser(0, enc(user.credential === 'wrong' ? 'WRONG' : 'wrong'));
      const sw = r.sw.toString(16);
      ctx.check('VERIFY a wrong user credential counts down', '63cx (x tries left)', sw, /^63c[1-9a-f]$/.test(sw));
    }
    r = await client.verifyUser(0, enc(user.credential));
    ctx.check('VERIFY the user credential', '9000', r.sw.toString(16));
    r = await client.getAuthResult(0, ch);
    ctx.check('GET AUTH RESULT for the gateway challenge', '9000', r.sw.toString(16));
    const result = r.data;
    ctx.check('the payment gateway accepts the result (certificate chain, device id, expiry)', 'accepted', verdict(() => gw.verifyAuthResult(userId, result)));
    ctx.check('the same result again is refused (replay)', 'UNKNOWN_CHALLENGE', verdict(() => gw.verifyAuthResult(userId, result)));
    const other = gateway(`${p.payment.device_id}-other`);
    ch = other.challenge(userId);
    r = await client.getAuthResult(0, ch);
    const fromOther = r.data;
    ctx.check('a result for another handset is refused', 'DEVICE_MISMATCH', r.sw === 0x9000 ? verdict(() => other.verifyAuthResult(userId, fromOther)) : r.sw.toString(16));
  },
};
