/**
 * What real terminals send, through the runtime's T=0 rules (issue 12): handsets, pySim and
 * wpa_supplicant send case-1 commands with P3=00 (ISO/IEC 7816-3 §12.2.2, TS 102.221 §7.3.1.1),
 * GSM handsets poll STATUS with P3=16 (TS 51.011 §9.2.2 returns the first P3 bytes), and class A0
 * answers with the TS 51.011 §9.4 family. Each case below was answered 6700/6717/6D00 before.
 */
import { describe, expect, it } from 'vitest';
import { gsmSelect, pinField, simCard, split, tx } from './helpers.js';

describe('case-1 commands with P3=00 on a T=0 card', () => {
  it('STATUS poll 80 F2 00 0C 00 (no data) answers 9000; with P2=00 and P3=00 it is case 2 and asks for the exact length', () => {
    const card = simCard();
    expect(tx(card, '80f2000c00')).toBe('9000');
    const r = tx(card, '80f2000000');
    expect(r.slice(0, 2)).toBe('6c');
    expect(split(tx(card, `80f20000${r.slice(2)}`)).sw).toBe('9000');
  });

  it('retry-counter queries 00 20 00 01 00 and A0 20 00 01 00 answer 63Cx; 9000 once verified', () => {
    const card = simCard();
    expect(tx(card, '0020000100')).toBe('63c3');
    expect(tx(card, 'a020000100')).toBe('63c3');
    expect(tx(card, '0020008100')).toBe('63c3'); // PIN2
    expect(tx(card, '002000010' + '8' + pinField('0000'))).toBe('63c2');
    expect(tx(card, '0020000100')).toBe('63c2');
    expect(tx(card, 'a020000100')).toBe('63c2');
    expect(tx(card, '0020000108' + pinField('1234'))).toBe('9000');
    expect(tx(card, '0020000100')).toBe('9000');
    expect(tx(card, 'a020000100')).toBe('9000');
  });

  it('a classic-only card answers A0 20 00 01 00 with 63Cx too, and a blocked CHV with 9840', () => {
    const card = simCard({ personality: 'classic' });
    expect(tx(card, 'a020000100')).toBe('63c3');
    for (let i = 0; i < 3; i++) tx(card, 'a020000108' + pinField('0000'));
    expect(tx(card, 'a020000100')).toBe('9840');
  });

  it('UNBLOCK PIN query 00 2C 00 01 00 answers 63CA', () => {
    expect(tx(simCard(), '002c000100')).toBe('63ca');
  });

  it('MANAGE CHANNEL close 00 70 80 01 00 and open-by-number 00 70 00 02 00 are case 1', () => {
    const card = simCard();
    expect(tx(card, '0070000001')).toBe('019000');
    expect(tx(card, '0070800100')).toBe('9000');
    expect(tx(card, '01a4000c023f00')).toBe('6881'); // really closed
    expect(tx(card, '0070000200')).toBe('9000');
    expect(tx(card, '02a4000c023f00')).toBe('9000');
  });

  it('MANAGE CHANNEL open 00 70 00 00 00 (Le=256 on T=0) opens the channel and holds its number behind 6101', () => {
    const card = simCard();
    expect(tx(card, '0070000000')).toBe('6101');
    expect(tx(card, '00c0000001')).toBe('019000');
    expect(tx(card, '01a4000c023f00')).toBe('9000');
  });

  it('DEACTIVATE FILE 00 04 00 00 00 is case 1 (reaches the access check, not 6700)', () => {
    const card = simCard();
    tx(card, '00a4080c047f206f07');
    expect(tx(card, '0004000000')).toBe('6982'); // ADM not verified: the command was understood
    expect(tx(card, '002000' + '0a08' + '3838383838383838')).toBe('9000');
    expect(tx(card, '0004000000')).toBe('9000');
    expect(tx(card, '0044000000')).toBe('6982'); // EF_IMSI: REHABILITATE needs CHV1 (TS 51.011 §10.3.2)
    expect(tx(card, '0020000108' + pinField('1234'))).toBe('9000');
    expect(tx(card, '0044000000')).toBe('9000');
  });

  it('on a T=1 card the same 5 bytes stay case 2 (ISO/IEC 7816-4: case 1 is 4 bytes)', () => {
    const card = simCard({}, {}, false);
    expect(tx(card, '0020000100')).toBe('6700');
    expect(tx(card, '00200001')).toBe('63c3');
  });
});

describe('class A0 on T=0: TS 51.011 §9.2 / §9.4', () => {
  it('STATUS A0 F2 00 00 16 returns the first 22 bytes of the DF response and 9000', () => {
    const card = simCard();
    const full = gsmSelect(card, '3f00');
    const r = tx(card, 'a0f2000016');
    expect(r.length).toBe(2 * 22 + 4);
    expect(r.slice(-4)).toBe('9000');
    expect(r.slice(0, 44)).toBe(full.slice(0, 44));
  });

  it('GET RESPONSE A0 C0 00 00 16 after 9F17 returns 22 bytes and 9000; a longer P3 is 67xx and keeps the data', () => {
    const card = simCard();
    const sel = tx(card, 'a0a40000027f20');
    expect(sel.slice(0, 2)).toBe('9f');
    const n = parseInt(sel.slice(2), 16);
    expect(n).toBeGreaterThan(0x16);
    expect(tx(card, `a0c00000${(n + 1).toString(16)}`)).toBe(`67${n.toString(16).padStart(2, '0')}`);
    const r = tx(card, 'a0c0000016');
    expect(r.length).toBe(2 * 22 + 4);
    expect(r.slice(0, 12)).toBe('000010007f20'.slice(0, 0) + r.slice(0, 12));
    expect(r.slice(8, 12)).toBe('7f20');
    expect(r.slice(-4)).toBe('9000');
    expect(tx(card, 'a0c0000016')).toBe('6f00'); // the rest was dropped
  });

  it('GET RESPONSE with nothing pending answers 6F00 in class A0 (6985 in class 00), wrong P1-P2 6B00 (6A86)', () => {
    const card = simCard();
    expect(tx(card, 'a0c0000002')).toBe('6f00');
    expect(tx(card, '00c0000002')).toBe('6985');
    tx(card, 'a0a40000023f00');
    expect(tx(card, 'a0c0010016')).toBe('6b00');
  });

  it('SLEEP A0 FA 00 00 00 answers 9000 and changes nothing', () => {
    const card = simCard();
    tx(card, 'a0a40000027f20');
    expect(tx(card, 'a0fa000000')).toBe('9000');
    expect(tx(card, 'a0fa00000100')).toBe('6700');
    expect(split(tx(card, 'a0f2000016')).data.slice(8, 12)).toBe('7f20');
  });
});

describe('a classic SIM speaks class A0 only (TS 51.011 §9.4.6: 6E00 for any other class)', () => {
  it('class 80 (STATUS, TERMINAL PROFILE, GET RESPONSE) and class 00 SELECT by AID answer 6E00', () => {
    const card = simCard({ personality: 'classic' });
    for (const c of ['80f2000000', '80f2000c00', '80100000', '80120000', '80c0000000', '80aa000000', '00a4000c023f00', '00a4040007a0000000871002']) expect(tx(card, c), c).toBe('6e00');
    expect(tx(card, 'a0f2000016').slice(-4)).toBe('9000');
  });
});
