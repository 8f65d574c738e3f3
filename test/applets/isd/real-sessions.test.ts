/**
 * The ISD against SCP03 sessions recorded from a real card with known keys: osmocom pySim,
 * tests/unittests/test_globalplatform.py (SCP03_Test_AES128_11 / _03 / _33: a sysmoEUICC ISD-R,
 * AES-128 keys ENC 000102…0F, MAC 101112…1F at key version 30, pseudo-random card challenges, the
 * counters 000002 / 000001 / 000003). The emulated ISD, installed under the ISD-R's AID with those
 * keys and counters, answers the recorded INITIALIZE UPDATE byte for byte, accepts the recorded
 * EXTERNAL AUTHENTICATE and every recorded C-MACed (and, at 03/33, encrypted) command after it —
 * the MAC chaining and the encryption counter run across them — and its R-MACed / R-encrypted
 * answers check out under the node:crypto host (host.ts), whose own wrapping reproduces the
 * recorded commands. The answers' contents differ from the ISD-R's (another applet), the
 * cryptography does not.
 */
import { describe, expect, it } from 'vitest';
import { Card, SeededRng } from '../../../card/runtime/index.js';
import { IsdApplet } from '../../../card/applets/isd/index.js';
import { HostSession, h, hex, send } from './host.js';

const ISD_R_AID = 'a0000005591010ffffffff8900000100';
const ENC = h('000102030405060708090a0b0c0d0e0f');
const MAC = h('101112131415161718191a1b1c1d1e1f');
const DEK = h('202122232425262728292a2b2c2d2e2f');

interface Recorded {
  level: number;
  initUpdateCmd: string;
  initUpdateRsp: string;
  extAuthCmd: string;
  getEidCmd: string;
  cases: [string, string, string, string];
}

const SESSIONS: Recorded[] = [
  {
    level: 0x11,
    initUpdateCmd: '8050300008b13e5f938fc108c400',
    initUpdateRsp: '000000000000000000003003703eb51047495b249f66c484c1d2ef1948000002',
    extAuthCmd: '84821100107d5f5826a993ebc89eea24957fa0b3ce',
    getEidCmd: '84e291000ebf3e035c015a558d036518a2829700',
    cases: ['84f220020863a63f8959827fb2', '84ca006608a0c6a4a74166f7ce00', '84f22002124f0212345c054f9f70c52249b50272656536', '84f280020a4f00e91443f6dce6b8ed00'],
  },
  {
    level: 0x03,
    initUpdateCmd: '80503000088e1552d0513c60f300',
    initUpdateRsp: '0000000000000000000030037030760cd2c47c1dd395065fe5ead8a9d7000001',
    extAuthCmd: '8482030010fd4721a14d9b07003c451d2f8ae6bb21',
    getEidCmd: '84e2910018ca9c00f6713d79bc8baa642bdff51c3f6a4082d3bd9ad26c00',
    cases: ['84f2200208c9811b11f1264cf1', '84ca006608e10ab60b3054798800', '84f22002184e2908bdb48b2315a55482e9e936ca122d6ecfae7d17416e', '84f28002180dd10a6b6193e5340b9e77d32d5a179cd710ac2773aefb2800'],
  },
  {
    level: 0x33,
    initUpdateCmd: '8050300008fdf38259a1e0de4400',
    initUpdateRsp: '000000000000000000003003703b1aca81e821f219081cdc01c26b372d000003',
    extAuthCmd: '84823300108c36f96bcc00724a4e13ad591d7da3f0',
    getEidCmd: '84e2910018267a85dfe4a98fca6fb0527e0dfecce4914e40401433c87f00',
    cases: ['84f2200208ac6a59024bed84cc', '84ca006608409912ad8fb7aed000', '84f22002185f3dafc3ac14c381536a488bf44e06d056df9d74dbd21e5a', '84f280021865165105be3373347d0424d4400af2ac393f569ec779389e00'],
  },
];

// The plain commands pySim wrapped (header, data, Le present).
const PLAIN: [string, string, boolean][] = [
  ['80e29100', 'bf3e035c015a', true], // GET EID (an ISD-R STORE DATA): the ISD stores no BF3E → 6A88
  ['80f22002', '', false], // GET STATUS load files without search criteria: 6A80
  ['80ca0066', '', true], // GET DATA card data
  ['80f22002', '4f0212345c054f9f70c5', false],
  ['80f28002', '4f00', true], // GET STATUS of the security domain itself
];

describe('the ISD against pySim\'s recorded SCP03 sessions (sysmoEUICC ISD-R keys and AID)', () => {
  for (const rec of SESSIONS) {
    it(`security level ${rec.level.toString(16).padStart(2, '0')}`, () => {
      const card = new Card({ rng: new SeededRng('real') });
      const counter = parseInt(rec.initUpdateRsp.slice(-6), 16);
      card.install(IsdApplet, {
        aid: ISD_R_AID,
        personalization: { keys: [{ kvn: 0x30, kid: 1, type: 'aes', value: ENC }, { kvn: 0x30, kid: 2, type: 'aes', value: MAC }, { kvn: 0x30, kid: 3, type: 'aes', value: DEK }], counters: { scp03: counter - 1 } },
      });
      card.powerOn();
      expect(send(card, `00a4040010${ISD_R_AID}00`).sw).toBe(0x9000);
      // The card's INITIALIZE UPDATE answer is the real card's, byte for byte.
      const iu = send(card, rec.initUpdateCmd);
      expect(iu.sw).toBe(0x9000);
      expect(hex(iu.data)).toBe(rec.initUpdateRsp);
      // The host reproduces pySim's EXTERNAL AUTHENTICATE; the card accepts it.
      const host = new HostSession({ enc: ENC, mac: MAC, dek: DEK }, h(rec.initUpdateCmd.slice(10, 26)));
      host.accept(iu.data);
      expect(hex(host.externalAuthenticate(rec.level))).toBe(rec.extAuthCmd);
      expect(send(card, rec.extAuthCmd).sw).toBe(0x9000);
      const recorded = [rec.getEidCmd, ...rec.cases];
      const sws: string[] = [];
      PLAIN.forEach(([header, data, le], i) => {
        expect(hex(host.wrap(h(header), h(data), le)), `command ${i}`).toBe(recorded[i]);
        const r = send(card, recorded[i]!);
        sws.push(r.sw.toString(16));
        const plain = host.unwrap(r.data, r.sw);
        if (i === 2) expect(hex(plain)).toMatch(/^663e733c06072a864886fc6b01/);
        if (i === 4) expect(hex(plain)).toBe(`e31b4f10${ISD_R_AID}9f70010fc5039a0000`);
      });
      // No command lost the session (6982): the refusals are the ISD's own answers — GET STATUS
      // without search criteria 6A80 (as the real ISD-R answered it: pySim's
      // tests/pySim-shell_test/apdu/test_apdu_scp03.template), a tag list 5C 05 with 4 bytes 6A80.
      expect(sws).toEqual(['6a88', '6a80', '9000', '6a80', '9000']);
    });
  }
});
