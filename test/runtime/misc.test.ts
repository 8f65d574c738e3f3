/**
 * Runtime rules not covered elsewhere: internal errors become 6F00 and the card goes on; transient
 * memory and session facts are cleared by reset; seeded RNG and virtual clock are deterministic;
 * snapshots restore everything (memory, selection, pending data, RNG).
 */
import { describe, expect, it } from 'vitest';
import { SeededRng, CryptoRng, VirtualClock, bytesToHex, hexToBytes, CommandTable, Card } from '../../card/runtime/index.js';
import { testCard, tx, selectHex, TEST_AID, TEST_COMMANDS } from '../helpers/test-applets.js';

describe('runtime', () => {
  it('an exception inside an applet gives 6F00 and the next command works', () => {
    const card = testCard();
    expect(tx(card, '801e0000')).toBe('6f00');
    expect(tx(card, '8012000010')).toBe('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000');
  });

  it('transient CLEAR_ON_RESET memory and session facts are cleared by reset', () => {
    const card = testCard();
    tx(card, selectHex(TEST_AID));
    tx(card, '803800000105');
    tx(card, '803a0000026869');
    expect(tx(card, '803a000002')).toBe('68699000');
    card.reset();
    tx(card, selectHex(TEST_AID));
    expect(tx(card, '8038000002')).toBe('00009000');
    expect(tx(card, '803a000000')).toBe('9000');
  });

  it('the seeded RNG is deterministic per seed and differs across seeds', () => {
    const a = new SeededRng('seed-1').fill(new Uint8Array(40));
    const b = new SeededRng('seed-1').fill(new Uint8Array(40));
    const c = new SeededRng('seed-2').fill(new Uint8Array(40));
    expect(bytesToHex(a)).toBe(bytesToHex(b));
    expect(bytesToHex(a)).not.toBe(bytesToHex(c));
    const r = new SeededRng('x');
    expect(bytesToHex(r.fill(new Uint8Array(8)))).not.toBe(bytesToHex(r.fill(new Uint8Array(8))));
    expect(new CryptoRng().fill(new Uint8Array(70000)).some((x) => x !== 0)).toBe(true);
  });

  it('GET CHALLENGE on two cards with the same seed gives the same bytes', () => {
    const c1 = testCard({ rng: new SeededRng('s') });
    const c2 = testCard({ rng: new SeededRng('s') });
    expect(tx(c1, '0084000008')).toBe(tx(c2, '0084000008'));
  });

  it('the virtual clock moves only when told', () => {
    const clock = new VirtualClock(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(500);
    expect(clock.now()).toBe(1500);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('a snapshot restores persistent and transient memory, selection, pending data, RNG and clock', () => {
    const clock = new VirtualClock(0);
    const card = testCard({ rng: new SeededRng('snap'), clock });
    tx(card, selectHex(TEST_AID));
    const snap = card.snapshot();
    const challenge = (): string => {
      tx(card, '00a4040000');
      const r = tx(card, '0084000008');
      tx(card, selectHex(TEST_AID));
      return r;
    };
    const first = challenge();
    tx(card, '803200000401020304');
    clock.advance(10);
    expect(tx(card, '8034000004')).toBe('010203049000');
    card.restore(snap);
    expect(card.selectedOn(0)?.aidHex).toBe(TEST_AID);
    expect(tx(card, '8034000004')).toBe('000000009000');
    expect(clock.now()).toBe(0);
    expect(challenge()).toBe(first);
  });

  it('a command table refuses a declaration without handler and a handler without declaration', () => {
    expect(() => new CommandTable(TEST_COMMANDS, {})).toThrow(/VERIFY is declared but has no handler/);
    expect(() => new CommandTable([], { EXTRA: () => ({}) })).toThrow(/EXTRA has no declaration/);
  });

  it('transmit before power-on throws a typed error (not a status word)', () => {
    const card = new Card();
    expect(() => card.transmit(hexToBytes('00a4040000'))).toThrow(/not powered/);
  });
});
