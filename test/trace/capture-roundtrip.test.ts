/**
 * Captures are lossless (issue 15 items 3-6): every trace fixture, read from its own format, goes
 * JSONL → pcapng → JSONL and JSONL → pcap → JSONL keeping every command (those without a response
 * too), response, ATR, their order, the Le of case-4 commands, the direction of data whatever the
 * INS, 61xx + GET RESPONSE as the two exchanges they were, and extended-length APDUs. Timestamps
 * are never all 0 and never go back. `trace convert` writes through a temporary file: a conversion
 * that fails midway leaves no output. Guards: a scriptor script converted to an empty capture, 80 F2
 * read back with its data in the response, Le dropped, folding on read-back, the partial file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hexToBytes } from '../../card/runtime/index.js';
import { exchangesOf, stripEvents, type Trace, type TraceEvent } from '../../host/trace/events.js';
import { readTraceFile, readTraceText } from '../../host/trace/formats/index.js';
import { readGsmtap, tpduOf } from '../../host/trace/formats/gsmtap.js';
import { readPcap, readPcapng } from '../../host/trace/formats/pcap.js';
import { createProgram } from '../../host/cli/program.js';
import { FIXTURES, REAL_GSMTAP, bytesOf, recordSession, textOf } from './helpers.js';
import { captureCorpus } from './capture-corpus.js';
import { tempDir } from '../helpers/temp-dir.js';

const CASES = join(FIXTURES, 'capture-cases.jsonl');

const trace = (events: TraceEvent[]): Trace => ({ header: { tool: 'test' }, events });
const back = (bytes: Uint8Array): TraceEvent[] => [...readGsmtap(bytes, 'mem').events];

describe('JSONL → pcapng / pcap → JSONL keeps everything, for every fixture', () => {
  const corpus = captureCorpus();

  it('the corpus holds what the issue names: case 1-4 short and extended, 61xx chains, commands without responses', () => {
    const cases = corpus.find((c) => c.name === 'capture-cases.jsonl')!.events;
    const ex = [...exchangesOf(cases)];
    expect(ex.some((x) => x.command.length > 7 && x.command[4] === 0)).toBe(true);
    expect(ex.filter((x) => x.response === undefined).length).toBeGreaterThanOrEqual(3);
    expect(ex.some((x) => x.response !== undefined && x.response[x.response.length - 2] === 0x61)).toBe(true);
    expect(corpus.find((c) => c.name === 'loopback.scriptor')!.events.filter((e) => e.kind === 'command').length).toBeGreaterThan(3);
  });

  it.each(['pcapng', 'pcap'] as const)('%s: every command, response, ATR, in order, byte for byte', (fmt) => {
    for (const { name, events } of corpus) {
      // Through JSONL first, as `trace convert` is used: the JSONL text, then the capture, then JSONL again.
      const jsonl = textOf(trace(events), 'native');
      const capture = bytesOf(readTraceText(jsonl, 'native'), fmt);
      const again = readTraceText(textOf(trace(back(capture)), 'native'), 'native');
      expect(stripEvents(again.events), name).toEqual(stripEvents(events));
    }
  });

  it('a scriptor script (commands, no responses) becomes a capture with every command (item 3)', () => {
    const events = corpus.find((c) => c.name === 'loopback.scriptor')!.events;
    const n = events.filter((e) => e.kind === 'command').length;
    const got = back(bytesOf(trace(events), 'pcapng'));
    expect(got.filter((e) => e.kind === 'command')).toHaveLength(n);
    expect(got.filter((e) => e.kind === 'response')).toHaveLength(0);
  });

  it('80F2400002 4F00 → E305…9000: the data stays in the command whatever the INS says (item 4)', () => {
    const cmd = hexToBytes('80f24000024f00');
    const rsp = hexToBytes('e3054f03a000009000');
    expect(tpduOf(cmd, rsp)).toBeUndefined(); // not a T=0 transfer: written with its direction
    const got = [...exchangesOf(back(bytesOf(trace([{ kind: 'command', apdu: cmd }, { kind: 'response', data: rsp }]), 'pcapng')))];
    expect(got.map((x) => [x.command, x.response])).toEqual([[cmd, rsp]]);
    // A plain case-2 READ BINARY is still a GSMTAP T=0 TPDU, as SIMtrace writes it.
    expect(tpduOf(hexToBytes('00b0000002'), hexToBytes('01029000'))).toEqual(hexToBytes('00b000000201029000'));
  });

  it('timestamps: the trace\'s own when it has them, else 1 ms apart; never all 0, never decreasing (item 5)', async () => {
    const noTimes = corpus.find((c) => c.name === 'capture-cases.jsonl')!.events;
    const timed = [...readTraceText(await recordSession('s'), 'native').events];
    for (const [events, fmt] of [[noTimes, 'pcapng'], [noTimes, 'pcap'], [timed, 'pcapng']] as const) {
      const bytes = bytesOf(trace([...events]), fmt);
      const ts = [...(fmt === 'pcap' ? readPcap(bytes, 'mem') : readPcapng(bytes, 'mem'))].map((p) => p.tsUs);
      expect(new Set(ts).size).toBeGreaterThan(ts.length / 2);
      for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThanOrEqual(ts[i - 1]!);
    }
    const t = stripEvents(back(bytesOf(trace(timed), 'pcapng')), { time: true }).filter((e) => e.kind === 'command').map((e) => e.t);
    expect(t).toEqual(stripEvents(timed, { time: true }).filter((e) => e.kind === 'command').map((e) => e.t));
  });
});

describe('trace convert', () => {
  const out: string[] = [];
  const run = async (...args: string[]): Promise<number> => {
    out.length = 0;
    process.exitCode = undefined;
    const program = createProgram({ out: (l) => out.push(l), err: (l) => out.push(l) });
    await program.parseAsync(['node', 'cardforge', ...args]);
    return Number(process.exitCode ?? 0);
  };
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('keeps 61xx + GET RESPONSE as captured unless --fold-get-response (item 5)', async () => {
    const dir = tempDir('cf-capture-');
    const plain = join(dir, 'plain.jsonl');
    const folded = join(dir, 'folded.jsonl');
    expect(await run('trace', 'convert', REAL_GSMTAP, plain)).toBe(0);
    expect(await run('trace', 'convert', REAL_GSMTAP, folded, '--fold-get-response')).toBe(0);
    const count = (f: string): number => [...exchangesOf(readTraceFile(f).events)].length;
    expect(count(plain)).toBe(932);
    expect(count(folded)).toBe(657);
  });

  it('a conversion that fails midway leaves no output file, and an existing one untouched (item 6)', async () => {
    const dir = tempDir('cf-capture-');
    const bad = join(dir, 'bad.jsonl');
    const lines = readFileSync(CASES, 'utf8').split('\n');
    lines.splice(20, 0, '{"e":"response","data":"9g00"}');
    writeFileSync(bad, lines.join('\n'));
    const target = join(dir, 'out.pcapng');
    await expect(run('trace', 'convert', bad, target)).rejects.toThrow(/bad\.jsonl:21:/);
    expect(existsSync(target)).toBe(false);
    writeFileSync(target, 'earlier output');
    await expect(run('trace', 'convert', bad, target)).rejects.toThrow(/bad\.jsonl:21:/);
    expect(readFileSync(target, 'utf8')).toBe('earlier output');
    expect(readdirSync(dir).sort()).toEqual(['bad.jsonl', 'out.pcapng']);
    expect(await run('trace', 'convert', CASES, target)).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['bad.jsonl', 'out.pcapng']);
    expect(stripEvents(readTraceFile(target, { fold: false }).events)).toEqual(stripEvents(readTraceFile(CASES).events));
    // An output that cannot be opened is named as given, not by its temporary name.
    const nowhere = join(dir, 'missing', 'x.pcapng');
    await expect(run('trace', 'convert', CASES, nowhere)).rejects.toThrow(new RegExp(`^${nowhere}: cannot write \\(ENOENT\\)`));
  });
});
