/**
 * The lenient BER-TLV reader used for answers: one- and two-byte tags, short and 81/82 long
 * lengths, and it stops (without throwing) at an object that does not fit.
 */
import { describe, expect, it } from 'vitest';
import { findTlv, readTlvs, hexToBytes, bytesToHex } from '../../card/runtime/index.js';

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
