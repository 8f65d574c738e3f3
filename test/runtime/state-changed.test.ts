/**
 * ctx.stateChanged(): an applet that changed state outside persistent memory (a one-shot approval in
 * RAM) gets its response data held behind 61xx rather than 6Cxx, like a command that wrote
 * persistent memory. Guards issue 14 (GET PROFILE with a short Le spent the payment-code approval
 * and answered 6C74: the release was lost).
 */
import { describe, expect, it } from 'vitest';
import { testCard, tx, selectHex, TEST_AID } from '../helpers/test-applets.js';

describe('ctx.stateChanged()', () => {
  it('a read-only command with a short Le on T=1 still gets 6Cxx', () => {
    const card = testCard();
    tx(card, selectHex(TEST_AID));
    expect(tx(card, '803c000002')).toBe('6c04');
    expect(tx(card, '803c000004')).toBe('000102039000');
  });

  it('a command that signalled a change holds its data behind 61xx; GET RESPONSE delivers it once', () => {
    const card = testCard();
    tx(card, selectHex(TEST_AID));
    expect(tx(card, '803c010002')).toBe('6104'); // not 6C04: the token is spent, a resend would differ
    expect(tx(card, '00c0000004')).toBe('000102039000'); // the answer of the spending command
    expect(tx(card, '00c0000004')).toBe('6985');
    expect(tx(card, '803c000004')).toBe('010102039000'); // spent exactly once
  });

  it('the signal belongs to its command: a failing command that signalled does not lend it to the next', () => {
    const card = testCard();
    tx(card, selectHex(TEST_AID));
    expect(tx(card, '803c020004')).toBe('6985');
    expect(tx(card, '803c000002')).toBe('6c04');
  });
});
