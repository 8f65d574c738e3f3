/**
 * APDU generators for the fuzzers: random bytes, spec-guided commands built from the declarations
 * in apdu-specs (ALL_COMMANDS: class pattern, INS, cases, data/Le shapes in short and extended
 * form), and mutations of the golden transcripts' commands (byte set, bit flip, truncation,
 * extension, Lc/Le rewrites, P1-P2 and class swaps). A session replays a prefix of the golden
 * session (to reach deep states: codes verified, records written) and then fuzzes.
 */
import fc from 'fast-check';
import { ALL_COMMANDS, type CommandSpec } from '../../apdu-specs/index.js';
import { encodeCla } from '../../card/runtime/index.js';

export type Op = { readonly kind: 'apdu'; readonly bytes: Uint8Array } | { readonly kind: 'reset' };

export interface Session {
  readonly prefix: number;
  readonly ops: readonly Op[];
}

const byte = fc.integer({ min: 0, max: 255 });

export const randomApdu: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 4, maxLength: 300 }) },
);

function fixedLength(spec: CommandSpec): number | undefined {
  if (!spec.command) return undefined;
  let n = 0;
  for (const f of spec.command) {
    if (f.length === 'rest') return undefined;
    n += f.length;
  }
  return n;
}

/** Encode header + body in short or extended form (case 1..4). */
export function encode(head: readonly number[], c: number, data: Uint8Array, le: number, extended: boolean): Uint8Array {
  const out = [...head];
  if (c === 3 || c === 4) {
    if (extended) out.push(0, data.length >> 8, data.length & 0xff);
    else out.push(data.length & 0xff);
    out.push(...data);
  }
  if (c === 2 || c === 4) {
    if (extended) {
      if (c === 2) out.push(0);
      out.push((le >> 8) & 0xff, le & 0xff);
    } else out.push(le & 0xff);
  }
  return Uint8Array.from(out);
}

export function specApdu(specs: readonly CommandSpec[] = ALL_COMMANDS): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      spec: fc.constantFrom(...specs),
      claNoise: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: byte }),
      p1: fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 0x80, 0x81), byte),
      p2: fc.oneof(fc.constantFrom(0, 1, 2, 4, 0x0c, 0x81, 0x0a), byte),
      declaredCase: fc.boolean(),
      anyCase: fc.integer({ min: 1, max: 4 }),
      caseIndex: fc.nat(),
      lenChoice: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 300 })),
      fill: fc.uint8Array({ minLength: 0, maxLength: 300 }),
      le: fc.oneof(fc.constantFrom(0, 1, 2, 16, 0x100, 0x10000), fc.integer({ min: 0, max: 0x10000 })),
      extended: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
    })
    .map((r) => {
      const s = r.spec;
      const cla = (s.cla.value | (r.claNoise & ~s.cla.mask)) & 0xff;
      const c = r.declaredCase ? s.cases[r.caseIndex % s.cases.length]! : r.anyCase;
      const want = r.lenChoice === -1 ? (fixedLength(s) ?? 8) : r.lenChoice;
      const data = new Uint8Array(Math.max(c === 3 || c === 4 ? 1 : 0, want));
      data.set(r.fill.subarray(0, data.length));
      const ext = r.extended || data.length > 255;
      const le = ext ? r.le & 0xffff : r.le & 0xff;
      return encode([cla, s.ins, r.p1, r.p2], c, data, le, ext);
    });
}

type Mutation = (b: Uint8Array, x: number, y: number) => Uint8Array;
const MUTATIONS: readonly Mutation[] = [
  (b, x, y) => set(b, x % Math.max(1, b.length), y),
  (b, x, y) => set(b, x % Math.max(1, b.length), (b[x % Math.max(1, b.length)] ?? 0) ^ (1 << (y & 7))),
  (b, x) => b.slice(0, x % (b.length + 1)),
  (b, x, y) => Uint8Array.from([...b, ...Array.from({ length: 1 + (x % 8) }, (_, i) => (y + i * 37) & 0xff)]),
  (b, _x, y) => set(b, 4, y), // Lc / Le rewritten
  (b, x, y) => set(set(b, 2, x & 0xff), 3, y), // P1-P2
  (b, x) => set(b, 0, [0x00, 0x01, 0x03, 0x80, 0x81, 0xa0, 0x0c, 0x40, 0xff][x % 9]!), // class: channel, SM, chaining, GSM
  (b, x) => set(b, 1, [0xc0, 0xa4, 0x20, 0x2c, 0x70, 0x88, 0xb0, 0xd6, 0x32][x % 9]!), // INS swap
  (b, x) => (b.length > 5 ? b.slice(0, b.length - 1 - (x % 2)) : b), // drop Le / one data byte
  (b, x) => (b.length > 0 && b[0] !== 0xa0 ? set(b, 0, encodeCla((b[0]! & 0x80) === 0 ? 0x00 : 0x80, x % 20)) : b), // any logical channel 0..19
];

function set(b: Uint8Array, i: number, v: number): Uint8Array {
  const c = b.length > i ? b.slice() : Uint8Array.from([...b, ...new Uint8Array(i + 1 - b.length)]);
  c[i] = v & 0xff;
  return c;
}

export function mutatedApdu(corpus: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .record({ pick: fc.nat(), muts: fc.array(fc.tuple(fc.nat({ max: MUTATIONS.length - 1 }), fc.nat(), byte), { minLength: 1, maxLength: 3 }) })
    .map(({ pick, muts }) => muts.reduce((b, [m, x, y]) => MUTATIONS[m]!(b, x, y), corpus[pick % corpus.length]!));
}

export function opArb(corpus: readonly Uint8Array[], specs: readonly CommandSpec[] = ALL_COMMANDS): fc.Arbitrary<Op> {
  return fc.oneof(
    { weight: 20, arbitrary: randomApdu.map((bytes): Op => ({ kind: 'apdu', bytes })) },
    { weight: 40, arbitrary: specApdu(specs).map((bytes): Op => ({ kind: 'apdu', bytes })) },
    { weight: 50, arbitrary: mutatedApdu(corpus).map((bytes): Op => ({ kind: 'apdu', bytes })) },
    { weight: 20, arbitrary: fc.constantFrom(...corpus).map((bytes): Op => ({ kind: 'apdu', bytes })) },
    { weight: 2, arbitrary: fc.constant<Op>({ kind: 'reset' }) },
  );
}

export function sessionArb(corpus: readonly Uint8Array[], maxOps = 25, specs: readonly CommandSpec[] = ALL_COMMANDS): fc.Arbitrary<Session> {
  return fc.record({ prefix: fc.nat({ max: corpus.length }), ops: fc.array(opArb(corpus, specs), { minLength: 1, maxLength: maxOps }) });
}
