/**
 * The host's secure channel (host/gp, node:crypto) against the emulated Issuer Security Domain
 * (card/applets/isd, pure TypeScript), in process: two implementations written apart, so a session
 * that opens and carries commands both ways checks one against the other.
 * - Wrong keys: the host stops at the card cryptogram, so EXTERNAL AUTHENTICATE is never sent and
 *   the card's retry counter (AUTH_TRIES) is not spent — twice as many wrong attempts as the limit
 *   and the right keys still open a session.
 * - Over T=0 (GET RESPONSE after 61xx) at the highest level of each SCP.
 * - Key diversification end to end: a card holding EMV / VISA2 keys diversified from the master
 *   404142…4F with KDD 00010203…09 (whose KCVs GlobalPlatformPro publishes, test/gp/scp-sessions)
 *   is opened with --diversify from the master key alone.
 */
import { describe, expect, it } from 'vitest';
import { Card, SeededRng, bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { AUTH_TRIES, installIsd, ISD_AID, type IsdKey } from '../../card/applets/isd/index.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { diversify, getStatus, openSecureChannel, selectIsd, type Diversification, type SecurityLevelName } from '../../host/gp/index.js';

const h = hexToBytes;
const TEST_KEY = h('404142434445464748494a4b4c4d4e4f');
const TEST = { enc: TEST_KEY, mac: TEST_KEY, dek: TEST_KEY };

async function connected(keys?: IsdKey[], kdd?: Uint8Array, t0 = false): Promise<{ t: EmulatorTransport; sent: string[] }> {
  const card = new Card({ rng: new SeededRng('gp-host') });
  installIsd(card, { ...(keys ? { keys } : {}), ...(kdd ? { keyDiversificationData: kdd } : {}) });
  if (t0) card.protocol = 'T=0';
  const t = new EmulatorTransport(card);
  const sent: string[] = [];
  t.on('exchange', (c) => sent.push(bytesToHex(c)));
  await t.connect();
  expect((await selectIsd(t)).aid).toBe(ISD_AID);
  return { t, sent };
}

describe('host/gp against the emulated ISD', () => {
  it(`wrong keys ${2 * AUTH_TRIES} times: each stopped at the card cryptogram, no EXTERNAL AUTHENTICATE sent; the right keys still open`, async () => {
    const { t, sent } = await connected();
    const wrong = h('00112233445566778899aabbccddeeff');
    for (let i = 0; i < 2 * AUTH_TRIES; i++) {
      await expect(openSecureChannel(t, { keys: { enc: wrong, mac: wrong, dek: wrong }, kvn: i % 2 ? 0x20 : 0x30 })).rejects.toMatchObject({ code: 'GP_CARD_CRYPTOGRAM' });
    }
    expect(sent.filter((c) => c.slice(2, 4) === '82')).toEqual([]);
    const s = await openSecureChannel(t, { keys: TEST, kvn: 0x30, level: 'mac+enc+rmac+renc' });
    expect((await getStatus(s, 'isd'))[0]).toMatchObject({ aid: ISD_AID, lifeCycleName: 'SECURED' });
  });

  it.each([
    [0x20, 'mac+enc'],
    [0x30, 'mac+enc+rmac+renc'],
  ] as const)('over T=0 (61xx + GET RESPONSE): KVN %s at %s, GET STATUS unwrapped', async (kvn, level) => {
    const { t } = await connected(undefined, undefined, true);
    const s = await openSecureChannel(t, { keys: TEST, kvn, level: level as SecurityLevelName });
    expect((await getStatus(s, 'isd')).map((e) => e.aid)).toEqual([ISD_AID]);
  });

  it.each(['emv', 'visa2'] as const)('a card with %s-diversified SCP02 keys opens from the master key with --diversify', async (scheme: Diversification) => {
    const kdd = h('00010203040506070809');
    const k = diversify(TEST_KEY, kdd, scheme);
    const keys: IsdKey[] = ([['enc', 1], ['mac', 2], ['dek', 3]] as const).map(([n, kid]) => ({ kvn: 0x20, kid, type: 'des', value: k[n] }));
    const { t } = await connected(keys, kdd);
    const s = await openSecureChannel(t, { keys: { master: TEST_KEY, diversify: scheme }, kvn: 0x20, level: 'mac+enc' });
    expect(s.scp).toBe('02');
    // Without diversification the same master key is refused at the card cryptogram.
    await expect(openSecureChannel(t, { keys: TEST, kvn: 0x20 })).rejects.toMatchObject({ code: 'GP_CARD_CRYPTOGRAM' });
  });
});
