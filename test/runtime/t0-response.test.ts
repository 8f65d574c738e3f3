/**
 * T=0 response rules owned by the runtime: 61xx / 9Fxx announcements, GET RESPONSE, 6Cxx / 67xx
 * for a wrong Le, chunking of long data, and the command's own SW on the last piece.
 */
import { describe, expect, it } from 'vitest';
import { buildAtr } from '../../card/runtime/index.js';
import { testCard, tx, selectHex, TEST_AID } from '../helpers/test-applets.js';

const T0_ATR = buildAtr([0]);

describe('T=0 card', () => {
  it('the ATR decides the protocol', () => {
    expect(testCard({ atr: T0_ATR }).protocol).toBe('T=0');
    expect(testCard().protocol).toBe('T=1');
  });

  it('case 4 data is held and announced with 61xx even when Le is present; GET RESPONSE serves it', () => {
    const card = testCard({ atr: T0_ATR });
    expect(tx(card, '8010000002aabb02')).toBe('6102');
    expect(tx(card, '00c0000002')).toBe('aabb9000');
    expect(tx(card, '00c0000002')).toBe('6985'); // nothing left
  });

  it('GET RESPONSE with a wrong Le answers 6Cxx and keeps the data; a short Le returns a piece and 61xx', () => {
    const card = testCard({ atr: T0_ATR });
    expect(tx(card, '8010000003aabbcc')).toBe('6103');
    expect(tx(card, '00c0000005')).toBe('6c03');
    expect(tx(card, '00c0000001')).toBe('aa6102');
    expect(tx(card, '00c0000002')).toBe('bbcc9000');
  });

  it('case 2 needs the exact Le on T=0 (6Cxx), while T=1 accepts a larger Ne', () => {
    const t0 = testCard({ atr: T0_ATR });
    expect(tx(t0, '8012000008')).toBe('6c10');
    expect(tx(t0, '8012000000')).toBe('6c10');
    expect(tx(t0, '8012000010').slice(-4)).toBe('9000');
    expect(tx(testCard(), '8012000000')).toHaveLength(36); // 16 bytes + SW
  });

  it('GSM class A0 uses 9Fxx and 67xx', () => {
    const card = testCard({ atr: T0_ATR });
    tx(card, selectHex(TEST_AID) + '00');
    expect(tx(card, '00c0000005')).toBe('6f038401019000'); // the FCI of the SELECT (case 4 on T=0)
    expect(tx(card, 'a010000002abcd')).toBe('9f02');
    expect(tx(card, 'a0c0000009')).toBe('6702');
    expect(tx(card, 'a0c0000002')).toBe('abcd9000');
    expect(tx(card, 'a010000008')).toBe('6704');
    expect(tx(card, 'a010000004')).toBe('010203049000');
  });

  it('pending data is dropped by any other command, and belongs to its channel', () => {
    const card = testCard({ atr: T0_ATR });
    expect(tx(card, '8010000002aabb')).toBe('6102');
    expect(tx(card, '80100000')).toBe('9000');
    expect(tx(card, '00c0000002')).toBe('6985');
    expect(tx(card, '0070000001')).toBe('019000'); // case 2 with the exact Le: direct even on T=0
    expect(tx(card, '8010000002aabb')).toBe('6102');
    expect(tx(card, '01c0000002')).toBe('6985');
  });

  it('GET RESPONSE with P1-P2 other than 0000 is refused', () => {
    const card = testCard({ atr: T0_ATR });
    tx(card, '8010000002aabb');
    expect(tx(card, '00c0010002')).toBe('6a86');
  });
});

describe('T=1 card', () => {
  it('data longer than 256 with a short Le comes in pieces with 61xx; the last piece carries 9000', () => {
    const card = testCard();
    const data = Array.from({ length: 300 }, (_, i) => (i & 0xff).toString(16).padStart(2, '0')).join('');
    // case 4E with Ne = 256 (00 0100)
    const r = tx(card, '8010000000012c' + data + '0100');
    expect(r.length).toBe(2 * 258);
    expect(r.slice(-4)).toBe('612c');
    expect(tx(card, '00c000002c')).toBe(data.slice(512) + '9000');
  });

  it('a warning SW travels with the last piece of held data', () => {
    const card = testCard();
    tx(card, selectHex(TEST_AID) + '00');
    tx(card, '0020000104' + '39393939'); // wrong PIN → 63C2
    expect(tx(card, '00200001')).toBe('63c2');
  });
});
