/**
 * Persistent memory semantics: atomic single writes, all-or-nothing transactions, nested begin,
 * abort of a transaction left open, non-atomic writes, and tears at every write (tearSweep).
 */
import { describe, expect, it } from 'vitest';
import { CardPowerLostError, CardNotPoweredError, hexToBytes, tearSweep, bytesToHex, PersistentMemory, TransactionError } from '../../card/runtime/index.js';
import { parseImage, serializeImage } from '../../card/image/index.js';
import { testCard, tx, selectHex, TEST_AID, TestApplet, RefusingApplet } from '../helpers/test-applets.js';
import { APPLET_REGISTRY, LoopbackApplet } from '../../card/applets/index.js';

const readState = (card: ReturnType<typeof testCard>): string => tx(card, '8018000003');

describe('transactions', () => {
  it('commit makes all writes visible', () => {
    const card = testCard();
    expect(tx(card, '8016000003010203')).toBe('9000');
    expect(readState(card)).toBe('0102039000');
  });

  it('an error after some writes aborts them all (TX3 P1=01 fails after the 2nd write)', () => {
    const card = testCard();
    tx(card, '8016000003010203');
    expect(tx(card, '8016010003aabbcc')).toBe('6985');
    expect(readState(card)).toBe('0102039000');
  });

  it('nested begin is a bug: 6F00, nothing changed, the next command works', () => {
    const card = testCard();
    tx(card, selectHex(TEST_AID));
    expect(tx(card, '803201000401020304')).toBe('6f00');
    expect(tx(card, '8034000004')).toBe('000000009000');
    expect(tx(card, '803200000401020304')).toBe('9000');
    expect(tx(card, '8034000004')).toBe('010203049000');
  });

  it('a transaction left open when the command returns is aborted', () => {
    const card = testCard();
    tx(card, selectHex(TEST_AID));
    expect(tx(card, '803202000401020304')).toBe('9000');
    expect(tx(card, '8034000004')).toBe('000000009000');
  });

  it('an exception inside a transaction gives 6F00 and rolls back', () => {
    const card = testCard();
    tx(card, selectHex(TEST_AID));
    expect(tx(card, '803204000401020304')).toBe('6f00');
    expect(tx(card, '8034000004')).toBe('000000009000');
  });

  it('non-atomic writes survive the abort, journalled ones do not', () => {
    const card = testCard();
    tx(card, selectHex(TEST_AID));
    expect(tx(card, '80320a000401020304')).toBe('9000'); // non-atomic x, left open
    expect(tx(card, '8034000004')).toBe('000200009000');
  });

  it('memory API: nested begin and commit/abort without begin throw TransactionError', () => {
    const m = new PersistentMemory();
    expect(() => m.commit()).toThrow(TransactionError);
    expect(() => m.abort()).toThrow(TransactionError);
    m.begin();
    expect(() => m.begin()).toThrow(/nested begin/);
  });

  it('the generation moves on durable changes only (what the host uses to save images)', () => {
    const card = testCard();
    const g0 = card.generation;
    tx(card, '8012000010');
    expect(card.generation).toBe(g0);
    tx(card, '8016000003010203');
    expect(card.generation).toBeGreaterThan(g0);
    const g1 = card.generation;
    tx(card, '8016010003aabbcc'); // aborted
    expect(card.generation).toBe(g1 + 1); // the rollback itself is recorded, contents equal
    expect(readState(card)).toBe('0102039000');
  });
});

describe('tears', () => {
  it('a tear at every write of a 3-write transaction leaves all old or all new values', () => {
    const card = testCard();
    tx(card, '8016000003010203');
    const seen: string[] = [];
    const r = tearSweep(card, hexToBytes('8016000003aabbcc'), ({ point, torn, card: c }) => {
      const state = readState(c);
      seen.push(`${point}:${torn ? 'torn' : 'done'}:${state}`);
      expect(['0102039000', 'aabbcc9000']).toContain(state);
    });
    // 3 journalled writes, then the commit record: tears 1-3 roll back, a tear after the commit keeps the new values.
    expect(r.writes).toBe(4);
    expect(seen).toEqual(['1:torn:0102039000', '2:torn:0102039000', '3:torn:0102039000', '4:torn:aabbcc9000', '5:done:aabbcc9000']);
    expect(bytesToHex(r.response)).toBe('9000');
  });

  it('writes outside a transaction are individually atomic and stay (documented JC semantics)', () => {
    const card = testCard();
    tx(card, selectHex(TEST_AID));
    const states: string[] = [];
    tearSweep(card, hexToBytes('80360000021122'), ({ card: c }) => {
      states.push(bytesToHex(c.memory.cells.get(`${TEST_AID}/p`)!));
    });
    // torn after write 1: only the first byte; torn after write 2: both; completed: both.
    expect(states).toEqual(['1100', '1122', '1122']);
  });

  it('a torn card gives no response, refuses commands until powered on, and rolls back on power-up', () => {
    const card = testCard();
    card.tearAfterWrites(2);
    expect(() => card.transmit(hexToBytes('8016000003aabbcc'))).toThrow(CardPowerLostError);
    expect(() => card.transmit(hexToBytes('8018000003'))).toThrow(CardNotPoweredError);
    expect(card.memory.inTransaction).toBe(true);
    card.powerOn();
    expect(card.memory.inTransaction).toBe(false);
    expect(readState(card)).toBe('0000009000');
  });

  it('the tear applies to the next command only', () => {
    const card = testCard();
    card.tearAfterWrites(10);
    expect(tx(card, '8016000003010203')).toBe('9000'); // 4 writes: completes, disarms
    expect(tx(card, '8016000003040506')).toBe('9000');
  });

  it('an image saved while torn mid-transaction rolls back when loaded and powered', () => {
    const card = testCard();
    tx(card, '8016000003010203');
    card.tearAfterWrites(2);
    expect(() => card.transmit(hexToBytes('8016000003aabbcc'))).toThrow(CardPowerLostError);
    const text = serializeImage(card);
    expect(JSON.parse(text).journal).toHaveLength(2);
    const registry = new Map([...APPLET_REGISTRY, [TestApplet.type, TestApplet], [RefusingApplet.type, RefusingApplet]]);
    const loaded = parseImage(text, { registry });
    loaded.powerOn();
    expect(readState(loaded)).toBe('0102039000');
  });

  it('an applet that swallows the power loss still loses the power', () => {
    const card = testCard();
    const applet = card.selectedOn(0)!.applet as LoopbackApplet;
    const original = applet.commands.lookup(0x80, 0x16);
    expect(typeof original).not.toBe('number');
    card.tearAfterWrites(1);
    expect(() => card.transmit(hexToBytes('8016000003aabbcc'))).toThrow(CardPowerLostError);
    expect(card.isPowered).toBe(false);
  });
});
