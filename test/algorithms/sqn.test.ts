// SQN freshness in the USIM, TS 33.102 Annex C (array scheme): SQN = SEQ || IND.
import { describe, expect, it } from 'vitest';
import {
  SQN_DEFAULT_PARAMS,
  SQN_REJECT,
  buildAuts,
  checkPackedSqn,
  checkSqnFreshness,
  milenageAka,
  openAuts,
  sqnFromBytes,
  sqnInitialState,
  sqnJoin,
  sqnMs,
  sqnSplit,
  sqnToBytes,
  type SqnParams,
  type SqnState,
} from '../../card/algorithms/index.js';
import { bytesToHex as hex } from '../../card/runtime/bytes.js';
import { expectError, h, prng } from './vectors.js';

const J = (seq: number, ind: number): number => sqnJoin(seq, ind, 5);

/** Feeds SQNs in order; returns the final state and the verdicts' accepted flags. */
function feed(sqns: number[], params: SqnParams = SQN_DEFAULT_PARAMS, start?: SqnState) {
  let state = start ?? sqnInitialState(params);
  const accepted: boolean[] = [];
  for (const s of sqns) {
    const v = checkSqnFreshness(state, s, params);
    accepted.push(v.accepted);
    state = v.state;
  }
  return { state, accepted };
}

/** Deep-freezes a state so that any mutation by the code under test throws. */
function frozen(state: SqnState): SqnState {
  Object.freeze(state.seq);
  return Object.freeze(state);
}

describe('SQN encoding', () => {
  it('splits 48 bits into SEQ (43) and IND (5)', () => {
    expect(sqnSplit(2 ** 48 - 1)).toEqual({ seq: 2 ** 43 - 1, ind: 31 });
    expect(sqnSplit(J(123456789, 17))).toEqual({ seq: 123456789, ind: 17 });
    expect(sqnSplit(0x41, 0)).toEqual({ seq: 0x41, ind: 0 });
    expectError(() => sqnJoin(2 ** 43, 0), RangeError, '"seq" expected 0..8796093022207, got 8796093022208');
    expectError(() => sqnJoin(1, 32), RangeError, '"ind" expected 0..31, got 32');
  });

  it('converts to and from 6 bytes exactly for 48-bit values (checked against BigInt)', () => {
    const rnd = prng(48);
    for (let i = 0; i < 200; i++) {
      const b = rnd(6);
      const big = Number(BigInt('0x' + hex(b)));
      expect(sqnFromBytes(b)).toBe(big);
      expect(sqnToBytes(big)).toEqual(b);
    }
    expect(hex(sqnToBytes(2 ** 48 - 1))).toBe('ffffffffffff');
    expect(hex(sqnToBytes(2 ** 32))).toBe('000100000000');
    expectError(() => sqnToBytes(-1), RangeError, '"sqn" expected 0..281474976710655, got -1');
    expectError(() => sqnToBytes(1.5), RangeError, '"sqn" expected 0..281474976710655, got 1.5');
    expectError(() => sqnFromBytes(new Uint8Array(8)), RangeError, '"sqn" expected 6 bytes, got 8');
  });
});

describe('SQN freshness (array scheme)', () => {
  it('starts with 32 zero entries and SQN_MS = 0', () => {
    const s = sqnInitialState();
    expect(s.seq).toEqual(new Array(32).fill(0));
    expect(sqnMs(s)).toBe(0);
  });

  it('accepts a fresh SQN, records SEQ under its IND, and reports the new SQN_MS', () => {
    const s0 = frozen(sqnInitialState());
    const v = checkSqnFreshness(s0, J(7, 3));
    expect(v).toMatchObject({ accepted: true, seq: 7, ind: 3, sqnMs: J(7, 3) });
    expect(v.state.seq[3]).toBe(7);
    expect(v.state.seq.filter((x) => x !== 0)).toEqual([7]);
    expect(s0.seq[3]).toBe(0); // pure: the old state is untouched
  });

  it('rejects a replay of the same SQN, keeping the state object', () => {
    const { state } = feed([J(7, 3)]);
    const v = checkSqnFreshness(frozen(state), J(7, 3));
    expect(v).toMatchObject({ accepted: false, reason: SQN_REJECT.NOT_FRESH, sqnMs: J(7, 3) });
    expect(v.state).toBe(state);
  });

  it('rejects an older SEQ on the same IND, but accepts it on another IND', () => {
    const { state } = feed([J(10, 3)]);
    expect(checkSqnFreshness(state, J(9, 3))).toMatchObject({ accepted: false, reason: 'not-fresh' });
    const other = checkSqnFreshness(state, J(9, 4));
    expect(other.accepted).toBe(true);
    // SQN_MS stays the highest accepted anywhere in the array, not the last accepted.
    expect(other.sqnMs).toBe(J(10, 3));
  });

  it('accepts vectors used out of order across two VLRs (different IND)', () => {
    const batchA = [10, 11, 12].map((s) => J(s, 1));
    const batchB = [13, 14, 15].map((s) => J(s, 2));
    const { state, accepted } = feed([batchB[0]!, batchA[0]!, batchB[1]!, batchA[1]!, batchA[2]!, batchB[2]!]);
    expect(accepted).toEqual([true, true, true, true, true, true]);
    expect(checkSqnFreshness(state, J(14, 1)).accepted).toBe(true);
    expect(checkSqnFreshness(state, J(14, 2)).accepted).toBe(false);
  });

  it('wraps around the IND array: every IND used once, then IND 0 again', () => {
    const first = Array.from({ length: 32 }, (_, i) => J(i + 1, i));
    const { state, accepted } = feed(first);
    expect(accepted.every(Boolean)).toBe(true);
    expect(state.seq).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(sqnMs(state)).toBe(J(32, 31));
    // Wrapped to IND 0 with a higher SEQ: fresh. The old IND 0 value: a replay.
    expect(checkSqnFreshness(state, J(1, 0)).accepted).toBe(false);
    const next = checkSqnFreshness(state, J(33, 0));
    expect(next).toMatchObject({ accepted: true, sqnMs: J(33, 0) });
    expect(checkSqnFreshness(next.state, J(33, 0)).accepted).toBe(false);
    // IND 1 holds SEQ 2: SEQ 2 there is a replay, SEQ 3 is fresh.
    expect(checkSqnFreshness(next.state, J(2, 1)).accepted).toBe(false);
    expect(checkSqnFreshness(next.state, J(3, 1)).accepted).toBe(true);
  });

  it('enforces Δ against the highest SEQ (default Δ = 2^28)', () => {
    const s0 = sqnInitialState();
    expect(checkSqnFreshness(s0, J(2 ** 28, 0)).accepted).toBe(true);
    expect(checkSqnFreshness(s0, J(2 ** 28 + 1, 0))).toMatchObject({ accepted: false, reason: SQN_REJECT.DELTA, sqnMs: 0 });
    const params: SqnParams = { indBits: 5, delta: 10 };
    const { state } = feed([J(5, 0), J(15, 1)], params);
    expect(state.seq.slice(0, 2)).toEqual([5, 15]);
    expect(checkSqnFreshness(state, J(25, 2), params).accepted).toBe(true);
    expect(checkSqnFreshness(state, J(26, 2), params)).toMatchObject({ accepted: false, reason: 'delta', sqnMs: J(15, 1) });
    const off: SqnParams = { indBits: 5, delta: Infinity };
    expect(checkSqnFreshness(state, 2 ** 48 - 1, off)).toMatchObject({ accepted: true, sqnMs: 2 ** 48 - 1 });
  });

  it('enforces the age limit L when set (SEQ_MS - SEQ < L)', () => {
    const params: SqnParams = { indBits: 5, delta: 2 ** 28, limit: 5 };
    const { state } = feed([J(100, 0)], params);
    expect(checkSqnFreshness(state, J(96, 1), params).accepted).toBe(true);
    expect(checkSqnFreshness(state, J(95, 1), params)).toMatchObject({ accepted: false, reason: SQN_REJECT.LIMIT });
    // Without L the same SQN is fresh.
    expect(checkSqnFreshness(state, J(95, 1)).accepted).toBe(true);
  });

  it('reports SQN_MS as SEQ_MS || IND of the highest entry (ties: the higher IND)', () => {
    const { state } = feed([J(100, 0), J(96, 1), J(100, 7)]);
    expect(sqnMs(state)).toBe(J(100, 7));
    const v = checkSqnFreshness(state, J(50, 7));
    expect(v).toMatchObject({ accepted: false, sqnMs: J(100, 7) });
  });

  it('accepts the 6 SQN bytes recovered from AUTN', () => {
    const sqn = J(2 ** 40 + 3, 9);
    const v = checkSqnFreshness(sqnInitialState(), sqnToBytes(sqn), { indBits: 5, delta: Infinity });
    expect(v).toMatchObject({ accepted: true, seq: 2 ** 40 + 3, ind: 9, sqnMs: sqn });
  });

  it('works without IND (indBits 0: SQN = SEQ)', () => {
    const params: SqnParams = { indBits: 0, delta: 1000 };
    const { state, accepted } = feed([0x21, 0x22, 0x22, 0x20, 0x30], params);
    expect(accepted).toEqual([true, true, false, false, true]);
    expect(state.seq).toEqual([0x30]);
  });

  it('feeds a rejection straight into AUTS, and the AuC recovers SQN_MS', () => {
    const { state } = feed([J(1000, 4), J(1001, 5)]);
    const v = checkSqnFreshness(state, J(999, 4));
    expect(v.accepted).toBe(false);
    const aka = milenageAka(h('465b5ce8b199b49faa5f0a2ee238a6bc'), h('cd63cb71954a9f4e48a5994e37a02baf'));
    const rand = h('23553cbe9637a89d218ae64dae47bf35');
    expect(openAuts(aka, rand, buildAuts(aka, rand, v.sqnMs))).toMatchObject({ macOk: true, sqnMsValue: J(1001, 5) });
  });

  it('rejects malformed state and parameters', () => {
    expectError(() => checkSqnFreshness({ seq: [0, 0] }, 1), RangeError, '"state.seq" expected 32 entries, got 2');
    const bad = new Array(32).fill(0);
    bad[4] = -1;
    expectError(() => checkSqnFreshness({ seq: bad }, 1), RangeError, '"state.seq[4]" expected 0..8796093022207, got -1');
    expectError(() => sqnInitialState({ indBits: 17, delta: 1 }), RangeError, '"indBits" expected 0..16, got 17');
    expectError(() => sqnInitialState({ indBits: 5, delta: 0 }), RangeError, '"delta" expected 1..Infinity, got 0');
    expectError(
      () => checkSqnFreshness(sqnInitialState(), 2 ** 48),
      RangeError,
      '"sqn" expected 0..281474976710655, got 281474976710656',
    );
    expectError(() => checkSqnFreshness({} as SqnState, 1), TypeError, '"state.seq" expected array, got undefined');
  });

  describe('the packed check (the USIM applet\'s per-command path, issue 20)', () => {
    const pack = (state: SqnState): Uint8Array => {
      const out = new Uint8Array(6 * state.seq.length);
      state.seq.forEach((v, i) => out.set(sqnToBytes(v), 6 * i));
      return out;
    };
    const cases: SqnParams[] = [SQN_DEFAULT_PARAMS, { indBits: 0, delta: 1000 }, { indBits: 3, delta: 50, limit: 20 }, { indBits: 8, delta: 2 ** 20, limit: 5 }];
    for (const params of cases) {
      it(`decides as checkSqnFreshness over 2,000 random SQNs (indBits ${params.indBits}, delta ${params.delta}, limit ${String(params.limit)})`, () => {
        const rnd = prng(params.indBits * 7 + 1);
        let state = sqnInitialState(params);
        const size = 2 ** params.indBits;
        let accepted = 0;
        for (let n = 0; n < 2000; n++) {
          const r = rnd(4);
          // Mostly near SQN_MS (fresh, replays, slightly old), sometimes far ahead (Δ) or far behind (L).
          const ms = Math.floor(sqnMs(state, params) / size);
          const jump = r[0]! < 8 ? params.delta + 1 + r[1]! : (r[1]! % 40) - 20;
          const seq = Math.max(0, ms + jump);
          const sqn = sqnJoin(seq, r[2]! % size, params.indBits);
          const want = checkSqnFreshness(state, sqn, params);
          const got = checkPackedSqn(pack(state), sqnToBytes(sqn), params);
          const { state: next, ...facts } = want;
          expect(got).toEqual(facts);
          if (want.accepted) accepted++;
          state = next;
        }
        expect(accepted).toBeGreaterThan(200);
        expect(accepted).toBeLessThan(1900);
      });
    }

    // Guards the word-wise scan (16-bit words, top-bits range check, later IND on a tie) against the
    // reference on arbitrary states: large SEQs (all 48 bits in play), repeated values, zeros.
    it('decides as checkSqnFreshness on random states: every indBits 0..12, large and repeated SEQs', () => {
      const rnd = prng(4820);
      for (let indBits = 0; indBits <= 12; indBits++) {
        const size = 2 ** indBits;
        const seqMax = 2 ** (48 - indBits) - 1;
        const params: SqnParams = { indBits, delta: 2 ** 40, limit: indBits % 2 ? 2 ** 30 : undefined };
        for (let run = 0; run < 40; run++) {
          const pool = Array.from({ length: 3 }, () => Math.floor((rnd(1)[0]! / 256) * seqMax));
          const seq = Array.from({ length: size }, () => {
            const r = rnd(1)[0]!;
            return r < 80 ? 0 : r < 200 ? pool[r % 3]! : Math.floor((rnd(1)[0]! / 256) * seqMax) + (r & 7);
          });
          const state: SqnState = { seq: seq.map((v) => Math.min(v, seqMax)) };
          const ms = Math.floor(sqnMs(state, params) / size);
          const r = rnd(3);
          const s = Math.min(seqMax, Math.max(0, ms + (r[0]! % 5) - 2 + (r[1]! < 30 ? 2 ** 41 : 0)));
          const sqn = sqnJoin(s, r[2]! % size, indBits);
          const { state: _next, ...facts } = checkSqnFreshness(state, sqn, params);
          expect(checkPackedSqn(pack(state), sqnToBytes(sqn), params), `indBits ${indBits} run ${run}`).toEqual(facts);
        }
      }
    });

    it('names a bad entry and a bad length as checkSqnFreshness does', () => {
      const packed = new Uint8Array(6 * 32);
      packed.set(sqnToBytes(2 ** 43), 6 * 4); // one above SEQ's 43 bits
      expectError(() => checkPackedSqn(packed, sqnToBytes(1), SQN_DEFAULT_PARAMS), RangeError, '"state.seq[4]" expected 0..8796093022207, got 8796093022208');
      expectError(() => checkPackedSqn(new Uint8Array(12), sqnToBytes(1), SQN_DEFAULT_PARAMS), RangeError, '"state.seq" expected 32 entries, got 2');
      expectError(() => checkPackedSqn(new Uint8Array(192), new Uint8Array(5), SQN_DEFAULT_PARAMS), RangeError, '"sqn" expected 6 bytes, got 5');
    });
  });
});
