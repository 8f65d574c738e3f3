/** vpcd framing: reassembly across arbitrary TCP splits, merged frames, and malformed input. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, FrameReader, type VpcdMessage } from '../../host/transport/vpcd-framing.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));

describe('vpcd framing', () => {
  it('encodes a 2-byte big-endian length before the payload', () => {
    expect(Buffer.from(encodeFrame(hex('9000'))).toString('hex')).toBe('00029000');
    expect(encodeFrame(new Uint8Array(300)).subarray(0, 2)).toEqual(Uint8Array.of(0x01, 0x2c));
    expect(() => encodeFrame(new Uint8Array(0x10000))).toThrow(RangeError);
  });

  it('tells control codes (1 byte) from APDUs', () => {
    const r = new FrameReader();
    expect(r.push(hex('0001 01 0001 04 0005 00a4040000'))).toEqual([
      { kind: 'control', code: 1 },
      { kind: 'control', code: 4 },
      { kind: 'apdu', apdu: hex('00a4040000') },
    ]);
    expect(r.pending).toBe(0);
  });

  it('waits for the rest of a frame split anywhere, including inside the length', () => {
    const r = new FrameReader();
    expect(r.push(hex('00'))).toEqual([]);
    expect(r.push(hex('06 8012'))).toEqual([]);
    expect(r.pending).toBe(4);
    expect(r.push(hex('00001000 0001'))).toEqual([{ kind: 'apdu', apdu: hex('801200001000') }]);
    expect(r.pending).toBe(2);
    expect(r.push(hex('04'))).toEqual([{ kind: 'control', code: 4 }]);
  });

  it('reports a zero-length frame as malformed and stays in step', () => {
    const r = new FrameReader();
    expect(r.push(hex('0000 0001 02'))).toEqual([{ kind: 'malformed', reason: 'zero-length frame' }, { kind: 'control', code: 2 }]);
  });

  it('holds a length beyond the data without throwing, and drops it on reset', () => {
    const r = new FrameReader();
    expect(r.push(hex('ffff 0102 03'))).toEqual([]);
    expect(r.pending).toBe(5);
    expect(r.reset()).toBe(5);
    expect(r.push(hex('0001 00'))).toEqual([{ kind: 'control', code: 0 }]);
  });

  it('yields the same messages however the stream is chunked (property)', () => {
    const frame = fc.uint8Array({ minLength: 1, maxLength: 300 });
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 40 }), (payloads, cuts) => {
        const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
        const r = new FrameReader();
        const got: VpcdMessage[] = [];
        let off = 0;
        for (let i = 0; off < stream.length; i++) {
          const n = cuts[i % cuts.length]!;
          got.push(...r.push(Uint8Array.from(stream.subarray(off, off + n))));
          off += n;
        }
        expect(got.map((m) => (m.kind === 'control' ? Uint8Array.of(m.code) : m.kind === 'apdu' ? m.apdu : null))).toEqual(payloads);
        expect(r.pending).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on garbage', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 20 }), (chunks) => {
        const r = new FrameReader();
        for (const c of chunks) r.push(c);
      }),
      { numRuns: 300 },
    );
  });
});
