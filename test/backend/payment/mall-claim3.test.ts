/**
 * Mall Service JP 2001-076059, claim 3: the 2nd cipher is the 1st cipher's scheme, and the blob the
 * user's terminal releases reaches the settlement server without being deciphered on the way.
 * Fails on main: ProfileForwarder / ProfileSettlementServer did not exist (only the claim-1 path,
 * authentication server deciphers and re-enciphers, was implemented).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../../card/algorithms/sha256.js';
import { AuthenticationServer, ProfileForwarder, ProfileSettlementServer, type ForwardedProfile } from '../../../host/backend/payment/index.js';
import { parseFields, PAYMENT_TAGS as T } from '../../../card/protocol/index.js';
import { expectNoSecretsIn, makeRig, RESPONSES, SECRETS, SECTION } from '../../applets/payment/fixture.js';
import { code, enc } from './verdict.js';

const AUTH_KEY = sha256(enc('cardforge test auth server')); // the fixture's authentication server signing key
const PROFILE_KEY = sha256(enc('cardforge test profile key'));
const info = enc('name=Alice Martin;card=4111111111111111;exp=12/29');

async function enrolled() {
  const rig = await makeRig();
  const now = () => rig.clock.now();
  const auth = new AuthenticationServer({ issuerPublicKey: rig.issuer.publicKey, secretKey: AUTH_KEY, encryptionKey: PROFILE_KEY, now });
  const ch = await rig.client.getChallenge();
  const stored = auth.enrol(rig.cardId, ch, info);
  expect((await rig.client.storeProfile(stored)).sw).toBe(0x9000);
  const [blob] = parseFields(stored, [{ tag: T.PROFILE_BLOB, length: [28, 0xffff] }, { tag: T.SIGNATURE, length: 64 }], 'store');
  const settlement = new ProfileSettlementServer({ issuerPublicKey: rig.issuer.publicKey, profileKey: PROFILE_KEY, now });
  return { rig, settlement, blob: blob!.slice() };
}

afterAll(() => expectNoSecretsIn(RESPONSES, SECRETS));

describe('Mall claim 3: the terminal forwards the 1st-cipher blob unopened; the settlement server deciphers it', () => {
  it('forwarded byte for byte (the forwarder holds no key), deciphered and checked by the settlement server', async () => {
    const { rig, settlement, blob } = await enrolled();
    const digest = sha256(enc('order 78: 1 umbrella, 25.00 EUR'));
    const forwarder = new ProfileForwarder();
    expect(Object.keys(forwarder)).toEqual([]); // no key, no state: nothing to decipher with
    await rig.client.verifyCode(enc(SECTION.payment_code));
    const f = await forwarder.forward(rig.client, digest, settlement.challenge(digest));
    const [released] = parseFields(f.response, [{ tag: T.PROFILE_BLOB, length: [28, 0xffff] }, { tag: T.SIGNATURE, length: 64 }], 'release');
    expect(released).toEqual(blob); // the 1st-cipher blob itself: not re-enciphered, not opened
    expect(Buffer.from(f.response).includes(Buffer.from(info))).toBe(false);
    const got = settlement.settle(f);
    expect(got.personalInformation).toEqual(info);
    expect(got.cardId).toEqual(rig.cardId);
    expect(code(() => settlement.settle(f))).toBe('UNKNOWN_CHALLENGE'); // replay
  });

  it('tampered blob, another order, another key, no payment code: refused', async () => {
    const { rig, settlement } = await enrolled();
    const digest = sha256(enc('order 79'));
    const forwarder = new ProfileForwarder();
    await rig.client.verifyCode(enc(SECTION.payment_code));
    const ch = settlement.challenge(digest);
    const f = await forwarder.forward(rig.client, digest, ch);
    const bad = f.response.slice();
    bad[10]! ^= 1; // inside the blob
    expect(code(() => settlement.settle({ ...f, response: bad }))).toBe('SIGNATURE_INVALID');
    const other: ForwardedProfile = { ...f, challenge: settlement.challenge(sha256(enc('order 80'))) };
    expect(code(() => settlement.settle(other))).toBe('SIGNATURE_INVALID');
    const wrongKey = new ProfileSettlementServer({ issuerPublicKey: rig.issuer.publicKey, profileKey: new Uint8Array(32), now: () => rig.clock.now() });
    await rig.client.verifyCode(enc(SECTION.payment_code));
    const g = await forwarder.forward(rig.client, digest, wrongKey.challenge(digest));
    expect(code(() => wrongKey.settle(g))).toBe('DECRYPTION_FAILED');
    await expect(forwarder.forward(rig.client, digest, settlement.challenge(digest))).rejects.toThrow(/6982/);
    expect(code(() => settlement.settle(f))).toBe('ACCEPTED');
  });
});
