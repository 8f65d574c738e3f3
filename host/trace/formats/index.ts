/**
 * The trace formats by name, format guessing from content, and file-level read / write / convert.
 * Text formats read line by line (a large trace is never one string); capture files are read
 * whole. A guess that fails names the file and says which formats were tried.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { TraceError, type OnBadLine } from '../errors.js';
import type { Trace, TraceEvent } from '../events.js';
import { withProtocol, type ProtocolSource } from '../protocol.js';
import { FileSink, LineReader, fileLines, textLines, type Sink } from '../io.js';
import { readApdu4j, writeApdu4j, looksLikeApdu4j } from './apdu4j.js';
import { readGpLog, looksLikeGpLog } from './gp-log.js';
import { readGsmtap, writeGsmtap } from './gsmtap.js';
import { readNative, writeNative } from './native.js';
import { readOpensc, looksLikeOpensc } from './opensc.js';
import { isPcap, isPcapng } from './pcap.js';
import { readPcscSpy, looksLikePcscSpy } from './pcsc-spy.js';
import { looksLikeScriptorLog, looksLikeScriptorScript, readScriptorLog, readScriptorScript, writeScriptorLog, writeScriptorScript } from './scriptor.js';

export const FORMAT_NAMES = ['native', 'scriptor', 'scriptor-log', 'apdu4j', 'pcsc-spy', 'opensc', 'gp-log', 'pcap', 'pcapng'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export interface FormatInfo {
  readonly name: FormatName;
  readonly description: string;
  readonly binary: boolean;
  readonly writable: boolean;
  /** File name endings that suggest the format for output files. */
  readonly extensions: readonly string[];
  /** What a guess prints: "read as apdu4j dump". */
  readonly guessLabel: string;
}

export const FORMATS: readonly FormatInfo[] = [
  { name: 'native', description: 'cardforge JSON Lines', binary: false, writable: true, extensions: ['.jsonl', '.trace'], guessLabel: 'cardforge trace' },
  { name: 'scriptor', description: 'pcsc-tools scriptor script', binary: false, writable: true, extensions: ['.scriptor', '.script', '.apdu'], guessLabel: 'scriptor script' },
  { name: 'scriptor-log', description: 'pcsc-tools scriptor output', binary: false, writable: true, extensions: ['.scriptor-log'], guessLabel: 'scriptor output' },
  { name: 'apdu4j', description: 'apdu4j / GlobalPlatformPro --dump', binary: false, writable: true, extensions: ['.dump'], guessLabel: 'apdu4j dump' },
  { name: 'pcsc-spy', description: 'pcsc-spy output (read only)', binary: false, writable: false, extensions: ['.spy'], guessLabel: 'pcsc-spy log' },
  { name: 'opensc', description: 'OpenSC debug log (read only)', binary: false, writable: false, extensions: [], guessLabel: 'OpenSC debug log' },
  { name: 'gp-log', description: 'GlobalPlatformPro / apdu4j verbose log, gp -d (read only)', binary: false, writable: false, extensions: [], guessLabel: 'GlobalPlatformPro/apdu4j log' },
  { name: 'pcap', description: 'GSMTAP-SIM in classic pcap', binary: true, writable: true, extensions: ['.pcap'], guessLabel: 'GSMTAP pcap capture' },
  { name: 'pcapng', description: 'GSMTAP-SIM in pcapng', binary: true, writable: true, extensions: ['.pcapng'], guessLabel: 'GSMTAP pcapng capture' },
];

/** The formats cardforge can write (what --to accepts). */
export const WRITABLE_FORMATS: readonly FormatName[] = FORMATS.filter((f) => f.writable).map((f) => f.name);

/** A --from (any format) or --to (a writable one) value, checked; the error lists what the flag accepts. */
export function checkFormat(name: string, flag: string, opts: { writable?: boolean } = {}): FormatName {
  const accepted = opts.writable ? WRITABLE_FORMATS : FORMAT_NAMES;
  if ((accepted as readonly string[]).includes(name)) return name as FormatName;
  if (opts.writable && (FORMAT_NAMES as readonly string[]).includes(name)) throw new TraceError('TRACE_FORMAT_UNKNOWN', `${flag} "${name}": cardforge reads ${name} but cannot write it; formats it writes: ${WRITABLE_FORMATS.join(', ')}`);
  throw new TraceError('TRACE_FORMAT_UNKNOWN', `${flag} "${name}" is not a trace format${opts.writable ? ' cardforge writes' : ''}; formats: ${accepted.join(', ')}`);
}

/**
 * Where a head stops being text: the offset of the first byte no text trace holds (NUL and the
 * C0 controls other than tab, line feed, form feed, carriage return and escape; DEL), or of
 * invalid UTF-8; undefined for text. A binary file's bytes are never echoed in an error.
 */
export function binaryOffset(head: Uint8Array): number | undefined {
  for (let i = 0; i < head.length; i++) {
    const b = head[i]!;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d && b !== 0x1b) || b === 0x7f) return i;
  }
  try {
    // A head cut by HEAD_BYTES may end mid-character: judge all but the last 3 bytes strictly.
    new TextDecoder('utf-8', { fatal: true }).decode(head.length >= HEAD_BYTES ? head.subarray(0, head.length - 3) : head);
  } catch {
    return 0;
  }
  return undefined;
}

/** How many bytes of a file format guessing looks at: never the whole file (issue 15 item 9). */
export const HEAD_BYTES = 65536;

/** What the CLI prints when it guessed: "read as apdu4j dump". */
export function guessMessage(format: FormatName): string {
  return `read as ${FORMATS.find((f) => f.name === format)!.guessLabel} (name another with --from)`;
}

/** Guess a format from the first bytes of a file (at most HEAD_BYTES are looked at). */
export function guessFormat(head: Uint8Array, file: string): FormatName {
  if (head.length === 0) throw new TraceError('TRACE_EMPTY', 'the file is empty (0 bytes): no trace to read', file);
  if (isPcapng(head)) return 'pcapng';
  if (isPcap(head)) return 'pcap';
  const bin = binaryOffset(head);
  if (bin !== undefined) {
    throw new TraceError('TRACE_FORMAT_UNKNOWN', `binary content (at byte ${bin}) that is not a capture: byte 0 starts neither a pcap (magic a1b2c3d4 or d4c3b2a1) nor a pcapng (block type 0a0d0d0a); the text formats (${FORMAT_NAMES.filter((f) => !FORMATS.find((x) => x.name === f)!.binary).join(', ')}) hold no such bytes`, file);
  }
  let text = Buffer.from(head.subarray(0, HEAD_BYTES)).toString('utf8');
  // A head cut mid-line: judge whole lines only (the last may be a fragment of a longer one).
  if (head.length >= HEAD_BYTES && text.lastIndexOf('\n') > 0) text = text.slice(0, text.lastIndexOf('\n') + 1);
  const firstLine = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : undefined);
  if (/^\s*\{.*"cardforge"\s*:\s*"trace"/.test(firstLine)) return 'native';
  if (looksLikePcscSpy(text)) return 'pcsc-spy';
  if (looksLikeOpensc(text)) return 'opensc';
  if (looksLikeGpLog(text)) return 'gp-log';
  if (looksLikeApdu4j(text)) return 'apdu4j';
  if (/^Using T=[01] protocol/.test(text) || looksLikeScriptorLog(text)) return 'scriptor-log';
  if (looksLikeScriptorScript(text)) return 'scriptor';
  const bad = firstLine.length > 60 ? `${firstLine.slice(0, 60)}…` : firstLine;
  throw new TraceError('TRACE_FORMAT_UNKNOWN', `cannot tell the trace format from line 1 ("${bad}"); tried ${FORMAT_NAMES.join(', ')}; name it with --from`, file);
}

/** Output format from a file name ending, or undefined. */
export function formatFromName(path: string): FormatName | undefined {
  // Only writable formats: a name ending in .spy does not make a pcsc-spy writer.
  const lower = path.toLowerCase();
  return FORMATS.find((f) => f.writable && f.extensions.some((e) => lower.endsWith(e)))?.name;
}

export interface ReadOptions {
  format?: FormatName;
  /** Report bad lines here and go on, instead of failing at the first one. */
  onBadLine?: OnBadLine;
  /** GSMTAP: fold T=0 GET RESPONSE chains (default true). */
  fold?: boolean;
}

/** A file that cannot be read, in words: "not found" for ENOENT (the user mistyped the path). */
export function unreadable(path: string, e: unknown): TraceError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new TraceError('TRACE_NOT_FOUND', 'not found (no such file); check the path', path);
  if (code === 'EISDIR') return new TraceError('TRACE_IO', 'is a directory, not a trace file', path);
  return new TraceError('TRACE_IO', `cannot read (${code ?? (e as Error).message})`, path);
}

/** The first HEAD_BYTES of a file (fewer if it is shorter): a bounded read, never the whole file. */
export function readHead(path: string): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = new Uint8Array(HEAD_BYTES);
    let n = 0;
    for (let k = 1; k > 0 && n < HEAD_BYTES; n += k) k = readSync(fd, buf, n, HEAD_BYTES - n, null);
    return buf.subarray(0, n);
  } catch (e) {
    throw unreadable(path, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function readTraceLines(format: FormatName, src: LineReader, onBad?: OnBadLine): Trace {
  switch (format) {
    case 'native':
      return readNative(src, onBad);
    case 'scriptor':
      return readScriptorScript(src, onBad);
    case 'scriptor-log':
      return readScriptorLog(src, onBad);
    case 'apdu4j':
      return readApdu4j(src, onBad);
    case 'pcsc-spy':
      return readPcscSpy(src, onBad);
    case 'opensc':
      return readOpensc(src, onBad);
    case 'gp-log':
      return readGpLog(src, onBad);
    default:
      throw new TraceError('TRACE_FORMAT_UNKNOWN', `${format} is a binary format`);
  }
}

/**
 * The events of a trace read from a file: the file is closed when they end, when reading them
 * fails, and when the consumer stops (return(), as for…of does on break or throw) — even before
 * the first event, so a caller that gives up unread closes it with closeTrace().
 */
class FileEvents implements IterableIterator<TraceEvent> {
  private ended = false;
  constructor(private readonly inner: Iterator<TraceEvent>, private readonly src: LineReader) {}
  [Symbol.iterator](): this {
    return this;
  }
  next(): IteratorResult<TraceEvent> {
    if (this.ended) return { done: true, value: undefined };
    let r: IteratorResult<TraceEvent>;
    try {
      r = this.inner.next();
    } catch (e) {
      this.end();
      throw e;
    }
    if (r.done === true) this.end();
    return r;
  }
  return(): IteratorResult<TraceEvent> {
    if (!this.ended) {
      try {
        this.inner.return?.();
      } finally {
        this.end();
      }
    }
    return { done: true, value: undefined };
  }
  private end(): void {
    this.ended = true;
    this.src.close();
  }
}

/** Release what a trace read from a file holds open, when its events will not be read to the end. */
export function closeTrace(trace: Trace): void {
  const events = trace.events as Partial<Iterator<TraceEvent>>;
  if (typeof events.return === 'function') events.return();
}

/**
 * Read a trace file (format guessed from content unless given). Text formats are read lazily:
 * the file stays open until the events are read to the end, fail, or are stopped (closeTrace).
 */
export function readTraceFile(path: string, opts: ReadOptions = {}): Trace & { format: FormatName; guessed: boolean } {
  const guessed = opts.format === undefined;
  // Read first even with --from: a missing or empty file is said as such, whatever the format.
  const head = readHead(path);
  if (head.length === 0) throw new TraceError('TRACE_EMPTY', 'the file is empty (0 bytes): no trace to read', path);
  const format = opts.format ?? guessFormat(head, path);
  if (format !== 'pcap' && format !== 'pcapng') {
    const bin = binaryOffset(head);
    if (bin !== undefined) throw new TraceError('TRACE_SYNTAX', `binary content at byte ${bin}: not a ${format} trace, which is text${isPcap(head) || isPcapng(head) ? ` (the file is a ${isPcapng(head) ? 'pcapng' : 'pcap'} capture: --from ${isPcapng(head) ? 'pcapng' : 'pcap'})` : ''}`, path);
  }
  if (format === 'pcap' || format === 'pcapng') {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (e) {
      throw unreadable(path, e);
    }
    return { ...readGsmtap(bytes, path, opts.onBadLine, { fold: opts.fold ?? true }), format, guessed };
  }
  const src = new LineReader(fileLines(path), path);
  let trace: Trace;
  try {
    trace = readTraceLines(format, src, opts.onBadLine);
  } catch (e) {
    src.close(); // a bad header: the events will never be read
    throw e;
  }
  return { header: trace.header, events: new FileEvents(trace.events[Symbol.iterator](), src), format, guessed };
}

/** Read a trace held in memory (tests, stdin). */
export function readTraceText(text: string, format: FormatName, name = '<text>', onBad?: OnBadLine): Trace {
  return readTraceLines(format, new LineReader(textLines(text), name), onBad);
}

export function writeTrace(trace: Trace, format: FormatName, sink: Sink): void {
  switch (format) {
    case 'native':
      return writeNative(trace, sink);
    case 'scriptor':
      return writeScriptorScript(trace, sink);
    case 'scriptor-log':
      return writeScriptorLog(trace, sink);
    case 'apdu4j':
      return writeApdu4j(trace, sink);
    case 'pcap':
    case 'pcapng':
      return writeGsmtap(trace, sink, format);
    default:
      throw new TraceError('TRACE_UNREPRESENTABLE', `${format} can be read but not written; writable formats: ${WRITABLE_FORMATS.join(', ')}`);
  }
}

export function writeTraceFile(trace: Trace, format: FormatName, path: string): void {
  const sink = new FileSink(path);
  try {
    writeTrace(trace, format, sink);
  } finally {
    sink.close();
  }
}

export interface ConvertResult {
  readonly from: FormatName;
  readonly to: FormatName;
  /** Events written (power, ATR, command, response). */
  readonly events: number;
  readonly commands: number;
  readonly responses: number;
  readonly atrs: number;
  /** The protocol the output states (from the input's header, else its first ATR), or undefined when neither says. */
  readonly protocol: 'T=0' | 'T=1' | undefined;
  readonly protocolSource: ProtocolSource;
}

/** Events passed through, counted by kind (an iterator, not a generator: one less layer per event). */
class Counted implements IterableIterator<TraceEvent> {
  constructor(
    private readonly it: Iterator<TraceEvent>,
    private readonly n: { events: number; commands: number; responses: number; atrs: number },
  ) {}
  [Symbol.iterator](): this {
    return this;
  }
  next(): IteratorResult<TraceEvent> {
    const r = this.it.next();
    if (r.done !== true) {
      const n = this.n;
      const kind = r.value.kind;
      n.events++;
      if (kind === 'command') n.commands++;
      else if (kind === 'response') n.responses++;
      else if (kind === 'atr') n.atrs++;
    }
    return r;
  }
  /** A writer that stops (a failed write) ends the events behind it too (closing the input). */
  return(): IteratorResult<TraceEvent> {
    this.it.return?.();
    return { done: true, value: undefined };
  }
}

/** Convert a file; returns what was written. */
export function convertFile(input: string, output: string, opts: ReadOptions & { to?: FormatName } = {}): ConvertResult {
  const to = opts.to ?? formatFromName(output);
  if (!to) throw new TraceError('TRACE_FORMAT_UNKNOWN', `cannot tell the output format from the name "${output}"; name it with --to (${WRITABLE_FORMATS.join(', ')})`);
  if (!WRITABLE_FORMATS.includes(to)) checkFormat(to, '--to', { writable: true });
  const trace = readTraceFile(input, opts);
  const n = { events: 0, commands: 0, responses: 0, atrs: 0 };
  let resolved: ReturnType<typeof withProtocol>;
  try {
    resolved = withProtocol(trace);
    const counted: Trace = { header: resolved.trace.header, events: new Counted(resolved.trace.events[Symbol.iterator](), n) };
    writeTraceFile(counted, to, output);
  } finally {
    closeTrace(trace); // the output could not be opened, or a write failed: the input is not read on
  }
  return { from: trace.format, to, ...n, protocol: resolved.trace.header.protocol, protocolSource: resolved.source };
}
