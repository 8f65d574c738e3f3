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

/** A data object read strictly, with the offset of its tag (for errors that point at the byte). */
export interface TlvItem extends Tlv {
  /** Offset of the tag, counted from `base`. */
  readonly at: number;
}

/**
 * Every BER-TLV data object filling `b` exactly — strict, for data that must be well formed (an
 * imported FCP, a file's contents, a command): a tag byte 00/FF, a cut tag or length, an 83+
 * length form or a length running past the end is a RangeError naming `field` and the offset
 * (`base` + position). `padded`: an FF where a tag would start ends the list, and every byte from
 * there must be FF (records padded to their length).
 */
export function readTlvsStrict(b: Uint8Array, field: string, base = 0, padded = false): TlvItem[] {
  const fail = (at: number, problem: string): never => {
    throw new RangeError(`"${field}" at offset ${at}: ${problem}`);
  };
  const hx = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
  const out: TlvItem[] = [];
  let i = 0;
  while (i < b.length) {
    const at = i;
    if (b[i] === 0xff && padded) {
      for (let j = i; j < b.length; j++) if (b[j] !== 0xff) fail(base + j, `expected FF padding, got ${hx(b[j]!)}`);
      break;
    }
    if (b[i] === 0x00 || b[i] === 0xff) fail(base + i, `${hx(b[i]!)} is not a tag`);
    let tag = b[i++]!;
    if ((tag & 0x1f) === 0x1f) {
      if (i >= b.length) fail(base + i, 'tag cut short');
      tag = (tag << 8) | b[i++]!;
    }
    if (i >= b.length) fail(base + i, `tag ${tag.toString(16).toUpperCase()} without a length`);
    let len = b[i++]!;
    if (len === 0x81 || len === 0x82) {
      const n = len - 0x80;
      if (i + n > b.length) fail(base + i, 'length cut short');
      len = n === 1 ? b[i]! : (b[i]! << 8) | b[i + 1]!;
      i += n;
    } else if (len > 0x7f) fail(base + i - 1, `length byte ${hx(len)} is not allowed`);
    if (i + len > b.length) fail(base + i - 1, `tag ${tag.toString(16).toUpperCase()} length ${len} runs past the end (${b.length - i} bytes left)`);
    out.push({ tag, value: b.subarray(i, i + len), at: base + at });
    i += len;
  }
  return out;
}

/** One BER-TLV data object: a 1- or 2-byte tag, short or 81 length form. */
export function encodeTlv(tag: number, value: Uint8Array | readonly number[]): Uint8Array {
  if (value.length > 0xff) throw new RangeError(`encodeTlv: value of tag ${tag.toString(16)} expected 0..255 bytes, got ${value.length}`);
  const head = [...(tag > 0xff ? [tag >> 8, tag & 0xff] : [tag]), ...(value.length < 0x80 ? [value.length] : [0x81, value.length])];
  const out = new Uint8Array(head.length + value.length);
  out.set(head);
  out.set(value, head.length);
  return out;
}
