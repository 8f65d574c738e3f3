import { describe, expect, it } from 'vitest';
import { hexToBytes, bytesToHex, concat, equalBytes, readU16, readU24, readU32, readU48, writeU16, writeU32, writeU48, u16, u24, u32, u48, xorBytes } from '../../card/runtime/index.js';

describe('bytes', () => {
  it('decodes hex with spaces and mixed case', () => {
    expect(bytesToHex(hexToBytes('00 A4 04 00 0a'))).toBe('00a404000a');
    expect(hexToBytes('')).toEqual(new Uint8Array(0));
  });
  it('names the offset of a bad character and of a lone digit', () => {
    expect(() => hexToBytes('00zz')).toThrow(/invalid hex character "z" at offset 2/);
    expect(() => hexToBytes('00 a 04')).toThrow(/lone hex digit at offset 3/);
    expect(() => hexToBytes('abc')).toThrow(/odd number of hex digits/);
  });
  it('rejects non-strings with TypeError', () => {
    expect(() => hexToBytes(12 as unknown as string)).toThrow(TypeError);
  });
  it('concat, xor and constant-time equality', () => {
    expect(bytesToHex(concat(Uint8Array.of(1), Uint8Array.of(2, 3)))).toBe('010203');
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(bytesToHex(xorBytes(Uint8Array.of(0xf0), Uint8Array.of(0x0f)))).toBe('ff');
    expect(() => xorBytes(Uint8Array.of(1), Uint8Array.of(1, 2))).toThrow(RangeError);
  });
  it('big-endian integers with range checks in the house message shape', () => {
    const b = new Uint8Array(4);
    writeU32(b, 0, 0xdeadbeef);
    expect(readU32(b)).toBe(0xdeadbeef);
    expect(readU24(b, 1)).toBe(0xadbeef);
    writeU16(b, 2, 0x1234);
    expect(readU16(b, 2)).toBe(0x1234);
    expect(bytesToHex(u16(0xabcd))).toBe('abcd');
    expect(bytesToHex(u32(1))).toBe('00000001');
    expect(() => writeU16(b, 0, 0x10000)).toThrow('writeU16: "value" expected 0..65535, got 65536');
    expect(() => readU16(b, 3)).toThrow(RangeError);
  });
});

describe('48-bit and 24-bit helpers (issue 17: one bytes module)', () => {
  it('readU48 / writeU48 / u48 round-trip an AKA SQN, big-endian', () => {
    const b = new Uint8Array(8);
    writeU48(b, 1, 0x123456789abc);
    expect(bytesToHex(b)).toBe('00123456789abc00');
    expect(readU48(b, 1)).toBe(0x123456789abc);
    expect(bytesToHex(u48(2 ** 48 - 1))).toBe('ffffffffffff');
    expect(() => u48(2 ** 48)).toThrow(RangeError);
    expect(() => readU48(b, 3)).toThrow(RangeError);
  });

  it('u24 encodes 3 bytes and refuses what does not fit', () => {
    expect(bytesToHex(u24(0x0a0b0c))).toBe('0a0b0c');
    expect(readU24(u24(16777215))).toBe(16777215);
    expect(() => u24(0x1000000)).toThrow('writeU24: "value" expected 0..16777215, got 16777216');
  });
});
