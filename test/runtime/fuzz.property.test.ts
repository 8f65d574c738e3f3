/**
 * Property: for any byte string, Card.transmit never throws, always answers at least a status
 * word, and an error status word (64xx–6Fxx) leaves persistent memory exactly as it was.
 * Byte strings are random and spec-guided (classes, INS codes and length forms the card knows).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { testCard, TEST_COMMANDS } from '../helpers/test-applets.js';
import { LOOPBACK_COMMANDS } from '../../apdu-specs/loopback.js';
import { RUNTIME_COMMANDS } from '../../apdu-specs/iso7816.js';
import { buildAtr, type Card } from '../../card/runtime/index.js';

const INS = [...new Set([...TEST_COMMANDS, ...LOOPBACK_COMMANDS, ...RUNTIME_COMMANDS].map((c) => c.ins))];
const CLA = [0x00, 0x01, 0x02, 0x03, 0x40, 0x4f, 0x80, 0x81, 0x82, 0xa0, 0xc1, 0x0c, 0x10, 0x20, 0xff];

const header = fc.tuple(fc.oneof(fc.constantFrom(...CLA), fc.integer({ min: 0, max: 255 })), fc.oneof(fc.constantFrom(...INS), fc.integer({ min: 0, max: 255 })), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }));
const body = fc.oneof(
  fc.constant([] as number[]),
  fc.integer({ min: 0, max: 255 }).map((le) => [le]),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).chain((d) => fc.oneof(fc.constant([d.length, ...d]), fc.integer({ min: 0, max: 255 }).map((le) => [d.length, ...d, le]))),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).chain((d) => fc.oneof(fc.constant([0, d.length >> 8, d.length & 0xff, ...d]), fc.constant([0, d.length >> 8, d.length & 0xff, ...d, 0, 0]))),
  fc.uint8Array({ maxLength: 12 }).map((d) => [...d]),
);
const guided = fc.tuple(header, body).map(([h, b]) => Uint8Array.from([...h, ...b]));
const anyBytes = fc.uint8Array({ maxLength: 64 });
const apdu = fc.oneof({ weight: 4, arbitrary: guided }, { weight: 1, arbitrary: anyBytes });

function persistentState(card: Card): string {
  let s = '';
  for (const [k, v] of card.memory.cells) s += k + Buffer.from(v).toString('hex');
  return s;
}

function check(card: Card, cmds: Uint8Array[]): void {
  for (const cmd of cmds) {
    const before = persistentState(card);
    let r: Uint8Array;
    try {
      r = card.transmit(cmd);
    } catch (e) {
      throw new Error(`transmit threw for ${Buffer.from(cmd).toString('hex')}: ${(e as Error).message}`);
    }
    expect(r.length).toBeGreaterThanOrEqual(2);
    const sw1 = r[r.length - 2]!;
    if (sw1 >= 0x64 && sw1 <= 0x6f) {
      expect(persistentState(card), `state changed by ${Buffer.from(cmd).toString('hex')} → ${Buffer.from(r).toString('hex')}`).toBe(before);
    }
  }
}

describe('runtime fuzz properties', () => {
  it('random command sequences never throw, always answer an SW, and errors change nothing (T=1)', () => {
    fc.assert(fc.property(fc.array(apdu, { minLength: 1, maxLength: 25 }), (cmds) => check(testCard(), cmds)), { numRuns: 400 });
  });
  it('the same on a T=0 card', () => {
    fc.assert(fc.property(fc.array(apdu, { minLength: 1, maxLength: 25 }), (cmds) => check(testCard({ atr: buildAtr([0]) }), cmds)), { numRuns: 300 });
  });
});
