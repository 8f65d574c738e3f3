/**
 * Canonical BER-TLV for the payment records (ISO/IEC 8825-1 §8.1: one- or two-byte tags, definite
 * lengths in the minimal form: 00..7F, 81 xx, 82 xx xx). The parser is strict: it accepts only the
 * expected tags in the expected order, each exactly once, minimal lengths, nothing left over, and
 * says where it failed. Shared by the card and the host so both speak the same encoding. The codec
 * is the runtime's (card/runtime/tlv.ts, DER rules); the field sequence and its errors are here.
 */
import { encodeTemplate, encodeTlv, readTlvAt, TlvSyntaxError } from '../../runtime/tlv.js';

export class TlvError extends Error {
  readonly code = 'TLV_MALFORMED';
  constructor(message: string) {
    super(message);
    this.name = 'TlvError';
  }
}

/** Encode one TLV. */
export function tlv(tag: number, value: Uint8Array): Uint8Array {
  return encodeTlv(tag, value);
}

/** Concatenate TLVs under a constructed template tag. */
export function template(tag: number, ...children: Uint8Array[]): Uint8Array {
  return encodeTemplate(tag, ...children);
}

export interface TlvField {
  readonly tag: number;
  /** Exact length, or [min, max]. */
  readonly length: number | readonly [number, number];
}

/**
 * Parse `data` as exactly the listed TLVs in order; returns the values (views into `data`).
 * Throws TlvError naming the tag and offset of the first deviation.
 */
export function parseFields(data: Uint8Array, fields: readonly TlvField[], where: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  for (const f of fields) {
    const [tag, value, next] = readTlv(data, off, where);
    if (tag !== f.tag) throw new TlvError(`${where}: expected tag ${f.tag.toString(16)} at offset ${off}, got ${tag.toString(16)}`);
    const [min, max] = typeof f.length === 'number' ? [f.length, f.length] : f.length;
    if (value.length < min || value.length > max) throw new TlvError(`${where}: tag ${tag.toString(16)} at offset ${off} expected ${min}..${max} bytes, got ${value.length}`);
    out.push(value);
    off = next;
  }
  if (off !== data.length) throw new TlvError(`${where}: ${data.length - off} unexpected bytes at offset ${off}`);
  return out;
}

/** Read one TLV at `off`: [tag, value view, offset after it]. Minimal lengths only. */
export function readTlv(data: Uint8Array, off: number, where: string): [number, Uint8Array, number] {
  if (off >= data.length) throw new TlvError(`${where}: missing tag at offset ${off}`);
  try {
    const { item, next } = readTlvAt(data, off, { der: true });
    return [item.tag, item.value, next];
  } catch (e) {
    if (!(e instanceof TlvSyntaxError)) throw e;
    throw new TlvError(`${where}: ${problemText(e)}`);
  }
}

function problemText(e: TlvSyntaxError): string {
  const p = e.problem;
  switch (p.kind) {
    case 'tag-cut':
      return `truncated tag at offset ${p.start}`;
    case 'long-tag':
      return `tags longer than two bytes are not used (offset ${p.start})`;
    case 'no-length':
      return `missing length at offset ${p.at}`;
    case 'length-cut':
      return `truncated length at offset ${p.at}`;
    case 'non-minimal':
      return `non-minimal length at offset ${p.at}`;
    case 'length-byte':
      return `unsupported length byte ${p.byte.toString(16)} at offset ${p.at}`;
    case 'past-end':
      return `value of tag ${p.tag.toString(16)} at offset ${p.start} runs past the end (${p.length} bytes, ${p.left} left)`;
  }
}
