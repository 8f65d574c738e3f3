/**
 * Toolkit commands on a SIM without a toolkit application (card/applets/sim/toolkit.ts): the
 * profile a phone sends first is kept (in the image, across power cycles); ENVELOPE, FETCH and
 * TERMINAL RESPONSE answer as toolkit.ts documents instead of 6D00; a posted proactive command is
 * announced by 91xx, fetched and completed; the decoder names the commands on a SIM channel
 * (it used to call 80 10 the loopback's ECHO).
 */
import { describe, expect, it } from 'vitest';
import { installSim, simDefaultAtr, type SimApplet, type SimParams } from '../../../card/applets/sim/index.js';
import { APPLET_REGISTRY } from '../../../card/applets/index.js';
import { Card, SeededRng, bytesToHex, hexToBytes, tearSweep } from '../../../card/runtime/index.js';
import { imageOf, parseImage, serializeImage } from '../../../card/image/index.js';
import { ExchangeDecoder, decodeCommand } from '../../../host/trace/decode.js';
import { SIM_APPLET_AID } from '../../../apdu-specs/index.js';
import { PERSO, tx } from './helpers.js';
import { imageCells } from '../../helpers/image-cells.js';

const PROFILE = 'ffffffff7f';
// A minimal DISPLAY TEXT: D0 len, command details, device identities, text string.
const DISPLAY_TEXT = 'd00f8103012180820281028d0404486921';
const TR_OK = '810301218082028281830100';

function sim(params: SimParams = {}): { card: Card; applet: SimApplet } {
  const card = new Card({ rng: new SeededRng(new Uint8Array(32)), atr: simDefaultAtr() });
  const applet = installSim(card, params, PERSO);
  card.powerOn();
  return { card, applet };
}

function profileCell(card: Card): string {
  const key = [...card.memory.cells.keys()].find((k) => k.endsWith('/toolkit/terminal-profile'));
  expect(key).toBeDefined();
  return imageCells(imageOf(card))[key!]!;
}

const len = (hex: string): string => (hex.length / 2).toString(16).padStart(2, '0');
/** One BER-TLV template: tag, length, value. */
const tlv = (tag: string, value: string): string => tag + len(value) + value;

/** A STATUS poll as a phone sends it (Le as the card asks): its status word. */
function poll(card: Card, c: string): string {
  const status = c === 'a0' ? 'a0f20000' : '80f20000';
  const first = tx(card, `${status}00`);
  const sw = first.slice(-4);
  return sw.startsWith('67') || sw.startsWith('6c') ? tx(card, status + sw.slice(2)).slice(-4) : sw;
}

const WORLDS = [
  { name: 'classic (A0)', personality: 'classic', c: 'a0', wrongP1P2: '6b00', unsupported: '6f00', malformed: '6f00', wrongLe: '67' },
  { name: 'uicc (80)', personality: 'uicc', c: '80', wrongP1P2: '6a86', unsupported: '6a81', malformed: '6a80', wrongLe: '6c' },
] as const;

describe.each(WORLDS)('toolkit commands, $name', (w) => {
  const c = w.c;

  it('TERMINAL PROFILE is stored in persistent memory, kept in the image and across a power cycle', () => {
    const { card } = sim({ personality: w.personality });
    expect(profileCell(card)).toBe('0000' + '00'.repeat(64));
    expect(tx(card, `${c}10000005${PROFILE}`)).toBe('9000');
    expect(profileCell(card)).toBe('0005' + PROFILE + '00'.repeat(59));
    const reloaded = parseImage(serializeImage(card), { registry: APPLET_REGISTRY });
    expect(profileCell(reloaded)).toBe(profileCell(card));
    card.powerOff();
    card.powerOn();
    expect(profileCell(card).slice(0, 14)).toBe('0005' + PROFILE);
    // The same profile again writes nothing; a shorter one replaces it.
    const writes = card.memory.writeCount;
    expect(tx(card, `${c}10000005${PROFILE}`)).toBe('9000');
    expect(card.memory.writeCount).toBe(writes);
    expect(tx(card, `${c}1000000201ff`)).toBe('9000');
    expect(profileCell(card).slice(0, 8)).toBe('000201ff');
  });

  it('a profile longer than the kept 64 bytes is kept truncated, not refused', () => {
    const { card } = sim({ personality: w.personality });
    expect(tx(card, `${c}10000050${'ab'.repeat(80)}`)).toBe('9000');
    expect(profileCell(card)).toBe('0040' + 'ab'.repeat(64));
  });

  it('ENVELOPE with no toolkit application: control and events allowed, downloads refused, the rest unsupported', () => {
    const { card } = sim({ personality: w.personality });
    const env = (tlv: string) => tx(card, `${c}c20000${len(tlv)}${tlv}`);
    expect(env(tlv('d4', '82028281' + '860491214365'))).toBe('9000'); // call control: allowed, unmodified
    expect(env(tlv('d5', '82028281' + '8600' + '8600'))).toBe('9000'); // MO SMS control
    expect(env(tlv('d6', '990104' + '82028281'))).toBe('9000'); // event download (user activity)
    expect(env(tlv('d1', '82028381' + '8b' + len('0409') + '0409'))).toBe('6f00'); // SMS-PP download: data download error
    expect(env(tlv('d2', '82028381' + '8c01aa'))).toBe('6f00'); // CB download
    expect(env(tlv('d3', '82020181' + '900101'))).toBe(w.unsupported); // menu selection: no menu was set up
    expect(env('d681' + len('990104') + '990104')).toBe('9000'); // two-byte length form
    expect(env('d60799')).toBe(w.malformed); // length says 7, 1 byte follows
    expect(env('d6020102ff')).toBe(w.malformed); // trailing byte
  });

  it('FETCH and TERMINAL RESPONSE with no proactive command pending answer 6F00', () => {
    const { card } = sim({ personality: w.personality });
    expect(tx(card, `${c}12000010`)).toBe('6f00');
    expect(tx(card, `${c}140000${len(TR_OK)}${TR_OK}`)).toBe('6f00');
    expect(tx(card, `${c}10000005${PROFILE}`)).toBe('9000');
    expect(tx(card, `${c}12000010`)).toBe('6f00');
    expect(tx(card, `${c}140000${len(TR_OK)}${TR_OK}`)).toBe('6f00');
  });

  it('malformed commands get 6700 (wrong case) or the wrong-P1-P2 word and change nothing', () => {
    const { card } = sim({ personality: w.personality });
    expect(tx(card, `${c}10000005${PROFILE}`)).toBe('9000');
    const before = profileCell(card);
    expect(tx(card, `${c}10000000`)).toBe('6700'); // TERMINAL PROFILE without data
    expect(tx(card, `${c}10010005${PROFILE}`)).toBe(w.wrongP1P2);
    expect(tx(card, `${c}1200000201 02`.replace(' ', ''))).toBe('6700'); // FETCH with data
    expect(tx(card, `${c}14000000`)).toBe('6700'); // TERMINAL RESPONSE without data
    expect(tx(card, `${c}c2000000`)).toBe('6700'); // ENVELOPE without data
    expect(tx(card, `${c}c2000103d60101`)).toBe(w.wrongP1P2);
    expect(profileCell(card)).toBe(before);
  });

  it('a posted proactive command: 91xx after the profile, FETCH returns it, TERMINAL RESPONSE completes it', () => {
    const { card, applet } = sim({ personality: w.personality });
    const n = len(DISPLAY_TEXT);
    const st = () => poll(card, c);
    applet.proactive.post(hexToBytes(DISPLAY_TEXT));
    expect(st()).toBe('9000'); // no profile yet in this session: not announced
    expect(tx(card, `${c}12000000`.slice(0, 8) + n)).toBe('6f00');
    expect(tx(card, `${c}10000005${PROFILE}`)).toBe(`91${n}`);
    expect(st()).toBe(`91${n}`);
    // An error is not turned into 91xx.
    expect(tx(card, `${c}b0000001`)).not.toMatch(/^91/);
    // Wrong Le: the runtime asks for the exact length; the command stays announced.
    expect(tx(card, `${c}12000005`)).toBe(`${w.wrongLe}${n}`);
    expect(st()).toBe(`91${n}`);
    expect(tx(card, `${c}120000${n}`)).toBe(`${DISPLAY_TEXT}9000`);
    expect(st()).toBe('9000'); // fetched: no longer announced
    expect(tx(card, `${c}140000${len(TR_OK)}${TR_OK}`)).toBe('9000');
    expect(applet.proactive.size).toBe(0);
    expect(tx(card, `${c}120000${n}`)).toBe('6f00');
    expect(tx(card, `${c}140000${len(TR_OK)}${TR_OK}`)).toBe('6f00');
  });

  it('two posted commands are served in order; the TERMINAL RESPONSE of the first announces the second', () => {
    const { card, applet } = sim({ personality: w.personality });
    expect(tx(card, `${c}10000005${PROFILE}`)).toBe('9000');
    applet.proactive.post(hexToBytes(DISPLAY_TEXT));
    applet.proactive.post(hexToBytes('d009810301050082028182'));
    expect(tx(card, `${c}120000${len(DISPLAY_TEXT)}`)).toBe(`${DISPLAY_TEXT}9000`);
    expect(tx(card, `${c}140000${len(TR_OK)}${TR_OK}`)).toBe('910b');
    expect(tx(card, `${c}1200000b`)).toBe('d0098103010500820281829000');
    expect(tx(card, `${c}140000${len(TR_OK)}${TR_OK}`)).toBe('9000');
  });

  it('the queue is transient: a power cycle forgets it, the profile stays', () => {
    const { card, applet } = sim({ personality: w.personality });
    expect(tx(card, `${c}10000005${PROFILE}`)).toBe('9000');
    applet.proactive.post(hexToBytes(DISPLAY_TEXT));
    card.powerOff();
    card.powerOn();
    expect(applet.proactive.size).toBe(0);
    expect(tx(card, `${c}10000005${PROFILE}`)).toBe('9000');
    expect(tx(card, `${c}120000${len(DISPLAY_TEXT)}`)).toBe('6f00');
  });
});

describe('toolkit classes per personality', () => {
  it('a single-world SIM refuses the other class; "both" answers both', () => {
    const classic = sim({ personality: 'classic' }).card;
    const uicc = sim({ personality: 'uicc' }).card;
    const both = sim({ personality: 'both' }).card;
    for (const ins of ['10000005' + PROFILE, '12000010', 'c2000103d60101', '1400000c' + TR_OK]) {
      // A classic SIM takes class 8X only for personalization STORE DATA: any other 8X is 6E00.
      expect(tx(classic, `80${ins}`), `classic 80${ins}`).toBe('6e00');
      expect(tx(uicc, `a0${ins}`), `uicc a0${ins}`).toBe('6e00');
    }
    expect(tx(both, `a010000005${PROFILE}`)).toBe('9000');
    expect(tx(both, `8010000005${PROFILE}`)).toBe('9000');
    expect(tx(both, 'a012000010')).toBe('6f00');
    expect(tx(both, '8012000010')).toBe('6f00');
  });

  it('post() takes 1..256 bytes', () => {
    const { applet } = sim();
    expect(() => applet.proactive.post(new Uint8Array(0))).toThrow(RangeError);
    expect(() => applet.proactive.post(new Uint8Array(257))).toThrow(RangeError);
  });
});

describe('decoding toolkit commands on a SIM channel', () => {
  it('names TERMINAL PROFILE, FETCH, TERMINAL RESPONSE and ENVELOPE by the SIM applet, in both classes', () => {
    const d = new ExchangeDecoder(); // power-up: the SIM is the default applet on channel 0
    const names = (pairs: [string, string][]) => pairs.map(([c, r]) => {
      const out = d.decode(hexToBytes(c), hexToBytes(r));
      return `${out.command.name} ${out.response.swHex}`;
    });
    expect(names([
      [`8010000005${PROFILE}`, '910f'],
      ['801200000f', `${DISPLAY_TEXT}9000`],
      [`8014000012${TR_OK}`, '9000'],
      ['80c2000003d60101', '9000'],
      [`a010000005${PROFILE}`, '9000'],
      ['a012000010', '6f00'],
      [`a014000012${TR_OK}`, '9000'],
      ['a0c2000003d60101', '9000'],
    ])).toEqual([
      'CAT_TERMINAL_PROFILE 910f', 'CAT_FETCH 9000', 'CAT_TERMINAL_RESPONSE 9000', 'CAT_ENVELOPE 9000',
      'GSM_TERMINAL_PROFILE 9000', 'GSM_FETCH 6f00', 'GSM_TERMINAL_RESPONSE 9000', 'GSM_ENVELOPE 9000',
    ]);
    // On a logical channel where the SIM applet was selected by AID.
    d.observe(hexToBytes(`01a404000a${SIM_APPLET_AID}`), hexToBytes('9000'));
    expect(d.command(hexToBytes('811200000f')).name).toBe('CAT_FETCH');
    expect(d.command(hexToBytes('81f200000c')).name).toBe('UICC_STATUS');
  });

  it('without an applet context 80 10 stays the loopback ECHO (the loopback traces decode as before)', () => {
    expect(decodeCommand(hexToBytes('8010000002cafe')).name).toBe('ECHO');
  });

  it('the card and the decoder agree on the terminal response of a session', () => {
    const { card } = sim();
    const d = new ExchangeDecoder();
    const cmd = hexToBytes(`a010000005${PROFILE}`);
    const rsp = card.transmit(cmd);
    expect(bytesToHex(rsp)).toBe('9000');
    expect(d.decode(cmd, rsp).command.name).toBe('GSM_TERMINAL_PROFILE');
  });
});

describe('TERMINAL PROFILE and tears', () => {
  it('torn at every persistent write, the stored profile is the old one or the new one, never a mix', () => {
    const { card } = sim();
    expect(tx(card, `801000000a${'11'.repeat(10)}`)).toBe('9000');
    const stored = (): string => {
      const [, cell] = [...card.memory.cells].find(([k]) => k.endsWith('toolkit/terminal-profile'))!;
      return bytesToHex(cell.subarray(2, 2 + ((cell[0]! << 8) | cell[1]!)));
    };
    const next = '22'.repeat(20);
    const r = tearSweep(card, hexToBytes(`8010000014${next}`), (p) => {
      expect(['11'.repeat(10), next], `tear after write ${p.point}`).toContain(stored());
      if (!p.torn) expect(stored()).toBe(next);
    });
    expect(r.writes).toBeGreaterThan(0);
    expect(stored()).toBe(next);
  });
});
