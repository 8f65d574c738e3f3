/**
 * The host's SCP02 and SCP03 against real card sessions recorded with known keys, from osmocom
 * pySim's tests/unittests/test_globalplatform.py (sysmocom cards: SCP02 with KVN 20, SCP03 with
 * AES-128/192/256 key sets 30/31/32 at security levels 11 (C-MAC + R-MAC), 03 (C-MAC + C-DEC) and
 * 33 (all four)). Each session replays INITIALIZE UPDATE's recorded answer; the host must compute
 * the card cryptogram, send EXTERNAL AUTHENTICATE and then wrap GET DATA / GET STATUS / STORE
 * DATA exactly as recorded, byte for byte, and unwrap the recorded R-MAC / R-ENC response.
 * Also: the wrong-key path (no EXTERNAL AUTHENTICATE sent), and the key diversification vectors
 * of GlobalPlatformPro's TestPlaintextKeys (EMV / VISA2 from master 404142…4F, KDD 00010203…09).
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { openSecureChannel, GpError, type SecurityLevelName, type StaticKeys } from '../../host/gp/index.js';
import { diversify } from '../../host/gp/keys.js';
import { kcvDes, kcvAes } from '../../host/gp/crypto.js';
import { scp02SessionKeys, Scp02Channel, parseScp02InitResponse } from '../../host/gp/scp02.js';
import { scp03SessionKeys } from '../../host/gp/scp03.js';
import { RecordedSession } from './helpers.js';

const h = hexToBytes;
const OK = '9000';

// pySim test_globalplatform.py: KIC/KID/KIK of its SCP02 card, KVN 0x20.
const SCP02_KEYS: StaticKeys = { enc: h('100102030405060708090a0b0c0d0e0f'), mac: h('101102030405060708090a0b0c0d0e0f'), dek: h('102102030405060708090a0b0c0d0e0f') };

describe('SCP02 (pySim SCP02_Test, a real card with KVN 20)', () => {
  const IU_CMD = '805020000840a62c37fa6304f800';
  const IU_RSP = '00000000000000000000700200016b4524abee7cf32ea3838bc148f3' + OK;
  const EA_CMD = '8482010010ba6961667737c5bcebece14c7d6a4376';

  it('checks the card cryptogram, sends the recorded EXTERNAL AUTHENTICATE, then C-MACs the four APDU cases as recorded', async () => {
    const t = new RecordedSession([
      [IU_CMD, IU_RSP],
      [EA_CMD, OK],
      ['84f220020814db34fa4341dca8', OK], // case 1
      ['84ca00660855ed7c5ff069512b00', OK], // case 2
      ['84f22002124f0212345c054f9f70c58fc1b380c4228af8', OK], // case 3
      ['84f280020a4f003b95f09317de6a4e00', OK], // case 4
    ]);
    const s = await openSecureChannel(t, { keys: SCP02_KEYS, kvn: 0x20, scp: '02', level: 'mac', hostChallenge: h('40a62c37fa6304f8') });
    expect(s.scp).toBe('02');
    for (const cmd of ['80f22002', '80ca006600', '80f220020a4f0212345c054f9f70c5', '80f28002024f0000']) await s.transmit(h(cmd));
    expect(t.remaining).toBe(0);
  });

  it('a wrong card cryptogram (last byte changed): clear error, and no EXTERNAL AUTHENTICATE is sent', async () => {
    const t = new RecordedSession([[IU_CMD, IU_RSP.replace(/f3(9000)$/, 'ff$1')]]);
    const err = await openSecureChannel(t, { keys: SCP02_KEYS, kvn: 0x20, hostChallenge: h('40a62c37fa6304f8') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpError);
    expect((err as GpError).code).toBe('GP_CARD_CRYPTOGRAM');
    expect((err as GpError).message).toMatch(/EXTERNAL AUTHENTICATE was not sent/);
    expect((err as GpError).message).not.toMatch(/1001020304|101102030405/i); // no key bytes in messages
    expect(t.sent).toEqual([IU_CMD]);
  });

  it('the default keys against another real card: the wrong keys are caught before EXTERNAL AUTHENTICATE', async () => {
    const t = new RecordedSession([[IU_CMD, IU_RSP]]);
    const k = h('404142434445464748494a4b4c4d4e4f');
    await expect(openSecureChannel(t, { keys: { enc: k, mac: k, dek: k }, kvn: 0x20, hostChallenge: h('40a62c37fa6304f8') })).rejects.toMatchObject({ code: 'GP_CARD_CRYPTOGRAM' });
    expect(t.sent.length).toBe(1);
  });

  it('--scp 03 against an SCP02 card: refused by name before any cryptogram', async () => {
    const t = new RecordedSession([[IU_CMD, IU_RSP]]);
    await expect(openSecureChannel(t, { keys: SCP02_KEYS, kvn: 0x20, scp: '03', hostChallenge: h('40a62c37fa6304f8') })).rejects.toMatchObject({ code: 'GP_SCP_MISMATCH' });
  });

  it('SCP02 R-MAC levels are refused by name (SCP02 R-MAC needs BEGIN R-MAC SESSION)', async () => {
    const t = new RecordedSession([[IU_CMD, IU_RSP]]);
    await expect(openSecureChannel(t, { keys: SCP02_KEYS, kvn: 0x20, level: 'mac+enc+rmac', hostChallenge: h('40a62c37fa6304f8') })).rejects.toThrow(/only "mac" \(01\) and "mac\+enc" \(03\)/);
  });

  it('a real JCOP card with the well-known key 404142…4F (GlobalPlatformPro issue #169, `gp -l -dv`): its card cryptogram verifies', () => {
    // A>> 80500000 08 EC255ADBCDB6C751 00 / A<< 00007213002987072483 FF02 0206 13A5A6AADE02 7E59F3F8C98F0EE3 9000
    const k = h('404142434445464748494a4b4c4d4e4f');
    const ch = new Scp02Channel({ enc: k, mac: k, dek: k }, h('ec255adbcdb6c751'), parseScp02InitResponse(h('00007213002987072483ff02020613a5a6aade027e59f3f8c98f0ee3')));
    expect(ch.cardCryptogramOk).toBe(true);
    expect(bytesToHex(ch.expectedCardCryptogram)).toBe('7e59f3f8c98f0ee3');
    const other = new Scp02Channel({ enc: k, mac: k, dek: k }, h('ec255adbcdb6c750'), parseScp02InitResponse(h('00007213002987072483ff02020613a5a6aade027e59f3f8c98f0ee3')));
    expect(other.cardCryptogramOk).toBe(false); // one bit of host challenge changes it
  });

  it('session keys of the well-known key at sequence counter 0000 (GlobalPlatformPro testSessionKeys_SCP02, by 3DES KCV)', () => {
    const k = h('404142434445464748494a4b4c4d4e4f');
    const sk = scp02SessionKeys({ enc: k, mac: k, dek: k }, 0);
    expect([sk.enc, sk.cmac, sk.dek, sk.rmac].map((x) => bytesToHex(kcvDes(x)))).toEqual(['f2dcdd', '5fcc69', '85272e', '9f749a']);
  });

  it('PUT KEY key encryption under the session DEK at counter 0000 (GlobalPlatformPro testKeyEncryption_SCP02)', () => {
    const k = h('404142434445464748494a4b4c4d4e4f');
    const init = parseScp02InitResponse(h('0000000000000000000020020000000000000000000000000000'.padEnd(56, '0')));
    const ch = new Scp02Channel({ enc: k, mac: k, dek: k }, new Uint8Array(8), init);
    expect(bytesToHex(ch.encryptKey(k))).toBe('efbee6c6d99d7b70bde9d7e927f020af');
  });
});

describe('SCP03 (pySim SCP03_Test_*, a real card: KVN 30 AES-128, 31 AES-192, 32 AES-256)', () => {
  const KEYS: Record<string, StaticKeys> = {
    '128': { enc: h('000102030405060708090a0b0c0d0e0f'), mac: h('101112131415161718191a1b1c1d1e1f'), dek: h('202122232425262728292a2b2c2d2e2f') },
    '192': { enc: h('000102030405060708090a0b0c0d0e0f0001020304050607'), mac: h('101112131415161718191a1b1c1d1e1f1011121314151617'), dek: h('202122232425262728292a2b2c2d2e2f2021222324252627') },
    '256': { enc: h('000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f'), mac: h('101112131415161718191a1b1c1d1e1f101112131415161718191a1b1c1d1e1f'), dek: h('202122232425262728292a2b2c2d2e2f202122232425262728292a2b2c2d2e2f') },
  };
  const LEVEL: Record<string, SecurityLevelName> = { '11': 'mac+rmac', '03': 'mac+enc', '33': 'mac+enc+rmac+renc' };
  // [keys, level, INIT UPDATE cmd, its response, EXTERNAL AUTH, GET EID (STORE DATA) wrapped, its response, case 1..4 wrapped]
  const SESSIONS: [string, string, string, string, string, string, string, string[]][] = [
    ['128', '11', '8050300008b13e5f938fc108c400', '000000000000000000003003703eb51047495b249f66c484c1d2ef1948000002', '84821100107d5f5826a993ebc89eea24957fa0b3ce', '84e291000ebf3e035c015a558d036518a2829700', 'bf3e125a1089882119900000000000000000000005971be68992dbbdfa', ['84f220020863a63f8959827fb2', '84ca006608a0c6a4a74166f7ce00', '84f22002124f0212345c054f9f70c52249b50272656536', '84f280020a4f00e91443f6dce6b8ed00']],
    ['128', '03', '80503000088e1552d0513c60f300', '0000000000000000000030037030760cd2c47c1dd395065fe5ead8a9d7000001', '8482030010fd4721a14d9b07003c451d2f8ae6bb21', '84e2910018ca9c00f6713d79bc8baa642bdff51c3f6a4082d3bd9ad26c00', 'bf3e125a1089882119900000000000000000000005', ['84f2200208c9811b11f1264cf1', '84ca006608e10ab60b3054798800', '84f22002184e2908bdb48b2315a55482e9e936ca122d6ecfae7d17416e', '84f28002180dd10a6b6193e5340b9e77d32d5a179cd710ac2773aefb2800']],
    ['128', '33', '8050300008fdf38259a1e0de4400', '000000000000000000003003703b1aca81e821f219081cdc01c26b372d000003', '84823300108c36f96bcc00724a4e13ad591d7da3f0', '84e2910018267a85dfe4a98fca6fb0527e0dfecce4914e40401433c87f00', 'f3ba2b1013aa6224f5e1c138d71805c569e5439b47576260b75fc021b25097cb2e68f8a0144975b9', ['84f2200208ac6a59024bed84cc', '84ca006608409912ad8fb7aed000', '84f22002185f3dafc3ac14c381536a488bf44e06d056df9d74dbd21e5a', '84f280021865165105be3373347d0424d4400af2ac393f569ec779389e00']],
    ['192', '11', '80503100087396430b768b085b00', '000000000000000000003103708cfc23522ffdbf1e5df5542cac8fd866000003', '84821100102145ed30b146f5db252fb7e624cec244', '84e291000ebf3e035c015aff42cf801d14394400', 'bf3e125a1089882119900000000000000000000005162fbd33e04940a9', ['84f22002084584e4f6784811ee', '84ca006608937776ebe190fa3000', '84f22002124f0212345c054f9f70c59a52bddf3040368c', '84f280020a4f009804b11411f7393d00']],
    ['192', '03', '805031000869c65da8202bf19f00', '00000000000000000000310370b570a67be38446717729d6dd3d2ec5b1000001', '848203001065df4f1a356a887905466516d9e5b7c1', '84e2910018d2c6fb477c5d4afe4fd4d21f17eff10d3578ec1774a12a2d00', 'bf3e125a1089882119900000000000000000000005', ['84f2200208964e188f0b1bb697', '84ca006608f0820035a41d3e1800', '84f220021806b076ed452cd1fa84f77f5c08a146aa77a9286757dea791', '84f2800218d06527e39222dce091fabdb8e9b898417a67a6852d3577db00']],
    ['192', '33', '80503100089b3f2eef0e8c937400', '00000000000000000000310370f6bb305a15bae1a68f79fb08212fbed7000002', '84823300109100bc22d58b45b86a26365ce39ff3cf', '84e29100188f7f946c84f70d17994bc6e8791251bb1bb1bf02cf8de58900', 'c05176c1b6f72aae50c32cbee63b0e95998928fd4dfb2be9f27ffde8c8476f5909b4805cc4039599', ['84f2200208d5d97754b6b3d2ba', '84ca006608516c82b8e30adbeb00', '84f2200218cc247f4761e6944277a4e0d6e32e44025b1e31537e2fc668', '84f2800218ba22b63d509bef5d093b43e5eaed03ed23144ab2d9cb51de00']],
    ['256', '11', '805032000811666d57866c6f5400', '0000000000000000000032037053ea8847efa7674e41498a4d66cf0dee000003', '84821100102f2ad190eff2fafc4908996d1cebd310', '84e291000ebf3e035c015af4b680372542b59d00', 'bf3e125a10898821199000000000000000000000058012dd7f01f1c4c1', ['84f2200208d618b7da68d5fe52', '84ca0066088f3e055db23ad5e500', '84f22002124f0212345c054f9f70c5b6e15cc42404915e', '84f280020a4f00aa124aa74afe7f7500']],
    ['256', '03', '8050320008c6066990fc426e1d00', '000000000000000000003203708682cd81bbd8919f2de3f2664581f118000001', '848203001077c493b632edadaf865a1e64acc07ce9', '84e29100183ddaa60594963befaada3525b492ede23c2ab2c1ce3afe4400', 'bf3e125a1089882119900000000000000000000005', ['84f2200208480ddc8e419da38d', '84ca0066083e9d6a6c0b2d732000', '84f22002183ebfef2da8b04af2a85f491f299b76973df76ff08a4031be', '84f2800218783fff80990f5585b1055010ea95094a26e4a8f1ef4b18e100']],
    ['256', '33', '805032000897b2055fe58599fd00', '00000000000000000000320370a8439a22cedf045fa9f1903b2834f26e000002', '8482330010508a0fd959d2e547c6b33154a6be2057', '84e29100187a5ef717eaf1e135ae92fe54429d0e465decda65f5fe5aea00', 'ea90dbfa648a67c5eb6abc57f8530b97d0cd5647c5e8732016b55203b078dd2ace7f8bc5d1c1cd99', ['84f2200208bcc5c17275545d93', '84ca00660804806aba9d543bb600', '84f2200218717222491556ec81a45f49ce48be33320024801a1c4cb0e0', '84f2800218561f105bccd3a1642904b251ccc1228beb80a82370a8637000']],
  ];
  const EID = 'bf3e125a1089882119900000000000000000000005';

  it.each(SESSIONS)('AES-%s, level %s: EXTERNAL AUTHENTICATE, GET EID and the four APDU cases as recorded; the response unwrapped', async (keys, level, iuCmd, iuRsp, eaCmd, eidCmd, eidRsp, cases) => {
    const t = new RecordedSession([[iuCmd, iuRsp + OK], [eaCmd, OK], [eidCmd, eidRsp + OK], ...cases.map((c) => [c, OK] as const)]);
    // The recorded sessions' later commands got no R-MAC back (only GET EID's answer is recorded), so
    // they are replayed with plain 9000; the R-MAC is checked on the one recorded response.
    const s = await openSecureChannel(t, { keys: KEYS[keys]!, kvn: h(iuCmd)[2], scp: 'auto', level: LEVEL[level]!, hostChallenge: h(iuCmd).subarray(5, 13) });
    expect(s.scp).toBe('03');
    const eid = await s.transmit(h('80e2910006bf3e035c015a00'));
    expect(bytesToHex(eid)).toBe(EID + OK);
    for (const plain of ['80f22002', '80ca006600', '80f220020a4f0212345c054f9f70c5', '80f28002024f0000']) {
      try {
        await s.transmit(h(plain));
      } catch (e) {
        // A plain 9000 without R-MAC under an R-MAC level: the host must refuse it, never pass it on.
        expect((e as GpError).code).toBe('GP_RESPONSE_MAC');
      }
    }
    expect(t.remaining).toBe(0);
  });

  it('an altered R-MAC is refused', async () => {
    const [, , iuCmd, iuRsp, eaCmd, eidCmd, eidRsp] = SESSIONS[0]!;
    const bad = eidRsp.slice(0, -2) + (eidRsp.endsWith('fa') ? '00' : 'fa');
    const t = new RecordedSession([[iuCmd, iuRsp + OK], [eaCmd, OK], [eidCmd, bad + OK]]);
    const s = await openSecureChannel(t, { keys: KEYS['128']!, kvn: 0x30, level: 'mac+rmac', hostChallenge: h(iuCmd).subarray(5, 13) });
    await expect(s.transmit(h('80e2910006bf3e035c015a00'))).rejects.toMatchObject({ code: 'GP_RESPONSE_MAC' });
  });

  it('session keys of the well-known key (GlobalPlatformPro testSessionKeys_SCP03, context = KDD 00…09, by AES KCV)', () => {
    const k = h('404142434445464748494a4b4c4d4e4f');
    const kdd = h('00010203040506070809');
    // GlobalPlatformPro passes the 10-byte KDD as the whole context: split it as host ‖ card challenge.
    const sk = scp03SessionKeys({ enc: k, mac: k, dek: k }, kdd.subarray(0, 8), kdd.subarray(8));
    expect([sk.enc, sk.mac, sk.rmac].map((x) => bytesToHex(kcvAes(x)))).toEqual(['c25559', '0e12cc', '9acb9c']);
    expect(bytesToHex(kcvAes(k))).toBe('504a77'); // the static DEK's own KCV
  });
});

describe('key diversification (GlobalPlatformPro TestPlaintextKeys: master 404142…4F, KDD 00010203040506070809)', () => {
  const master = h('404142434445464748494a4b4c4d4e4f');
  const kdd = h('00010203040506070809');
  it('EMV CPS 1.1 §A.2 ("emv")', () => {
    const k = diversify(master, kdd, 'emv');
    expect([k.enc, k.mac, k.dek].map((x) => bytesToHex(kcvDes(x)))).toEqual(['c33013', '6f4ca6', 'bb8179']);
  });
  it('VISA2 ("visa2")', () => {
    const k = diversify(master, kdd, 'visa2');
    expect([k.enc, k.mac, k.dek].map((x) => bytesToHex(kcvDes(x)))).toEqual(['2be598', '58da38', '3c328e']);
  });
});
