/**
 * OwnerPin: try limit, counter decremented before the comparison (a tear after the decrement
 * still costs the try), no extra try from an aborted transaction, padding and length in the
 * comparison, validated cleared on reset, unblock by a second PIN.
 */
import { describe, expect, it } from 'vitest';
import { hexToBytes, tearSweep } from '../../card/runtime/index.js';
import { testCard, tx, selectHex, TEST_AID, TestApplet } from '../helpers/test-applets.js';

function pinCard() {
  const card = testCard();
  tx(card, selectHex(TEST_AID));
  const applet = card.selectedOn(0)!.applet as TestApplet;
  return { card, applet };
}
const hex = (s: string): string => Buffer.from(s).toString('hex');
const verify = (pin: string): string => `00200001${(pin.length).toString(16).padStart(2, '0')}${hex(pin)}`;

describe('OwnerPin', () => {
  it('counts down to blocked, refuses even the right PIN when blocked, and the retry query reports tries', () => {
    const { card } = pinCard();
    expect(tx(card, '00200001')).toBe('63c3');
    expect(tx(card, verify('0000'))).toBe('63c2');
    expect(tx(card, verify('0000'))).toBe('63c1');
    expect(tx(card, verify('0000'))).toBe('6983');
    expect(tx(card, verify('1234'))).toBe('6983');
    expect(tx(card, '00200001')).toBe('63c0');
  });

  it('a success restores the counter and sets validated; reset clears validated', () => {
    const { card, applet } = pinCard();
    tx(card, verify('0000'));
    expect(tx(card, verify('1234'))).toBe('9000');
    expect(applet.pin.triesRemaining).toBe(3);
    expect(tx(card, '8030000001')).toBe('429000');
    card.reset();
    tx(card, selectHex(TEST_AID));
    expect(tx(card, '8030000001')).toBe('6982');
  });

  it('length and padding are part of the comparison', () => {
    const { card } = pinCard();
    expect(tx(card, verify('123'))).toBe('63c2');
    expect(tx(card, verify('12345'))).toBe('63c1');
    expect(tx(card, `0020000105${hex('1234')}ff`)).toBe('6983'); // "1234" + the pad byte is not "1234"
  });

  it('a tear right after the decrement still costs the try', () => {
    const { card, applet } = pinCard();
    const left: number[] = [];
    tearSweep(card, hexToBytes(verify('1234')), ({ torn, card: c }) => {
      const a = c.applets.find((x) => x.aidHex === TEST_AID)!.applet as TestApplet;
      left.push(a.pin.triesRemaining);
      if (torn) expect(a.pin.isValidated).toBe(false);
    });
    // point 1: torn after the decrement → 2 tries left; point 2: torn after the restore → 3; then done.
    expect(left).toEqual([2, 3, 3]);
    expect(applet.pin.triesRemaining).toBe(3);
  });

  it('an aborted transaction does not give the try back', () => {
    const { card, applet } = pinCard();
    card.memory.begin();
    expect(applet.pin.check(new TextEncoder().encode('9999'))).toBe(false);
    card.memory.abort();
    expect(applet.pin.triesRemaining).toBe(2);
  });

  it('unblock with the PUK sets a new PIN and a full counter; a wrong PUK counts down the PUK', () => {
    const { card, applet } = pinCard();
    for (let i = 0; i < 3; i++) tx(card, verify('0000'));
    expect(applet.pin.blocked).toBe(true);
    expect(tx(card, `002c00010c${hex('00000000')}${hex('4321')}`)).toBe('63c9');
    expect(tx(card, `002c00010c${hex('12345678')}${hex('4321')}`)).toBe('9000');
    expect(applet.pin.triesRemaining).toBe(3);
    expect(applet.puk.triesRemaining).toBe(10);
    expect(tx(card, verify('4321'))).toBe('9000');
  });

  it('rejects bad construction parameters', async () => {
    const { OwnerPin, PersistentMemory, PersistentStore, TransientMemory, TransientStore } = await import('../../card/runtime/index.js');
    const s = new PersistentStore(new PersistentMemory(), 'x');
    const t = new TransientStore(new TransientMemory(), 'x');
    expect(() => new OwnerPin(s, t, 'p', { tryLimit: 0, maxLength: 8 })).toThrow('"tryLimit" expected 1..15, got 0');
    const p = new OwnerPin(s, t, 'q', { tryLimit: 3, maxLength: 4 });
    expect(() => p.update(new Uint8Array(5))).toThrow('"pin" expected 1..4 bytes, got 5');
  });
});
