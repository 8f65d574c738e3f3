/**
 * Record EFs and file status in both worlds: READ/UPDATE RECORD in every mode with the record
 * pointer rules of TS 51.011 §9.2.5-6 (next from "no current record" = record 1, previous = the
 * last record, no wrap on a linear fixed EF: 9402), SEEK (§9.2.7) type 1/2, SEARCH RECORD
 * (TS 102.221 §11.1.7), INVALIDATE/REHABILITATE (§9.2.14-15: reads refused with 9810, the EF
 * response's status byte shows it) and DEACTIVATE/ACTIVATE FILE (TS 102.221: SELECT answers 6283,
 * reads 6985), and a tear sweep of UPDATE RECORD. Guards: a pointer that wraps on a linear EF, a
 * failed command moving the pointer, a torn record write leaving mixed bytes.
 */
import { describe, expect, it } from 'vitest';
import { tearSweep, hexToBytes } from '../../../card/runtime/index.js';
import { gsmSelect, pinField, simCard, split, tx } from './helpers.js';

const rec = (i: number): string => (i.toString(16).padStart(2, '0') + 'a1').padEnd(60, 'f');

function adnCard(): ReturnType<typeof simCard> {
  const c = simCard();
  expect(tx(c, `a020000108${pinField('1234')}`)).toBe('9000');
  gsmSelect(c, '7f10');
  gsmSelect(c, '6f3a'); // EF_ADN: linear fixed, 10 × 30, CHV1/CHV1
  for (let i = 1; i <= 10; i++) expect(tx(c, `a0dc${i.toString(16).padStart(2, '0')}041e${rec(i)}`)).toBe('9000');
  return c;
}

describe('classic READ/UPDATE RECORD pointer rules (TS 51.011 §9.2.5)', () => {
  it('next / previous / absolute / current; no wrap on a linear fixed EF; errors leave the pointer', () => {
    const c = adnCard();
    gsmSelect(c, '6f3a'); // re-selecting clears the record pointer
    expect(tx(c, 'a0b200041e')).toBe('9402'); // current with no current record
    expect(split(tx(c, 'a0b200021e')).data).toBe(rec(1)); // next from none → 1
    expect(split(tx(c, 'a0b200021e')).data).toBe(rec(2));
    expect(split(tx(c, 'a0b200041e')).data).toBe(rec(2)); // current
    expect(split(tx(c, 'a0b200031e')).data).toBe(rec(1)); // previous
    expect(tx(c, 'a0b200031e')).toBe('9402'); // before record 1: no wrap
    expect(split(tx(c, 'a0b200041e')).data).toBe(rec(1)); // pointer unchanged by the error
    expect(split(tx(c, 'a0b207041e')).data).toBe(rec(7)); // absolute: pointer unchanged
    expect(split(tx(c, 'a0b200021e')).data).toBe(rec(2));
    gsmSelect(c, '6f3a');
    expect(split(tx(c, 'a0b200031e')).data).toBe(rec(10)); // previous from none → last
    expect(tx(c, 'a0b200021e')).toBe('9402'); // after the last: no wrap
    expect(tx(c, 'a0b20b041e')).toBe('9402'); // record 11 of 10
    expect(tx(c, 'a0b201041d')).toBe('671e'); // wrong length: 67 + record length
    expect(tx(c, 'a0b201051e')).toBe('6b00'); // unknown mode
    expect(tx(c, 'a0b201021e')).toBe('6b00'); // next with a record number
  });

  it('UPDATE RECORD next/previous move the pointer; cyclic EFs accept only previous', () => {
    const c = adnCard();
    gsmSelect(c, '6f3a');
    expect(tx(c, `a0dc00021e${rec(0x51)}`)).toBe('9000'); // next from none → record 1
    expect(tx(c, `a0dc00021e${rec(0x52)}`)).toBe('9000'); // → record 2
    expect(split(tx(c, 'a0b201041e')).data).toBe(rec(0x51));
    expect(split(tx(c, 'a0b202041e')).data).toBe(rec(0x52));
    expect(tx(c, `a0dc01041d${rec(1).slice(2)}`)).toBe('671e');
    gsmSelect(c, '7f20');
    gsmSelect(c, '6f39'); // EF_ACM cyclic: UPDATE needs CHV2
    expect(tx(c, `a0200002 08${pinField('5678')}`)).toBe('9000');
    expect(tx(c, 'a0dc010403000009')).toBe('6b00');
    expect(tx(c, 'a0dc000303000009')).toBe('9000');
    expect(split(tx(c, 'a0b2010403')).data).toBe('000009');
  });

  it('tear sweep of UPDATE RECORD: the record is old or new, never mixed', () => {
    const c = adnCard();
    gsmSelect(c, '6f3a');
    const res = tearSweep(c, hexToBytes(`a0dc03041e${'5a'.repeat(30)}`), ({ card }) => {
      tx(card, `a020000108${pinField('1234')}`);
      gsmSelect(card, '7f10');
      gsmSelect(card, '6f3a');
      expect([rec(3), '5a'.repeat(30)]).toContain(split(tx(card, 'a0b203041e')).data);
    });
    expect(res.writes).toBeGreaterThan(0);
  });
});

describe('SEEK (classic) and SEARCH RECORD (UICC)', () => {
  it('SEEK type 1 sets the pointer, type 2 returns the record; modes from start/end/next/previous; 9404 when absent', () => {
    const c = adnCard();
    gsmSelect(c, '6f3a');
    expect(tx(c, 'a0a200000205a1')).toBe('9000'); // type 1, from the beginning
    expect(split(tx(c, 'a0b200041e')).data).toBe(rec(5));
    const seek2 = (h: string): string => {
      const r = tx(c, h);
      return r.startsWith('9f') ? tx(c, `a0c00000${r.slice(2)}`) : r;
    };
    expect(seek2('a0a2001002 08a1')).toBe('089000'); // type 2 from the beginning (9F01 + GET RESPONSE)
    expect(seek2('a0a200120209a1')).toBe('099000'); // type 2, next from 8
    expect(seek2('a0a200130203a1')).toBe('039000'); // previous from 9
    expect(seek2('a0a20011020aa1')).toBe('0a9000'); // from the end
    expect(tx(c, 'a0a20010027777')).toBe('9404');
    expect(split(tx(c, 'a0b200041e')).data).toBe(rec(10)); // a failed SEEK keeps the pointer
    expect(tx(c, 'a0a2000400' + '')).toMatch(/^6[7b]/); // bad mode / empty pattern
  });

  it('SEARCH RECORD forward, backward and enhanced with an offset; 6A83 when absent', () => {
    const c0 = simCard();
    const c = c0;
    const txr = (h: string): string => {
      const r = tx(c0, h);
      return r.startsWith('61') ? tx(c0, `00c00000${r.slice(2)}`) : r;
    };
    expect(tx(c, `0020000108${pinField('1234')}`)).toBe('9000');
    expect(txr('00a40004027f1000').slice(-4)).toBe('9000');
    expect(txr('00a40004026f3a00').slice(-4)).toBe('9000');
    for (let i = 1; i <= 10; i++) expect(tx(c, `00dc${i.toString(16).padStart(2, '0')}041e${rec(i % 3)}`)).toBe('9000');
    expect(txr('00a2010402 01a1')).toBe('0104070a9000'); // forward from 1: records starting 01 a1
    expect(txr('00a20a050200a1')).toBe('0906039000'); // backward from 10: records 9, 6, 3
    expect(txr('00a2010603 0401 a1')).toBe('0102030405060708090a9000'); // enhanced: 'a1' at offset 1 in every record
    expect(txr('00a2010402 7777')).toBe('6a83');
    expect(txr('00a2010702 01a1')).toBe('6a86');
  });
});

describe('INVALIDATE / REHABILITATE and DEACTIVATE / ACTIVATE FILE', () => {
  it('classic: INVALIDATE needs ADM; reads of the invalidated EF_IMSI answer 9810; its EF response shows it; REHABILITATE (CHV1) restores', () => {
    const c = simCard();
    expect(tx(c, `a020000108${pinField('1234')}`)).toBe('9000');
    gsmSelect(c, '7f20');
    expect(gsmSelect(c, '6f07').slice(22, 24)).toBe('01'); // byte 12: not invalidated
    expect(tx(c, 'a004000000')).toBe('9804'); // ADM not presented
    expect(tx(c, `a02000 0a08${pinField('88888888')}`)).toBe('9000');
    expect(tx(c, 'a004000000')).toBe('9000');
    expect(tx(c, 'a0b0000009')).toBe('9810');
    expect(gsmSelect(c, '6f07').slice(22, 24)).toBe('00');
    expect(tx(c, 'a044000000')).toBe('9000');
    expect(split(tx(c, 'a0b0000009')).sw).toBe('9000');
  });

  it('UICC: DEACTIVATE FILE → SELECT answers 6283 with LCSI 04, READ 6985; ACTIVATE FILE restores', () => {
    const c = simCard({}, {}, false);
    expect(tx(c, `0020000a08${pinField('88888888')}`)).toBe('9000');
    expect(tx(c, `0020000108${pinField('1234')}`)).toBe('9000');
    expect(split(tx(c, '00a40004027f2000')).sw).toBe('9000');
    expect(split(tx(c, '00a40004026f0700')).sw).toBe('9000');
    expect(tx(c, '00040000')).toBe('9000');
    const sel = split(tx(c, '00a40004026f0700'));
    expect(sel.sw).toBe('6283');
    expect(sel.data).toContain('8a0104');
    expect(tx(c, '00b0000009')).toBe('6985');
    expect(tx(c, '00440000')).toBe('9000');
    expect(split(tx(c, '00a40004026f0700')).sw).toBe('9000');
    expect(split(tx(c, '00b0000009')).sw).toBe('9000');
  });
});
