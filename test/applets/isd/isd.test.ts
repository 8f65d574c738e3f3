/**
 * The Issuer Security Domain (card/applets/isd, issue 21): SELECT and its FCI, GET DATA, the
 * secure channel at every security level against a node:crypto host (host.ts) and against pySim's
 * recorded SCP03 sessions, the retry counter, the card life cycle, PUT KEY, STORE DATA, DELETE.
 */
import { describe, expect, it } from 'vitest';
import { Card, concat } from '../../../card/runtime/index.js';
import { AUTH_TRIES, installIsd, ISD_AID, IsdApplet, OPEN_PLATFORM_ISD_AID } from '../../../card/applets/isd/index.js';
import { HostSession, h, hex, openSession, send, sendWrapped, swOf } from './host.js';
import { TEST_KEY, TEST_KEYS, isdCard } from './fixture.js';
import { join } from 'node:path';
import { buildCard } from '../../../host/profile/build.js';
import { loadProfileFile } from '../../../host/profile/load.js';
import { REPO } from '../../cli/built-cli.js';
import { USIM_AID } from '../../../card/applets/sim/index.js';
import { SIM_APPLET_AID } from '../../../apdu-specs/index.js';

// Card recognition data (GP CS v2.3.1 Annex H): GP OID, GP 2.3.1, card identification scheme,
// SCP02 i=55, SCP03 i=70.
const CRD = '733c' + '06072a864886fc6b01' + '600c060a2a864886fc6b02020301' + '6309' + '06072a864886fc6b03' + '640b06092a864886fc6b040255' + '640b06092a864886fc6b040370';
// The default CPLC: OS identifier CF01, release date 6335, level 0001, the rest zero.
const CPLC = '00000000cf0163350001' + '00'.repeat(32);

describe('SELECT and GET DATA', () => {
  it('SELECT by AID answers the FCI of GP CS Table 11-5: 84 AID, A5 { 73 card recognition data, 9F6E, 9F65 }', () => {
    const { card } = isdCard();
    const r = send(card, `00a4040008${ISD_AID}00`);
    expect(r.sw).toBe(0x9000);
    expect(hex(r.data)).toBe(`6f57` + `8408${ISD_AID}` + `a54b${CRD}` + '9f6e0600000000cf01' + '9f6501ff');
  });

  it('is not the default applet: power-up selects nothing, a partial AID selects it', () => {
    const card = new Card();
    installIsd(card);
    card.powerOn();
    expect(card.selectedOn(0)).toBeNull();
    expect(send(card, '00a4040006a0000001510000').sw).toBe(0x9000);
    expect(card.selectedOn(0)?.type).toBe('cardforge.isd');
  });

  it('GET DATA without a session: card data 66, key information E0, CPLC 9F7F, key diversification data CF', () => {
    const { card } = isdCard({ keyDiversificationData: h('00010203040506070809') });
    expect(hex(send(card, '80ca006600').data)).toBe(`663e${CRD}`);
    // AES keys 01..03 at version 30 first, then DES keys at 20 (C0: id, version, type, length).
    expect(hex(send(card, '00ca00e000').data)).toBe('e024' + 'c00401308810c00402308810c00403308810' + 'c00401208010c00402208010c00403208010');
    expect(hex(send(card, '80ca9f7f00').data)).toBe(`9f7f2a${CPLC}`);
    expect(hex(send(card, '80ca00cf00').data)).toBe('cf0a00010203040506070809');
    expect(hex(send(card, '00ca9f7f00').data)).toBe(`9f7f2a${CPLC}`); // the interindustry class too
    expect(swOf(card, '80ca004200')).toBe('6a88'); // no IIN set
    expect(swOf(card, '80ca00fe00')).toBe('6a88');
  });

  it('no command returns a key value', () => {
    const { card } = isdCard();
    for (const tag of ['0066', '00e0', '9f7f', '00cf']) expect(hex(send(card, `80ca${tag}00`).data)).not.toContain(hex(TEST_KEY));
  });

  it('content management needs an authenticated session: 6982', () => {
    const { card } = isdCard();
    expect(swOf(card, '80f28002024f0000')).toBe('6982');
    expect(swOf(card, '80f0800f')).toBe('6982');
    expect(swOf(card, '84f28002024f0000')).toBe('6982'); // an SM class without a session
  });
});

describe('secure channel against a node:crypto host', () => {
  for (const [scp, kvn, levels] of [['SCP03', 0x30, [0x00, 0x01, 0x03, 0x11, 0x13, 0x33]], ['SCP02', 0x20, [0x00, 0x01, 0x03]]] as const) {
    for (const level of levels) {
      it(`${scp} at security level ${level.toString(16).padStart(2, '0')}: GET STATUS of the ISD and a PUT KEY`, () => {
        const { card } = isdCard();
        const s = openSession(card, TEST_KEYS, level, kvn);
        expect(s.scp).toBe(scp === 'SCP03' ? 3 : 2);
        const st = sendWrapped(card, s, '80f28002', '4f00');
        expect(st.sw).toBe(0x9000);
        expect(hex(st.data)).toBe(`e3134f08${ISD_AID}9f70010fc5039a4000`);
        const legacy = sendWrapped(card, s, '80f28000', '4f00');
        expect(hex(legacy.data)).toBe(`08${ISD_AID}0f9a`);
        // A new key set at version 31 (AES) / 21 (DES), ids 1..3, KCVs returned.
        const type = scp === 'SCP03' ? 0x88 : 0x80;
        const newKey = h('000102030405060708090a0b0c0d0e0f');
        const data = concat(Uint8Array.of(kvn + 1), s.keyBlock(type, newKey), s.keyBlock(type, newKey), s.keyBlock(type, newKey));
        const pk = sendWrapped(card, s, '80d80081', hex(data));
        expect(pk.sw).toBe(0x9000);
        const kcv = hex(s.keyBlock(type, newKey).slice(-3));
        expect(hex(pk.data)).toBe(`${(kvn + 1).toString(16)}${kcv}${kcv}${kcv}`);
        // The new keys open a session.
        send(card, `00a4040008${ISD_AID}00`);
        openSession(card, { enc: newKey, mac: newKey, dek: newKey }, level, kvn + 1);
      });
    }
  }

  it('no answer of a session carries a static or session key, or half of one', () => {
    for (const [kvn, level] of [[0x30, 0x33], [0x20, 0x03]] as const) {
      const { card } = isdCard();
      const answers: string[] = [];
      const s = new HostSession(TEST_KEYS);
      const iu = send(card, s.initializeUpdate(kvn));
      answers.push(hex(iu.data));
      s.accept(iu.data);
      answers.push(hex(send(card, s.externalAuthenticate(level)).data));
      for (const [header, data] of [['80f28002', '4f00'], ['80ca00e0', ''], ['80ca9f7f', ''], ['80ca0066', '']] as const) {
        const r = send(card, s.wrap(h(header), h(data), true));
        answers.push(hex(r.data), hex(s.unwrap(r.data, r.sw)));
      }
      const k = TEST_KEYS.enc;
      const secrets = [k, ...s.sessionKeys()].flatMap((x) => [hex(x), hex(x.subarray(0, 8)), hex(x.subarray(8))]);
      expect(s.sessionKeys().length).toBeGreaterThanOrEqual(3);
      for (const a of answers) for (const x of secrets) expect(a.includes(x), `${a} holds ${x}`).toBe(false);
    }
  });

  it('SCP02 uses the sequence counter: incremented by each successful EXTERNAL AUTHENTICATE; the i=55 card challenge', () => {
    const { card } = isdCard({ counters: { scp02: 0x0041 } });
    const s1 = openSession(card, TEST_KEYS, 0x01, 0x20);
    expect(hex(s1.seq)).toBe('0041');
    // Pseudo-random (i=55): the retail MAC of the padded AID under the C-MAC session key, 6 bytes.
    expect(hex(s1.cardChallenge)).toBe(hex(s1.pseudoRandomScp02Challenge(h(ISD_AID))));
    const s2 = openSession(card, TEST_KEYS, 0x01, 0x20);
    expect(hex(s2.seq)).toBe('0042');
  });

  it('SCP03 answers its card challenge counter; INITIALIZE UPDATE with P1 00 opens the first key set (SCP03, 30)', () => {
    const { card } = isdCard({ counters: { scp03: 0x000105 } });
    const s = new HostSession(TEST_KEYS);
    const r = send(card, s.initializeUpdate(0));
    expect(r.sw).toBe(0x9000);
    expect(hex(r.data.slice(10, 13))).toBe('300370');
    expect(hex(r.data.slice(29))).toBe('000106');
    s.accept(r.data);
  });

  it('a wrong C-MAC closes the session (6982); so does a command without its MAC', () => {
    const { card } = isdCard();
    const s = openSession(card, TEST_KEYS, 0x01, 0x30);
    const cmd = s.wrap(h('80f28002'), h('4f00'), true);
    cmd[cmd.length - 2]! ^= 1;
    expect(swOf(card, cmd)).toBe('6982');
    expect(swOf(card, '80f28002024f0000')).toBe('6982'); // no session any more
    const s2 = openSession(card, TEST_KEYS, 0x01, 0x30);
    expect(swOf(card, '80f28002024f0000')).toBe('6982'); // plain in a C-MAC session: closed
    expect(sendWrapped(card, s2, '80f28002', '4f00').sw).toBe(0x6982);
  });

  it('deselect and reset end the session', () => {
    const { card } = isdCard();
    let s = openSession(card, TEST_KEYS, 0x01, 0x30);
    send(card, `00a4040008${ISD_AID}00`);
    expect(sendWrapped(card, s, '80f28002', '4f00').sw).toBe(0x6982);
    s = openSession(card, TEST_KEYS, 0x01, 0x30);
    card.reset();
    send(card, `00a4040008${ISD_AID}00`);
    expect(sendWrapped(card, s, '80f28002', '4f00').sw).toBe(0x6982);
  });

  it('a security level the protocol lacks is refused: SCP02 with R-MAC (11) → 6A86', () => {
    const { card } = isdCard();
    const s = new HostSession(TEST_KEYS);
    s.accept(send(card, s.initializeUpdate(0x20)).data);
    expect(swOf(card, s.externalAuthenticate(0x11))).toBe('6a86');
  });

  it('an unknown key version: 6A88; EXTERNAL AUTHENTICATE without INITIALIZE UPDATE: 6985', () => {
    const { card } = isdCard();
    expect(swOf(card, '8050550008010203040506070800')).toBe('6a88');
    expect(swOf(card, '848200001001020304050607080102030405060708')).toBe('6985');
  });
});

describe('authentication retry counter', () => {
  it(`a wrong host cryptogram answers 6300 and counts; ${AUTH_TRIES} in a row block INITIALIZE UPDATE (6983); a success resets`, () => {
    const { card, isd } = isdCard();
    // A host cryptogram that is not the card's (its C-MAC is right: only the cryptogram is wrong).
    const fail = (): string => {
      const s = new HostSession(TEST_KEYS);
      const r = send(card, s.initializeUpdate(0x30));
      expect(r.sw).toBe(0x9000);
      s.accept(r.data);
      return swOf(card, s.externalAuthenticate(0x01, h('0011223344556677')));
    };
    expect(fail()).toBe('6300');
    expect(isd.authTriesLeft).toBe(AUTH_TRIES - 1);
    openSession(card, TEST_KEYS, 0x01, 0x30);
    expect(isd.authTriesLeft).toBe(AUTH_TRIES);
    for (let i = 0; i < AUTH_TRIES; i++) expect(fail()).toBe('6300');
    expect(isd.authTriesLeft).toBe(0);
    expect(swOf(card, new HostSession(TEST_KEYS).initializeUpdate(0x30))).toBe('6983');
    card.reset(); // persistent
    send(card, `00a4040008${ISD_AID}00`);
    expect(swOf(card, new HostSession(TEST_KEYS).initializeUpdate(0))).toBe('6983');
  });

  it('wrong static keys (the card cryptogram check fails on the host; the card answers 6300 to the guess)', () => {
    const { card } = isdCard();
    const s = new HostSession({ enc: h('00'.repeat(16)), mac: h('00'.repeat(16)), dek: h('00'.repeat(16)) });
    const r = send(card, s.initializeUpdate(0x30));
    expect(() => s.accept(r.data)).toThrow(/card cryptogram/);
    expect(swOf(card, s.externalAuthenticate(0x01))).toBe('6300');
  });
});

describe('card life cycle (SET STATUS P1 80)', () => {
  const set = (card: Card, s: HostSession, state: number): string => sendWrapped(card, s, `80f080${state.toString(16).padStart(2, '0')}`, '', false).sw.toString(16);

  it('OP_READY → INITIALIZED → SECURED → CARD_LOCKED ↔ SECURED → TERMINATED; no way back; GET STATUS shows each', () => {
    const { card } = isdCard({ lifeCycle: 0x01 });
    const s = openSession(card, TEST_KEYS, 0x01, 0x30);
    const state = (): string => hex(sendWrapped(card, s, '80f28000', '4f00').data).slice(18, 20);
    expect(state()).toBe('01');
    expect(set(card, s, 0x0f)).toBe('9000'); // OP_READY may go straight to SECURED
    expect(state()).toBe('0f');
    expect(set(card, s, 0x07)).toBe('6985'); // back to INITIALIZED: illegal
    expect(set(card, s, 0x01)).toBe('6985');
    expect(set(card, s, 0x7f)).toBe('9000');
    expect(state()).toBe('7f');
    expect(set(card, s, 0x7f)).toBe('6985'); // locked already
    expect(set(card, s, 0x0f)).toBe('9000');
    expect(set(card, s, 0x33)).toBe('6a80'); // no life cycle coding
    expect(set(card, s, 0xff)).toBe('9000');
    // TERMINATED: only GET DATA.
    expect(sendWrapped(card, s, '80f28000', '4f00').sw.toString(16)).toBe('6985');
    expect(swOf(card, '00ca9f7f00')).toBe('9000');
    expect(swOf(card, new HostSession(TEST_KEYS).initializeUpdate(0))).toBe('6985');
  });

  it('CARD_LOCKED: only the ISD can be selected (the SIM, its USIM, a user applet: 6A82) until SECURED again; TERMINATED: only the ISD, also after a power cycle (GP CS 2.3.1 §5.1.1.4-5)', () => {
    const file = join(REPO, 'profiles/example-sim.yaml');
    const card = buildCard(loadProfileFile(file), file);
    card.protocol = 'T=1';
    const isd = `00a4040008${OPEN_PLATFORM_ISD_AID}00`;
    const sim = `00a404000a${SIM_APPLET_AID}00`;
    const usim = `00a4040410${USIM_AID}00`;
    expect(send(card, isd).sw).toBe(0x9000);
    let s = openSession(card, TEST_KEYS, 0x01, 0x30);
    expect(set(card, s, 0x7f)).toBe('9000');
    expect(swOf(card, sim)).toBe('6a82');
    expect(swOf(card, usim)).toBe('6a82');
    expect(swOf(card, isd)).toBe('9000');
    // After a power cycle the default applet (the SIM) is not selected either: the basic channel has none.
    card.reset();
    expect(card.selectedOn(0)).toBeNull();
    expect(swOf(card, isd)).toBe('9000');
    s = openSession(card, TEST_KEYS, 0x01, 0x30);
    expect(set(card, s, 0x0f)).toBe('9000');
    expect(send(card, sim).sw >> 8).not.toBe(0x6a);
    expect(swOf(card, usim)).toBe('9000');
    card.reset();
    expect(card.selectedOn(0)?.type).toBe('cardforge.sim');
    // TERMINATED: the ISD answers GET DATA; nothing else can be selected, for good.
    expect(swOf(card, isd)).toBe('9000');
    s = openSession(card, TEST_KEYS, 0x01, 0x30);
    expect(set(card, s, 0xff)).toBe('9000');
    card.reset();
    expect(card.selectedOn(0)).toBeNull();
    expect(swOf(card, sim)).toBe('6a82');
    expect(swOf(card, isd)).toBe('9000');
    expect(swOf(card, '80ca9f7f00')).toBe('9000');
  });

  it('OP_READY → INITIALIZED → SECURED', () => {
    const { card } = isdCard({ lifeCycle: 0x01 });
    const s = openSession(card, TEST_KEYS, 0x03, 0x20);
    expect(set(card, s, 0x07)).toBe('9000');
    expect(set(card, s, 0x01)).toBe('6985');
    expect(set(card, s, 0x0f)).toBe('9000');
    expect(set(card, s, 0x07)).toBe('6985');
  });

  it('SET STATUS with another AID than the ISD\'s: 6A88; nothing changes', () => {
    const { card } = isdCard();
    const s = openSession(card, TEST_KEYS, 0x01, 0x30);
    expect(sendWrapped(card, s, '80f0807f', 'a0000001510001', false).sw.toString(16)).toBe('6a88');
    expect(hex(sendWrapped(card, s, '80f28000', '4f00').data).slice(18, 20)).toBe('0f');
  });
});

describe('PUT KEY, DELETE key, STORE DATA', () => {
  it('PUT KEY refuses a wrong KCV (6A80) and an existing new version (6A80) and changes nothing', () => {
    const { card } = isdCard();
    const s = openSession(card, TEST_KEYS, 0x03, 0x30);
    const block = s.keyBlock(0x88, h('00'.repeat(16)));
    block[block.length - 1]! ^= 1;
    expect(sendWrapped(card, s, '80d80001', hex(concat(Uint8Array.of(0x31), block))).sw.toString(16)).toBe('6a80');
    expect(sendWrapped(card, s, '80d80001', hex(concat(Uint8Array.of(0x20), s.keyBlock(0x88, TEST_KEY)))).sw.toString(16)).toBe('6a80');
    expect(hex(send(card, '00ca00e000').data).length).toBe(2 * 38);
  });

  it('PUT KEY replacing version 30 by 32: the old version is gone, the new one opens a session', () => {
    const { card } = isdCard();
    const s = openSession(card, TEST_KEYS, 0x01, 0x30);
    const k = h('303132333435363738393a3b3c3d3e3f');
    const r = sendWrapped(card, s, '80d83081', hex(concat(Uint8Array.of(0x32), s.keyBlock(0x88, k), s.keyBlock(0x88, k), s.keyBlock(0x88, k))));
    expect(r.sw).toBe(0x9000);
    expect(hex(send(card, '00ca00e000').data)).toContain('c00401328810');
    expect(hex(send(card, '00ca00e000').data)).not.toContain('c00401308810');
    expect(swOf(card, new HostSession(TEST_KEYS).initializeUpdate(0x30))).toBe('6a88');
    send(card, `00a4040008${ISD_AID}00`);
    openSession(card, { enc: k, mac: k, dek: k }, 0x01, 0x32);
  });

  it('DELETE of a key version (D2): its keys go; of an unknown one: 6A88; of the ISD itself: 6985', () => {
    const { card } = isdCard();
    const s = openSession(card, TEST_KEYS, 0x01, 0x30);
    expect(sendWrapped(card, s, '80e40000', 'd20120').sw).toBe(0x9000);
    expect(hex(send(card, '00ca00e000').data)).toBe('e012' + 'c00401308810c00402308810c00403308810');
    expect(sendWrapped(card, s, '80e40000', 'd20120').sw.toString(16)).toBe('6a88');
    expect(sendWrapped(card, s, '80e40000', `4f08${ISD_AID}`).sw.toString(16)).toBe('6985');
  });

  it('STORE DATA (BER-TLV and DGI) sets IIN, CIN and key diversification data in one transaction', () => {
    const { card } = isdCard();
    const s = openSession(card, TEST_KEYS, 0x03, 0x30);
    expect(sendWrapped(card, s, '80e29000', '4204000102034506cafe00000001').sw).toBe(0x9000);
    expect(hex(send(card, '00ca004200').data)).toBe('420400010203');
    expect(hex(send(card, '00ca004500').data)).toBe('4506cafe00000001');
    expect(sendWrapped(card, s, '80e28800', '00cf0a11111111111111111111').sw).toBe(0x9000);
    expect(hex(send(card, '00ca00cf00').data)).toBe('cf0a11111111111111111111');
    // A bad record anywhere: nothing of the block is written.
    expect(sendWrapped(card, s, '80e29000', '420199' + 'cf0101').sw.toString(16)).toBe('6a80');
    expect(hex(send(card, '00ca004200').data)).toBe('420400010203');
  });

  it('LOAD answers 6A81 (no executable load file is loaded: cardforge runs no bytecode), behind the secure channel', () => {
    const { card } = isdCard();
    expect(swOf(card, '80e88000 02 c400'.replace(/ /g, ''))).toBe('6982');
    const s = openSession(card, TEST_KEYS, 0x01, 0x30);
    expect(sendWrapped(card, s, '80e88000', 'c400').sw.toString(16)).toBe('6a81');
  });
});

describe('the ISD on a SIM card built from a profile', () => {
  it('the SIM stays the default applet; the ISD is selected by AID and opens SCP03; back to the USIM through the SIM applet\'s AID', () => {
    const file = join(REPO, 'profiles/example-sim.yaml');
    const card = buildCard(loadProfileFile(file), file);
    card.protocol = 'T=1'; // the example SIM's ATR offers T=0; answers then come without GET RESPONSE
    expect(card.selectedOn(0)?.type).toBe('cardforge.sim');
    // Where the sysmoISIM-SJA2 (../shared/fixtures, MF/ADF.ISD) and pySim-shell's ADF.ISD have it,
    // and not at GlobalPlatform's A000000151000000. Its FCI starts as the real card's: 6F 84 <AID> A5.
    expect(send(card, `00a4040008${ISD_AID}00`).sw.toString(16)).toBe('6a82');
    const fci = send(card, `00a4040008${OPEN_PLATFORM_ISD_AID}00`);
    expect(fci.sw).toBe(0x9000);
    expect(hex(fci.data)).toMatch(/^6f[0-9a-f]{2}8408a000000003000000a5/);
    expect(hex(fci.data)).toMatch(/9f6501ff/);
    expect(hex(send(card, '80ca9f7f00').data)).toMatch(/^9f7f2a/);
    const s = openSession(card, TEST_KEYS, 0x33, 0);
    // The SIM applet is an application of the card's registry; its class a load file.
    expect(hex(sendWrapped(card, s, '80f24002', '4f005c014f').data)).toBe(`e30c4f0a${SIM_APPLET_AID}`);
    // The USIM is an ADF inside the SIM applet: SELECT of its AID while the ISD is current selects
    // the SIM applet on the channel and the USIM in it (pySim-shell: select ADF.ISD, then ADF.USIM).
    const usim = send(card, `00a4040410${USIM_AID}00`);
    expect(usim.sw).toBe(0x9000);
    expect(hex(usim.data)).toContain(`8410${USIM_AID}`);
    expect(card.selectedOn(0)?.type).toBe('cardforge.sim');
    // The ISD's session ended with its deselection; a truncated USIM AID works the same way.
    expect(send(card, `00a4040008${OPEN_PLATFORM_ISD_AID}00`).sw).toBe(0x9000);
    expect(send(card, `00a404040c${USIM_AID.slice(0, 24)}00`).sw).toBe(0x9000);
    // A name nothing on the card has still answers 6A82 from the ISD, and the ISD stays selected.
    expect(send(card, `00a4040008${OPEN_PLATFORM_ISD_AID}00`).sw).toBe(0x9000);
    expect(send(card, '00a4040005a0000000ff00').sw.toString(16)).toBe('6a82');
    expect(card.selectedOn(0)?.type).toBe('cardforge.isd');
  });

  it('SELECT of the USIM from the ISD on logical channel 1 leaves channel 0 as it was', () => {
    const file = join(REPO, 'profiles/example-sim.yaml');
    const card = buildCard(loadProfileFile(file), file);
    card.protocol = 'T=1';
    expect(hex(send(card, '0070000001').data)).toBe('01');
    expect(send(card, `01a4040008${OPEN_PLATFORM_ISD_AID}00`).sw).toBe(0x9000);
    expect(card.selectedOn(1)?.type).toBe('cardforge.isd');
    expect(send(card, `01a4040410${USIM_AID}00`).sw).toBe(0x9000);
    expect(card.selectedOn(1)?.type).toBe('cardforge.sim');
    expect(card.selectedOn(0)?.type).toBe('cardforge.sim');
    // Channel 1 is in ADF.USIM: EF.IMSI (6F07) by FID; channel 0 is still at the MF, where 6F07 is not.
    expect(send(card, '01a4000c026f07').sw).toBe(0x9000);
    expect(send(card, '00a4000c026f07').sw.toString(16)).toBe('6a82');
  });

  it('a session on logical channel 1 (CLA 81/85)', () => {
    const card = new Card();
    installIsd(card);
    card.powerOn();
    expect(hex(send(card, '0070000001').data)).toBe('01');
    expect(send(card, `01a4040008${ISD_AID}00`).sw).toBe(0x9000);
    for (const kvn of [0x30, 0x20]) {
      const s = new HostSession(TEST_KEYS, h('0102030405060708'), 0x81);
      const iu = send(card, s.initializeUpdate(kvn));
      expect(iu.sw).toBe(0x9000);
      s.accept(iu.data);
      expect(swOf(card, s.externalAuthenticate(0x03))).toBe('9000');
      const r = sendWrapped(card, s, '81f28002', '4f00');
      expect(r.sw).toBe(0x9000);
      expect(hex(r.data)).toMatch(/^e313/);
    }
  });
});

describe('T=0 as pySim drives it', () => {
  it('GET RESPONSE in the class of the command (80 C0 after INITIALIZE UPDATE, 84 C0 inside the channel) is served; with nothing pending 6985', () => {
    const file = join(REPO, 'profiles/example-sim.yaml');
    const card = buildCard(loadProfileFile(file), file);
    expect(card.protocol).toBe('T=0');
    expect(send(card, `00a4040408${OPEN_PLATFORM_ISD_AID}`).sw).toBe(0x6159);
    // pySim's transport copies the CLA of the command that got 61xx into its GET RESPONSE.
    expect(send(card, '80c0000059').sw).toBe(0x9000);
    const s = new HostSession(TEST_KEYS, h('404a8cd8ceaa8705'), 0x80);
    const iu = send(card, s.initializeUpdate(0x20).subarray(0, 13)); // T=0: case 4 without Le
    expect(iu.sw).toBe(0x611c);
    const full = send(card, '80c000001c');
    expect(full.sw).toBe(0x9000);
    s.accept(full.data);
    expect(swOf(card, s.externalAuthenticate(0x01))).toBe('9000');
    // A wrapped GET STATUS (84 F2, case 4 sent without Le) announces its data; 84 C0 fetches it.
    const gs = send(card, s.wrap(h('80f28002'), h('4f00')));
    expect(gs.sw >> 8).toBe(0x61);
    const data = send(card, `84c00000${(gs.sw & 0xff).toString(16).padStart(2, '0')}`);
    expect(data.sw).toBe(0x9000);
    expect(hex(data.data)).toMatch(/^e3/);
    // Nothing pending: the class-80 GET RESPONSE is refused as the interindustry one is.
    expect(swOf(card, '80c0000010')).toBe('6985');
  });
});

describe('the image carries the ISD', () => {
  it('keys, life cycle and counters survive snapshot/restore; a fresh install is SECURED with the test keys', () => {
    const { card, isd } = isdCard();
    expect(isd).toBeInstanceOf(IsdApplet);
    const s = openSession(card, TEST_KEYS, 0x01, 0x20);
    expect(hex(s.seq)).toBe('0000');
    const snap = card.snapshot();
    const s2 = openSession(card, TEST_KEYS, 0x01, 0x20);
    expect(hex(s2.seq)).toBe('0001');
    card.restore(snap);
    send(card, `00a4040008${ISD_AID}00`);
    expect(hex(openSession(card, TEST_KEYS, 0x01, 0x20).seq)).toBe('0001');
  });
});
