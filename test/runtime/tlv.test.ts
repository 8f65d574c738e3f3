/**
 * The lenient BER-TLV reader used for answers: one- and two-byte tags, short and 81/82 long
 * lengths, and it stops (without throwing) at an object that does not fit.
 */
import { describe, expect, it } from 'vitest';
import { findTlv, readTlvs, readTlvAt, readTlvsStrict, encodeTlv, encodeTemplate, TlvSyntaxError, hexToBytes, bytesToHex } from '../../card/runtime/index.js';

describe('readTlvs / findTlv', () => {
  it('reads one- and two-byte tags and every length form', () => {
    const data = hexToBytes('8202 4121' + '5f2d 02 656e' + 'a5 81 03 800171' + 'c6 82 0002 9001');
    expect(readTlvs(data).map((t) => [t.tag.toString(16), bytesToHex(t.value)])).toEqual([
      ['82', '4121'], ['5f2d', '656e'], ['a5', '800171'], ['c6', '9001'],
    ]);
    expect(bytesToHex(findTlv(data, 0xa5)!)).toBe('800171');
    expect(findTlv(data, 0x83)).toBeUndefined();
  });
  it('stops at a truncated or malformed object and keeps what came before', () => {
    expect(readTlvs(hexToBytes('8301ff 8205 4121')).map((t) => t.tag)).toEqual([0x83]);
    expect(readTlvs(hexToBytes('8301ff 84 83 000000')).map((t) => t.tag)).toEqual([0x83]);
    expect(readTlvs(hexToBytes('5f'))).toEqual([]);
  });
});

describe('the one strict reader and encoder (issue 17)', () => {
  it('readTlvAt: DER refuses non-minimal lengths and three-byte tags; the default rules accept them', () => {
    expect(() => readTlvAt(hexToBytes('c18101aa'), 0, { der: true })).toThrow(TlvSyntaxError);
    expect(readTlvAt(hexToBytes('c18101aa'), 0).item.value).toEqual(Uint8Array.of(0xaa));
    try {
      readTlvAt(hexToBytes('00 9f81 01 aa'), 1, { der: true });
      expect.unreachable();
    } catch (e) {
      expect((e as TlvSyntaxError).problem).toEqual({ kind: 'long-tag', start: 1 });
    }
    const r = readTlvAt(hexToBytes('ff 5f2d 02 656e 99'), 1);
    expect([r.item.tag, bytesToHex(r.item.value), r.item.at, r.next]).toEqual([0x5f2d, '656e', 1, 6]);
  });

  it('readTlvAt: one-byte tags and short lengths for personalization records', () => {
    expect(readTlvAt(hexToBytes('1f01aa'), 0, { oneByteTags: true, shortLengths: true }).item.tag).toBe(0x1f);
    try {
      readTlvAt(hexToBytes('c18101aa'), 0, { oneByteTags: true, shortLengths: true });
      expect.unreachable();
    } catch (e) {
      expect((e as TlvSyntaxError).problem).toEqual({ kind: 'length-byte', start: 0, at: 1, byte: 0x81 });
    }
    try {
      readTlvAt(hexToBytes('c10301'), 0);
      expect.unreachable();
    } catch (e) {
      expect((e as TlvSyntaxError).problem).toEqual({ kind: 'past-end', start: 0, at: 1, tag: 0xc1, length: 3, left: 1 });
    }
  });

  it('readTlvsStrict names the field and the offset', () => {
    expect(() => readTlvsStrict(hexToBytes('8301ff 8203 41'), 'FCP', 10)).toThrow('"FCP" at offset 14: tag 82 length 3 runs past the end (1 bytes left)');
    expect(() => readTlvsStrict(hexToBytes('830200'), 'x')).toThrow('"x" at offset 1: tag 83 length 2 runs past the end (1 bytes left)');
    expect(readTlvsStrict(hexToBytes('8301ff ffff'), 'rec', 0, true).map((t) => t.at)).toEqual([0]);
  });

  it('encodeTlv takes the minimal length form; encodeTemplate nests', () => {
    expect(bytesToHex(encodeTlv(0x84, new Uint8Array(0x7f))).slice(0, 4)).toBe('847f');
    expect(bytesToHex(encodeTlv(0x84, new Uint8Array(0x80))).slice(0, 6)).toBe('848180');
    expect(bytesToHex(encodeTlv(0x5f2d, new Uint8Array(0x100))).slice(0, 10)).toBe('5f2d820100');
    expect(() => encodeTlv(0x84, new Uint8Array(0x10000))).toThrow(RangeError);
    expect(bytesToHex(encodeTemplate(0xa5, encodeTlv(0x80, [0x71]), encodeTlv(0x83, [1, 2])))).toBe('a50780017183020102');
  });
});
