/**
 * The allocation-free APDU path (issue 20): the card parses every command into one reused view,
 * class bytes come from a frozen table, CommandTable answers from a (class, INS) index and P1-P2
 * checks are compiled once. Each shortcut must answer exactly as the plain reading it replaces.
 */
import { describe, expect, it } from 'vitest';
import { APPLET_SPECS } from '../../apdu-specs/applets.js';
import { RUNTIME_COMMANDS } from '../../apdu-specs/iso7816.js';
import { p1p2Refusal, p1p2RefusalCheck } from '../../apdu-specs/p1p2.js';
import type { CommandSpec } from '../../apdu-specs/types.js';
import { SW } from '../../apdu-specs/status-words.js';
import { Applet, Card, CommandTable, decodeCla, deliver, paramsRefused, parseCommand, parseCommandInto, type CommandApdu, type Lookup } from '../../card/runtime/index.js';
import { cla } from '../../apdu-specs/types.js';

const SPEC_LISTS: Array<[string, readonly CommandSpec[]]> = [...APPLET_SPECS.map((a) => [a.name, a.commands] as [string, readonly CommandSpec[]]), ['runtime', RUNTIME_COMMANDS]];

function tableOf(specs: readonly CommandSpec[]): CommandTable {
  return new CommandTable(specs, Object.fromEntries(specs.map((s) => [s.name, () => ({})])));
}

/** What lookup() answered before the index: the first entry of the INS whose class matches, else 6D00 / 6E00. */
function plainLookup(specs: readonly CommandSpec[], base: number, ins: number): CommandSpec | number {
  const hit = specs.find((s) => s.ins === ins && (base & s.cla.mask) === s.cla.value);
  if (hit) return hit;
  return specs.some((s) => (base & s.cla.mask) === s.cla.value) ? SW.INS_NOT_SUPPORTED : SW.CLA_NOT_SUPPORTED;
}

const specOf = (l: Lookup): CommandSpec | number => (typeof l === 'number' ? l : l.spec);

describe('CommandTable index', () => {
  for (const [name, specs] of SPEC_LISTS) {
    it(`${name}: every (base class, INS) answers as the plain search, first and cached`, () => {
      const table = tableOf(specs);
      const bases = new Set<number>();
      for (let c = 0; c < 256; c++) {
        const info = decodeCla(c);
        if (info) bases.add(info.base);
      }
      // Bases a CLA never decodes to (public lookup() callers may pass them): the search path.
      for (const b of [0x01, 0x40, 0x7f, 0xc0, 0xff]) bases.add(b);
      let checked = 0;
      const wrong: string[] = [];
      for (const base of bases) {
        for (let ins = 0; ins < 256; ins++) {
          const want = plainLookup(specs, base, ins);
          if (specOf(table.lookup(base, ins)) !== want) wrong.push(`first ${base} ${ins}`);
          if (specOf(table.lookup(base, ins)) !== want) wrong.push(`cached ${base} ${ins}`);
          checked++;
        }
      }
      expect(wrong).toEqual([]);
      expect(checked).toBeGreaterThan(34 * 256);
    });
  }

  it('an INS outside a byte is answered by the search, never from the index', () => {
    const table = tableOf(SPEC_LISTS[0]![1]);
    expect(table.lookup(0x00, 0x1a4)).toBe(SW.INS_NOT_SUPPORTED);
    expect(table.lookup(0x00, -1)).toBe(SW.INS_NOT_SUPPORTED);
  });
});

describe('compiled P1-P2 checks', () => {
  it('answer as p1p2Refusal for every declared command, all of P1 against a spread of P2 and back', () => {
    const probe = [0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x0c, 0x10, 0x1f, 0x40, 0x7f, 0x80, 0x81, 0xa0, 0xfe, 0xff];
    let compared = 0;
    const wrong: string[] = [];
    for (const [, specs] of SPEC_LISTS) {
      for (const spec of specs) {
        const check = p1p2RefusalCheck(spec);
        expect(p1p2RefusalCheck(spec)).toBe(check); // compiled once per declaration
        for (let a = 0; a < 256; a++) {
          for (const b of probe) {
            if (check(a, b) !== p1p2Refusal(spec, a, b)) wrong.push(`${spec.name} ${a} ${b}`);
            if (check(b, a) !== p1p2Refusal(spec, b, a)) wrong.push(`${spec.name} ${b} ${a}`);
            compared += 2;
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(compared).toBeGreaterThan(100_000);
  });

  it('paramsRefused of a table entry falls back to the declaration for values outside a byte', () => {
    const spec: CommandSpec = { name: 'X', cla: cla('80', 0x80, 0xff), ins: 0x10, cases: [1], description: 'x', ref: 'test', p1p2: { forms: [{ p1: [{ name: 'any', open: true }], p2: [{ name: 'any', open: true }] }] } };
    const entry = tableOf([spec]).lookup(0x80, 0x10);
    if (typeof entry === 'number') throw new Error('no entry');
    expect(paramsRefused(entry, { p1: 0x1ff, p2: 0 })).toBe(p1p2Refusal(spec, 0x1ff, 0));
    expect(paramsRefused(entry, { p1: 0x12, p2: 0x34 })).toBeUndefined();
  });
});

describe('class bytes and the command view', () => {
  it('decodeCla gives one frozen object per class byte, the same each time', () => {
    for (let c = 0; c < 256; c++) {
      const a = decodeCla(c);
      expect(decodeCla(c)).toBe(a);
      if (a) expect(Object.isFrozen(a)).toBe(true);
    }
    expect(decodeCla(0xff)).toBeUndefined();
    expect(decodeCla(0x25)).toBeUndefined();
    expect(decodeCla(256)).toBeUndefined();
  });

  it('the data is a view of the command (no copy) and a plain Uint8Array even from a Buffer', () => {
    const bytes = Buffer.from('0000000080a404000311223301', 'hex').subarray(4);
    const apdu = parseCommand(bytes);
    expect(apdu.data.constructor).toBe(Uint8Array);
    expect(apdu.data.buffer).toBe(bytes.buffer);
    expect(apdu.data.byteOffset).toBe(bytes.byteOffset + 5);
    expect([...apdu.data]).toEqual([0x11, 0x22, 0x33]);
    expect(apdu.ne).toBe(1);
    expect(apdu.apduCase).toBe(4);
  });

  it('parseCommandInto overwrites every field of the view it is given', () => {
    const view = parseCommand(Uint8Array.from([0x80, 0x10, 0x01, 0x02, 0x00, 0x00, 0x02, 0xaa, 0xbb, 0x00, 0x00]));
    expect(view.extended).toBe(true);
    const short = Uint8Array.from([0x01, 0x12, 0x03, 0x04, 0x10]);
    parseCommandInto(view, short);
    expect({ ...view, bytes: undefined, claInfo: undefined }).toEqual({ ...parseCommand(short), bytes: undefined, claInfo: undefined });
    expect(view.claInfo).toBe(decodeCla(0x01));
    expect(view.bytes).toBe(short);
    expect(view.data.length).toBe(0);
  });

  it('the card hands every command to its handler in the same view, holding that command\'s fields', () => {
    const seen: Array<{ view: CommandApdu; ins: number; p1: number; data: string; ne: number }> = [];
    const specs: CommandSpec[] = [
      { name: 'A', cla: cla('80', 0x80, 0xff), ins: 0x20, cases: [3, 4], description: 'a', ref: 'test' },
      { name: 'B', cla: cla('80', 0x80, 0xff), ins: 0x22, cases: [2], description: 'b', ref: 'test' },
    ];
    const note = (a: CommandApdu): void => {
      seen.push({ view: a, ins: a.ins, p1: a.p1, data: Buffer.from(a.data).toString('hex'), ne: a.ne });
    };
    class Probe extends Applet {
      static readonly type = 'test.probe';
      readonly commands = new CommandTable(specs, {
        A: (a) => {
          note(a);
          return { data: a.data.slice() };
        },
        B: (a) => {
          note(a);
          return { data: Uint8Array.of(1, 2) };
        },
      });
    }
    const card = new Card();
    card.install(Probe, { aid: 'a000000999990001', default: true });
    card.powerOn();
    const r1 = card.transmit(Uint8Array.from([0x80, 0x20, 0x07, 0x00, 0x02, 0xca, 0xfe, 0x02]));
    const r2 = card.transmit(Uint8Array.from([0x80, 0x22, 0x09, 0x00, 0x02]));
    expect(Buffer.from(r1).toString('hex')).toBe('cafe9000');
    expect(Buffer.from(r2).toString('hex')).toBe('01029000');
    expect(seen.map(({ view: _v, ...f }) => f)).toEqual([
      { ins: 0x20, p1: 0x07, data: 'cafe', ne: 2 },
      { ins: 0x22, p1: 0x09, data: '', ne: 2 },
    ]);
    expect(seen[1]!.view).toBe(seen[0]!.view);
    // Between commands the view holds no command bytes (a PIN or a key must not linger there).
    expect(seen[0]!.view.bytes.length).toBe(0);
    expect(seen[0]!.view.data.length).toBe(0);
    // The responses are the caller's own arrays: a later command does not touch them.
    r1[0] = 0;
    expect(Buffer.from(card.transmit(Uint8Array.from([0x80, 0x22, 0x00, 0x00, 0x02]))).toString('hex')).toBe('01029000');
    expect(Buffer.from(r2).toString('hex')).toBe('01029000');
  });
});

describe('deliver (the allocation-free form behind it)', () => {
  it('still reports what it holds: Le absent holds all, a long answer holds the rest', () => {
    const data = Uint8Array.from([1, 2, 3, 4]);
    const held = deliver(0, data, 0x9000, 0, false, false, true, 3);
    expect(Buffer.from(held.response).toString('hex')).toBe('6104');
    expect(held.pending).toEqual({ channel: 0, data, sw: 0x9000 });
    const cut = deliver(1, data, 0x9000, 3, false, false, false, 4);
    expect(Buffer.from(cut.response).toString('hex')).toBe('0102036101');
    expect(cut.pending?.channel).toBe(1);
    expect([...cut.pending!.data]).toEqual([4]);
    expect(deliver(0, data, 0x9000, 4, false, false, true, 4).pending).toBeNull();
  });
});
