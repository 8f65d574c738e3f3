/**
 * vpcd wire framing (vsmartcard virtualsmartcard/src/vpcd/vpcd.c): every message, both ways, is
 * a 2-byte big-endian length followed by that many payload bytes. A 1-byte payload from vpcd is a
 * control code; anything longer is a command APDU. TCP may split or merge frames arbitrarily, so
 * FrameReader reassembles; it never throws on any input — a bad frame becomes a 'malformed' item.
 */
import { readU16, writeU16 } from '../../card/runtime/index.js';


/** Control codes vpcd sends as a 1-byte payload. */
export const VPCD_CTRL = { OFF: 0x00, ON: 0x01, RESET: 0x02, ATR: 0x04 } as const;

export type VpcdMessage =
  | { kind: 'control'; code: number }
  | { kind: 'apdu'; apdu: Uint8Array }
  | { kind: 'malformed'; reason: string };

/** Largest payload vpcd can carry: extended APDU (65,544 bytes) fits; the u16 length caps it. */
export const VPCD_MAX_PAYLOAD = 0xffff;

export function encodeFrame(payload: Uint8Array): Uint8Array {
  if (payload.length > VPCD_MAX_PAYLOAD) throw new RangeError(`"payload" expected 0..${VPCD_MAX_PAYLOAD} bytes, got ${payload.length}`);
  const out = new Uint8Array(2 + payload.length);
  writeU16(out, 0, payload.length);
  out.set(payload, 2);
  return out;
}

/**
 * Accumulates received bytes and yields complete messages. A zero-length frame is reported as
 * malformed and skipped (2 bytes consumed), so the stream stays in step; a length beyond the data
 * simply waits for more bytes (if the peer never sends them, the connection's end discards them).
 */
export class FrameReader {
  private buf = new Uint8Array(0);
  private len = 0;

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.len;
  }

  push(chunk: Uint8Array): VpcdMessage[] {
    this.append(chunk);
    const out: VpcdMessage[] = [];
    let off = 0;
    while (this.len - off >= 2) {
      const n = readU16(this.buf, off);
      if (n === 0) {
        out.push({ kind: 'malformed', reason: 'zero-length frame' });
        off += 2;
        continue;
      }
      if (this.len - off - 2 < n) break;
      const payload = this.buf.slice(off + 2, off + 2 + n);
      off += 2 + n;
      // A 2- or 3-byte payload is no valid APDU, but vpcd still waits for one answer: pass it to
      // the card, which answers any bytes with a status word (6700), keeping the stream in step.
      if (n === 1) out.push({ kind: 'control', code: payload[0]! });
      else out.push({ kind: 'apdu', apdu: payload });
    }
    if (off > 0) {
      this.buf.copyWithin(0, off, this.len);
      this.len -= off;
    }
    return out;
  }

  /** Drop partial data (connection closed or restarted). Returns how many bytes were dropped. */
  reset(): number {
    const dropped = this.len;
    this.len = 0;
    return dropped;
  }

  private append(chunk: Uint8Array): void {
    if (this.len + chunk.length > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, this.len + chunk.length, 512));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }
}
