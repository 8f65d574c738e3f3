/**
 * The fixture corpus (issue 15): every trace fixture with a hand-written expectation beside it
 * (`name.expected`: "atr HEX", "> command", "< response", one event a line, written from the
 * log text, not by a reader) is guessed as its format, read with no line skipped, and gives exactly
 * the expected events. Then JSONL → every text format cardforge writes → JSONL keeps every
 * command, response and ATR in order, extended APDUs included.
 * Guards: a format version read as 0 APDUs with exit 0 (pcsc-lite ≥ 2.2, OpenSC < 0.16),
 * headerless apdu4j dumps guessed as scriptor, commands without responses lost by a writer.
 *
 * Captures (pcap, pcapng) are in the loop too, since the capture writer became lossless (issue 15
 * items 3-6: commands without responses, Le, direction and extended APDUs kept).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bytesToHex } from '../../card/runtime/index.js';
import { stripEvents, type TraceEvent } from '../../host/trace/events.js';
import { FORMATS, guessFormat, readHead, readTraceFile, readTraceText, type FormatName } from '../../host/trace/formats/index.js';
import { bytesOf, FIXTURES, gsmtapEvents, textOf } from './helpers.js';

/** Every fixture with an expectation, and the format it must be guessed as. */
const CORPUS: Record<string, FormatName> = {
  'loopback.scriptor': 'scriptor',
  'loopback-scriptor.log': 'scriptor-log',
  'loopback-pcsc-spy.txt': 'pcsc-spy',
  'pcsc-spy/pcsc-lite-2.2.spy': 'pcsc-spy',
  'pcsc-spy/pcsc-lite-2.2-d.spy': 'pcsc-spy',
  'opensc/0.15.log': 'opensc',
  'apdu4j/headerless.dump': 'apdu4j',
  'apdu4j/dumpingbibo.dump': 'apdu4j',
  'apdu4j/logging-terminal.dump': 'apdu4j',
  'gp-log/gppro-19-t1.log': 'gp-log',
  'gp-log/gppro-26-comments.log': 'gp-log',
  'scriptor/cardforge-empty.scriptor': 'scriptor',
  'native/extended.jsonl': 'native',
};

const TEXT_WRITABLE = FORMATS.filter((f) => f.writable && !f.binary).map((f) => f.name);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}

/** The events an expectation file lists, as the strings events() below makes. */
function expected(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^(atr|>|<) (.+)$/.exec(l);
      if (!m) throw new Error(`${path}: bad expectation line "${l}"`);
      return `${m[1]} ${m[2]!.replace(/\s/g, '').toLowerCase()}`;
    });
}

function events(evs: Iterable<TraceEvent>): string[] {
  return stripEvents(evs).flatMap((e) =>
    e.kind === 'atr' ? [`atr ${bytesToHex(e.atr)}`] : e.kind === 'command' ? [`> ${bytesToHex(e.apdu)}`] : e.kind === 'response' ? [`< ${bytesToHex(e.data)}`] : [],
  );
}

const expectationOf = (fixture: string): string => join(FIXTURES, fixture.replace(/\.[^./]+$/, '.expected'));

describe('fixture corpus', () => {
  it('every .expected file belongs to a fixture in the corpus table', () => {
    const listed = new Set(Object.keys(CORPUS).map((f) => relative(FIXTURES, expectationOf(f))));
    const found = walk(FIXTURES).filter((f) => f.endsWith('.expected')).map((f) => relative(FIXTURES, f));
    expect(found.sort()).toEqual([...listed].sort());
  });

  it.each(Object.entries(CORPUS))('%s is guessed as %s and read exactly as its expectation says', (fixture, format) => {
    const path = join(FIXTURES, fixture);
    expect(guessFormat(readHead(path), path)).toBe(format);
    const skipped: string[] = [];
    const t = readTraceFile(path, { onBadLine: (e) => skipped.push(e.message) });
    expect(t.format).toBe(format);
    expect(t.guessed).toBe(true);
    const got = events(t.events);
    expect(skipped).toEqual([]);
    expect(got).toEqual(expected(expectationOf(fixture)));
  });

  describe.each(TEXT_WRITABLE)('JSONL → %s → JSONL', (to) => {
    it.each(Object.keys(CORPUS))('%s keeps every command, response and ATR in order', (fixture) => {
      const want = expected(expectationOf(fixture));
      const jsonl = textOf(readTraceFile(join(FIXTURES, fixture)), 'native');
      const written = textOf(readTraceText(jsonl, 'native', 'corpus.jsonl'), to);
      const back = textOf(readTraceText(written, to, `corpus.${to}`), 'native');
      expect(events(readTraceText(back, 'native', 'back.jsonl').events)).toEqual(want);
    });
  });

  describe.each(['pcapng', 'pcap'] as const)('JSONL → %s → JSONL', (to) => {
    it.each(Object.keys(CORPUS))('%s keeps every command, response and ATR in order', (fixture) => {
      const want = expected(expectationOf(fixture));
      const jsonl = textOf(readTraceFile(join(FIXTURES, fixture)), 'native');
      const capture = bytesOf(readTraceText(jsonl, 'native', 'corpus.jsonl'), to);
      const back = textOf({ header: { tool: to }, events: gsmtapEvents(capture) }, 'native');
      expect(events(readTraceText(back, 'native', 'back.jsonl').events)).toEqual(want);
    });
  });
});
