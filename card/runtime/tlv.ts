/**
 * Reading BER-TLV data objects one level deep (ISO/IEC 7816-4 §5.2, ISO/IEC 8825-1 §8.1): tags of
 * one byte or two (first byte xF / 1F), lengths 00..7F, 81 xx, 82 xx xx. Lenient by design — it
 * stops at the first object that does not fit — for reading answers (FCP templates, EF_DIR
 * records, AUTHENTICATE results). Card-side parsers of commands are strict (perso.ts, the payment
 * applet's tlv.ts) because a malformed command must be refused, not read as far as possible.
 */

export interface Tlv {
  readonly tag: number;
  readonly value: Uint8Array;
}

export function readTlvs(data: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < data.length) {
    let tag = data[i++]!;
    if ((tag & 0x1f) === 0x1f) {
      if (i >= data.length) break;
      tag = (tag << 8) | data[i++]!;
    }
    if (i >= data.length) break;
    let len = data[i++]!;
    if (len === 0x81 || len === 0x82) {
      const n = len - 0x80;
      if (i + n > data.length) break;
      len = n === 1 ? data[i]! : (data[i]! << 8) | data[i + 1]!;
      i += n;
    } else if (len > 0x7f) break;
    if (i + len > data.length) break;
    out.push({ tag, value: data.subarray(i, i + len) });
    i += len;
  }
  return out;
}

/** The value of the first data object with this tag, if any. */
export function findTlv(data: Uint8Array, tag: number): Uint8Array | undefined {
  return readTlvs(data).find((t) => t.tag === tag)?.value;
}
