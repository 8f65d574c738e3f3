/**
 * TS 102.221 §11.1.10/11.1.11: PIN2 (key reference 81) can be disabled and enabled on the UICC
 * with its value; a disabled PIN2 no longer guards CHV2-protected files; ADM1 cannot be disabled;
 * the classic SIM (51.011) allows DISABLE CHV for CHV1 only.
 */
import { describe, expect, it } from 'vitest';
import { simCard, tx, pinField } from './helpers.js';

describe('PIN2 disable/enable (UICC)', () => {
  it('a wrong value counts down and changes nothing; the right one disables; ENABLE restores', () => {
    const c = simCard();
    tx(c, '00a40004023f00');
    expect(tx(c, '00200081')).toBe('63c3');
    expect(tx(c, `0026008108${pinField('0000')}`)).toBe('63c2');
    expect(tx(c, '00200081')).toBe('63c2'); // still enabled, one try used
    expect(tx(c, `0026008108${pinField('5678')}`)).toBe('9000');
    expect(tx(c, '00200081')).toBe('9000'); // disabled: nothing to verify
    expect(tx(c, `0026008108${pinField('5678')}`)).toBe('6985'); // already disabled
    expect(tx(c, `0028008108${pinField('5678')}`)).toBe('9000');
    expect(tx(c, '00200081')).toBe('9000'); // ENABLE checked the value: verified in this session
    c.reset();
    expect(tx(c, '00200081')).toBe('63c3'); // enabled again, full counter
  });

  it('with PIN2 disabled, a CHV2-protected update (EF_ACMmax) needs no PIN2; enabled again, it does', () => {
    const c = simCard();
    tx(c, 'a0a40000023f00');
    tx(c, 'a0a40000027f20');
    tx(c, `a020000108${pinField('1234')}`);
    tx(c, 'a0a40000026f37');
    expect(tx(c, 'a0d6000003000010')).toBe('9804'); // CHV2 not verified
    expect(tx(c, `0026008108${pinField('5678')}`)).toBe('9000');
    expect(tx(c, 'a0d6000003000010')).toBe('9000');
    expect(tx(c, `0028008108${pinField('5678')}`)).toBe('9000');
    c.reset();
    tx(c, 'a0a40000023f00');
    tx(c, 'a0a40000027f20');
    tx(c, `a020000108${pinField('1234')}`);
    tx(c, 'a0a40000026f37');
    expect(tx(c, 'a0d6000003000020')).toBe('9804');
  });

  it('ADM1 cannot be disabled; classic DISABLE CHV2 is refused', () => {
    const c = simCard();
    expect(tx(c, `0026000a08${pinField('88888888')}`)).toBe('6a86');
    expect(tx(c, `a026000208${pinField('5678')}`)).not.toBe('9000');
  });
});
