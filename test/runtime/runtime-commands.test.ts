/**
 * The runtime's own commands (card/runtime/runtime-commands.ts) go through the same table
 * dispatch as an applet's; these pin the check order they had before the split (issue 17): the
 * length checks come before the secure-messaging / chaining refusals for SELECT and MANAGE CHANNEL,
 * GET RESPONSE ignores those class bits, and a refused GET RESPONSE drops the held data.
 */
import { describe, expect, it } from 'vitest';
import { testCard, tx, TEST_AID } from '../helpers/test-applets.js';

describe('runtime commands', () => {
  it('MANAGE CHANNEL: secure messaging or chaining refused 6882 / 6884, after the length checks', () => {
    const card = testCard();
    expect(tx(card, '0c70000001')).toBe('6882');
    expect(tx(card, '1070000001')).toBe('6884');
    expect(tx(card, '0c700000000001')).toBe('6700');
    expect(tx(card, '0c7000000101')).toBe('6700');
    expect(tx(card, '0070000001')).toBe('019000');
  });

  it('SELECT by DF name: the same order; a name no applet has is 6A82 before any class check', () => {
    const card = testCard();
    expect(tx(card, `0ca4040008${TEST_AID}`)).toBe('6882');
    expect(tx(card, `10a4040008${TEST_AID}`)).toBe('6884');
    expect(tx(card, '0ca4040002a0ff')).toBe('6a82');
    expect(tx(card, `00a4040c08${TEST_AID}`)).toBe('9000');
  });

  it('GET RESPONSE serves with secure-messaging bits; a refused one drops the held data', () => {
    const card = testCard({ protocol: 'T=0' });
    expect(tx(card, '0070000000')).toBe('6101');
    expect(tx(card, '04c0000001')).toBe('019000');
    expect(tx(card, '0070000000')).toBe('6101');
    expect(tx(card, '00c0010001')).toBe('6a86');
    expect(tx(card, '00c0000001')).toBe('029000');
    expect(tx(card, '0070000000')).toBe('6101');
    expect(tx(card, '00c00000')).toBe('6700');
    expect(tx(card, '00c0000001')).toBe('6985');
  });
});
