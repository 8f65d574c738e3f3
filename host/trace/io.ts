/**
 * Line and byte plumbing for trace files: a chunked synchronous line reader (a million-exchange
 * trace never becomes one string), a position that names file:line in errors, hex helpers for the
 * text formats and a buffered sink for writers.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { TraceError, syntaxError, type Position } from './errors.js';

/** TRACE_IO naming the file: "t.jsonl: cannot read (EISDIR)". */
function ioError(what: 'open' | 'read' | 'write', path: string, e: unknown): TraceError {
  return new TraceError('TRACE_IO', `cannot ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
}

/**
 * Lines of a file, read in 1 MiB chunks; "\r\n" and "\n" both end a line. The file is opened at
 * the first next() and closed when the lines end, a read fails, or return() is called: a consumer
 * that stops early must call return() (for…of does; LineReader.close() does). nextLine() is
 * next() without an iterator result object per line (what LineReader calls).
 */
export class FileLines implements IterableIterator<string> {
  private fd: number | undefined;
  private ended = false;
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  private readonly decoder = new TextDecoder('utf-8');
  /** The decoded text not yet split, and where its next line starts. */
  private text = '';
  private start = 0;
  constructor(readonly path: string) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<string> {
    const line = this.nextLine();
    return line === undefined ? { done: true, value: undefined } : { done: false, value: line };
  }

  return(): IteratorResult<string> {
    this.finish();
    return { done: true, value: undefined };
  }

  nextLine(): string | undefined {
    if (this.ended) return undefined;
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.path, 'r');
      } catch (e) {
        this.ended = true;
        throw ioError('open', this.path, e);
      }
    }
    try {
      for (;;) {
        const text = this.text;
        const i = text.indexOf('\n', this.start);
        if (i >= 0) {
          const line = text.charCodeAt(i - 1) === 13 ? text.slice(this.start, i - 1) : text.slice(this.start, i);
          this.start = i + 1;
          return line;
        }
        let n: number;
        try {
          n = readSync(this.fd, this.buf, 0, this.buf.length, null);
        } catch (e) {
          // A directory opens on Linux and fails here (EISDIR); so does a read error of a disk.
          throw ioError('read', this.path, e);
        }
        const rest = text.slice(this.start);
        this.start = 0;
        if (n === 0) {
          const last = rest + this.decoder.decode();
          this.finish();
          return last.length ? (last.endsWith('\r') ? last.slice(0, -1) : last) : undefined;
        }
        this.text = rest + this.decoder.decode(this.buf.subarray(0, n), { stream: true });
      }
    } catch (e) {
      this.finish();
      throw e;
    }
  }

  private finish(): void {
    this.ended = true;
    this.text = '';
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      closeSync(fd);
    }
  }
}

export function fileLines(path: string): FileLines {
  return new FileLines(path);
}

/** Lines of an in-memory text. */
export function* textLines(text: string): Generator<string> {
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
    yield text.charCodeAt(i - 1) === 13 ? text.slice(start, i - 1) : text.slice(start, i);
    start = i + 1;
  }
  if (start < text.length) yield text.slice(start);
}

// eslint-disable-next-line no-control-regex -- exactly the control characters that make a line binary
const BINARY = /[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]/;

/**
 * A line iterator that knows its line number (1-based) for error messages. close() ends the
 * underlying iterator (closing its file); the readers' owner calls it when a read fails or stops.
 */
export class LineReader implements Position {
  line = 0;
  private readonly it: Iterator<string>;
  private peeked: string | undefined;
  private hasPeek = false;
  /** The source's nextLine(), when it has one (FileLines): no iterator result per line. */
  private readonly lines: { nextLine(): string | undefined } | undefined;
  constructor(lines: Iterable<string>, readonly file: string) {
    this.it = lines[Symbol.iterator]();
    this.lines = this.it instanceof FileLines ? this.it : undefined;
  }
  next(): string | undefined {
    const line = this.nextUnchecked();
    return line === undefined ? line : this.check(line);
  }
  /**
   * The next line without the binary check: for a reader that recognises its own lines first
   * (which hold no such bytes) and calls check() on any other line before reading it.
   */
  nextUnchecked(): string | undefined {
    if (this.hasPeek) {
      this.hasPeek = false;
      this.line++;
      return this.peeked;
    }
    const line = this.lines !== undefined ? this.lines.nextLine() : this.nextOf();
    if (line !== undefined) this.line++;
    return line;
  }
  private nextOf(): string | undefined {
    const r = this.it.next();
    return r.done === true ? undefined : r.value;
  }
  /**
   * A line with bytes no text trace holds (NUL, C0 controls other than tab, form feed and escape;
   * DEL) is binary data: said with its column, never echoed — a reader's "not understood: …"
   * would otherwise paste the bytes into the message (readTraceFile checks the first 64 KiB;
   * this catches binary further on).
   */
  check(line: string): string {
    const bad = BINARY.exec(line);
    if (bad) throw syntaxError(this, `binary content at column ${bad.index + 1}: not a text trace (captures are read as pcap or pcapng)`);
    return line;
  }
  /** End the lines now: a file-backed iterator closes its descriptor. Idempotent. */
  close(): void {
    this.hasPeek = false;
    this.it.return?.();
  }
  /** The next line without consuming it. */
  peek(): string | undefined {
    if (!this.hasPeek) {
      this.peeked = this.lines !== undefined ? this.lines.nextLine() : this.nextOf();
      this.hasPeek = true;
    }
    return this.peeked;
  }
}

const NIB = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIB[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIB[65 + i] = 10 + i;
  NIB[97 + i] = 10 + i;
}

/** Hex with optional single separators (space, ':'); a bad character is a syntax error at pos. */
export function parseHex(s: string, pos: Position, what: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  let n = 0;
  let hi = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? NIB[c]! : -1;
    if (v < 0) {
      if ((c === 32 || c === 58 || c === 9) && hi < 0) continue;
      throw syntaxError(pos, `${what}: ${hi >= 0 && (c === 32 || c === 58) ? 'lone hex digit' : `"${s[i]}" is not a hex digit`} at column ${i + 1}`);
    }
    if (hi < 0) hi = v;
    else {
      out[n++] = (hi << 4) | v;
      hi = -1;
    }
  }
  if (hi >= 0) throw syntaxError(pos, `${what}: odd number of hex digits`);
  return n === out.length ? out : out.slice(0, n);
}

const HEXU: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase());
const HEXL: string[] = HEXU.map((h) => h.toLowerCase());

export function hexUpper(b: Uint8Array, sep = ''): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (i && sep ? sep : '') + HEXU[b[i]!];
  return s;
}

export function hexLower(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEXL[b[i]!];
  return s;
}

/** Where writers put their output: strings (text formats) or bytes (pcap). */
export interface Sink {
  write(chunk: string | Uint8Array): void;
  close(): void;
}

/** Collects everything in memory (tests, small traces). */
export class MemorySink implements Sink {
  private readonly parts: (string | Uint8Array)[] = [];
  write(chunk: string | Uint8Array): void {
    this.parts.push(chunk);
  }
  close(): void {}
  text(): string {
    return this.parts.map((p) => (typeof p === 'string' ? p : Buffer.from(p).toString('utf8'))).join('');
  }
  bytes(): Uint8Array {
    const bufs = this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p));
    return new Uint8Array(Buffer.concat(bufs));
  }
}

/** Buffers writes and flushes to a file descriptor in ~1 MiB blocks. */
export class FileSink implements Sink {
  private readonly fd: number;
  private parts: (string | Uint8Array)[] = [];
  private size = 0;
  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w', 0o644);
    } catch (e) {
      throw ioError('write', path, e);
    }
  }
  write(chunk: string | Uint8Array): void {
    if (typeof chunk !== 'string' && chunk.length >= 1 << 16) {
      // A writer's own large block (PacketWriter): written as it is, not copied into another.
      this.flush();
      this.writeAll(chunk);
      return;
    }
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size >= 1 << 20) this.flush();
  }
  flush(): void {
    if (!this.parts.length) return;
    const parts = this.parts;
    this.parts = [];
    this.size = 0;
    this.writeAll(parts.length === 1 && typeof parts[0] === 'string' ? Buffer.from(parts[0], 'utf8') : Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))));
  }
  private writeAll(buf: Uint8Array): void {
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (e) {
      throw ioError('write', this.path, e); // ENOSPC, EIO: the trace is incomplete
    }
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
