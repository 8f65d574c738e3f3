/**
 * Every ISO 7816-4 case/length combination through Card.transmit, valid and invalid, with its SW.
 * Guards the parser and the dispatcher's case checks (bugs here show up as wrong 6700/6Cxx).
 */
import { describe, expect, it } from 'vitest';
import { decodeCla, encodeCla, parseCommand, buildCommand, CardError, bytesToHex } from '../../card/runtime/index.js';
import { testCard, tx, selectHex, TEST_AID } from '../helpers/test-applets.js';

const pattern = (n: number): string => Array.from({ length: n }, (_, i) => (i & 0xff).toString(16).padStart(2, '0')).join('');

describe('APDU cases through the runtime (loopback applet: extended length supported)', () => {
  const cases: Array<[string, string, string]> = [
    ['case 1', '80100000', '9000'],
    ['case 2S', '8010000005', pattern(5) + '9000'],
    ['case 2S, Le=00 means 256', '8010000000', pattern(256) + '9000'],
    ['case 3S, no Le: data held and announced', '8010000002aabb', '6102'],
    ['case 4S exact Le', '8010000002aabb02', 'aabb9000'],
    ['case 4S, Le=00: fewer bytes than Ne is fine on T=1', '8010000002aabb00', 'aabb9000'],
    ['case 4S, Le too short → 6Cxx with the exact length', '8010000002aabb01', '6c02'],
    ['case 2E', '80100000000005', pattern(5) + '9000'],
    ['case 3E', '801000000000020102', '6102'],
    ['case 4E', '8010000000000201020002', '01029000'],
    ['case 4E, Ne < Na: first Ne bytes and 61xx', '80100000000004010203040002', '01026102'],
    ['Lc larger than the data', '8010000003aabb', '6700'],
    ['Lc smaller than the data (2 extra bytes)', '8010000002aabbccdd', '6700'],
    ['extended header truncated (6 bytes)', '801000000000', '6700'],
    ['extended Lc of 0000', '801000000000000102', '6700'],
    ['extended Lc disagrees', '80100000000003aabb', '6700'],
    ['3 bytes', '801000', '6700'],
    ['1 byte', '80', '6700'],
    ['empty', '', '6700'],
  ];
  for (const [name, cmd, resp] of cases) {
    it(`${name}: ${cmd || '(empty)'} → ${resp.length > 12 ? '…' + resp.slice(-4) : resp}`, () => {
      expect(tx(testCard(), cmd)).toBe(resp);
    });
  }
});

describe('declared cases are enforced before the handler (test applet: short only)', () => {
  const card = testCard();
  tx(card, selectHex(TEST_AID) + '00');
  const cases: Array<[string, string, string]> = [
    ['READ4 (case 2) sent as case 1: Le missing', '80340000', '6700'],
    ['READ4 (case 2) sent as case 3', '803400000100', '6700'],
    ['READ4 (case 2) as case 4: data and Le', '80340000010004', '6700'],
    ['READ4 extended to an applet without extended length', '80340000000004', '6700'],
    ['READ4 correct', '8034000004', '000000009000'],
    ['VERIFY (cases 1/3) with Le: Le doubled', '002000010431323334' + '00', '6700'],
    ['VERIFY case 2 form', '0020000100', '6700'],
    ['unknown INS in a known class → 6D00', '80ee000000', '6d00'],
    ['unknown class → 6E00', 'b0340000', '6e00'],
    ['RFU class 2X → 6E00', '20340000', '6e00'],
    ['invalid class FF → 6E00', 'ff340000', '6e00'],
    ['secure messaging bits → 6882', '0c20000100', '6882'],
    ['command chaining bit → 6884', '10200001', '6884'],
  ];
  for (const [name, cmd, resp] of cases) {
    it(`${name}: ${cmd} → ${resp}`, () => {
      expect(tx(card, cmd)).toBe(resp);
    });
  }
});

describe('class byte decoding (ISO 7816-4 §5.4.1, TS 102.221 §10.1.1)', () => {
  it('first interindustry: channel in b2b1, SM in b4b3, chaining in b5', () => {
    expect(decodeCla(0x03)).toEqual({ base: 0, kind: 'interindustry', channel: 3, sm: 0, chaining: false });
    expect(decodeCla(0x1c)).toEqual({ base: 0, kind: 'interindustry', channel: 0, sm: 3, chaining: true });
  });
  it('further interindustry: channel 4 + b4..b1, SM in b6', () => {
    expect(decodeCla(0x40)!.channel).toBe(4);
    expect(decodeCla(0x4f)!.channel).toBe(19);
    expect(decodeCla(0x60)!.sm).toBe(1);
    expect(decodeCla(0x50)!.chaining).toBe(true);
  });
  it('proprietary 8X / CX carry channels; A0 does not; 2X and FF are invalid', () => {
    expect(decodeCla(0x81)).toMatchObject({ base: 0x80, kind: 'proprietary', channel: 1 });
    expect(decodeCla(0xc3)).toMatchObject({ base: 0x80, channel: 7 });
    expect(decodeCla(0xa0)).toMatchObject({ base: 0xa0, channel: 0 });
    expect(decodeCla(0x25)).toBeUndefined();
    expect(decodeCla(0xff)).toBeUndefined();
  });
  it('encodeCla inverts decodeCla for every channel', () => {
    for (let ch = 0; ch < 20; ch++) {
      expect(decodeCla(encodeCla(0x00, ch))!.channel).toBe(ch);
      expect(decodeCla(encodeCla(0x80, ch))!.channel).toBe(ch);
    }
    expect(() => encodeCla(0xa0, 1)).toThrow(RangeError);
  });
});

describe('parseCommand / buildCommand', () => {
  it('reports Ne and the case', () => {
    const a = parseCommand(Uint8Array.of(0, 0xb0, 0, 0, 0));
    expect([a.apduCase, a.ne, a.leAbsent]).toEqual([2, 256, false]);
    const e = parseCommand(Uint8Array.of(0, 0xb0, 0, 0, 0, 0, 0));
    expect([e.apduCase, e.ne, e.extended]).toEqual([2, 65536, true]);
  });
  it('throws CardError with the SW', () => {
    try {
      parseCommand(Uint8Array.of(0, 1, 2));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CardError);
      expect((err as CardError).sw).toBe(0x6700);
    }
  });
  it('builds the short form when it fits and the extended form otherwise, and both parse back', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const forms = [
      buildCommand(0x80, 0x10, 0, 0),
      buildCommand(0x80, 0x10, 0, 0, { ne: 256 }),
      buildCommand(0x80, 0x10, 0, 0, { data: data.subarray(0, 5) }),
      buildCommand(0x80, 0x10, 0, 0, { data: data.subarray(0, 5), ne: 5 }),
      buildCommand(0x80, 0x10, 0, 0, { ne: 1000 }),
      buildCommand(0x80, 0x10, 0, 0, { data }),
      buildCommand(0x80, 0x10, 0, 0, { data, ne: 65536 }),
      buildCommand(0x80, 0x10, 0, 0, { extended: true }),
    ];
    expect(forms.map((f) => bytesToHex(f).length / 2)).toEqual([4, 5, 10, 11, 7, 307, 309, 4]);
    expect(forms.map((f) => parseCommand(f).apduCase)).toEqual([1, 2, 3, 4, 2, 3, 4, 1]);
    expect(parseCommand(forms[6]!).ne).toBe(65536);
    expect(() => buildCommand(0, 0, 0, 0, { ne: 0 })).toThrow('"ne" expected 1..65536, got 0');
  });
});
