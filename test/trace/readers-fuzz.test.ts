/**
 * Mutation test over every text reader (issue 15): the fixtures with random line deletions,
 * duplications and garbling (seeded, so a failure reproduces) are read with a bad-line handler.
 * A read may fail, but only with TraceError; and a read that reports nothing must return at least
 * as many exchanges as the mutated file has command lines — never a silent drop.
 * Guards: pcsc-spy transmits whose result line is lost, apdu4j dumps that lose a line and read
 * every later response as a command, continuation lines that swallow commands.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exchangesOf } from '../../host/trace/events.js';
import { TraceError } from '../../host/trace/errors.js';
import { readTraceFile, readTraceText, type FormatName } from '../../host/trace/formats/index.js';
import { FIXTURES, textOf } from './helpers.js';

/** How many commands a file of the format holds, counted from its lines without the reader. */
const COMMAND_LINES: Record<Exclude<FormatName, 'pcap' | 'pcapng'>, (lines: string[]) => number> = {
  native: (ls) => ls.filter((l) => /"e":"command"/.test(l)).length,
  scriptor: (ls) => {
    const end = ls.findIndex((l) => /^\s*exit\b/i.test(l));
    const body = end >= 0 ? ls.slice(0, end) : ls;
    // A line that is not a comment, reset or empty, and does not continue on the next.
    return body.filter((l) => {
      const s = l.trim();
      return s !== '' && !s.startsWith('#') && !/^reset\b/i.test(s) && !s.endsWith('\\');
    }).length;
  },
  'scriptor-log': (ls) => ls.filter((l) => l.startsWith('> ') && !/^> RESET\s*$/i.test(l)).length,
  // Hex lines alternate command, response: half of them, rounded up, are commands.
  apdu4j: (ls) => Math.ceil(ls.filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).length / 2),
  'pcsc-spy': (ls) => ls.filter((l) => l === 'SCardTransmit').length,
  opensc: (ls) => ls.filter((l) => /^Outgoing APDU/.test(l)).length,
  'gp-log': (ls) => ls.filter((l) => /^(?:# )?A?>> /.test(l)).length,
};

const SEEDS: [Exclude<FormatName, 'pcap' | 'pcapng'>, string][] = [
  ['scriptor', 'loopback.scriptor'],
  ['scriptor-log', 'loopback-scriptor.log'],
  ['pcsc-spy', 'loopback-pcsc-spy.txt'],
  ['pcsc-spy', 'pcsc-spy/pcsc-lite-2.2.spy'],
  ['pcsc-spy', 'pcsc-spy/pcsc-lite-2.2-d.spy'],
  ['opensc', 'opensc/0.15.log'],
  ['opensc', 'loopback-opensc-debug.log'],
  ['apdu4j', 'apdu4j/headerless.dump'],
  ['apdu4j', 'apdu4j/dumpingbibo.dump'],
  ['apdu4j', 'apdu4j/logging-terminal.dump'],
  ['gp-log', 'gp-log/gppro-19-t1.log'],
  ['gp-log', 'gp-log/gppro-26-comments.log'],
  ['native', 'native/extended.jsonl'],
];

/** xorshift32: deterministic, so a failing mutation is reproduced by its seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const NOISE = '0123456789ABCDEFabcdef :>#<=[]().-xzG\\';

function mutate(lines: string[], r: () => number): string[] {
  const out = [...lines];
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n && out.length; k++) {
    const i = Math.floor(r() * out.length);
    const what = r();
    if (what < 0.35) out.splice(i, 1);
    else if (what < 0.6) out.splice(i, 0, out[i]!);
    else {
      const l = out[i]!;
      const at = Math.floor(r() * (l.length + 1));
      const cut = r() < 0.3;
      const noise = Array.from({ length: 1 + Math.floor(r() * 4) }, () => NOISE[Math.floor(r() * NOISE.length)]).join('');
      out[i] = cut ? l.slice(0, at) : l.slice(0, at) + noise + l.slice(at + Math.floor(r() * 3));
    }
  }
  return out;
}

const ROUNDS = 150;

describe('mutated traces: an error, a warning, or every exchange', () => {
  it.each(SEEDS)('%s reader over mutations of %s', (format, fixture) => {
    const base = readFileSync(join(FIXTURES, fixture), 'utf8').split('\n');
    let silentRounds = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const seed = round * 7919 + fixture.length;
      const lines = mutate(base, rng(seed));
      const text = lines.join('\n');
      const warnings: TraceError[] = [];
      let exchanges = -1;
      try {
        exchanges = [...exchangesOf(readTraceText(text, format, `${fixture}#${seed}`, (e) => warnings.push(e)).events)].length;
      } catch (e) {
        if (!(e instanceof TraceError)) throw new Error(`${fixture}, seed ${seed}: ${String(e)} is not a TraceError\n${text}`);
        continue;
      }
      if (warnings.length) continue;
      silentRounds++;
      const commands = COMMAND_LINES[format](lines);
      if (exchanges < commands) throw new Error(`${fixture}, seed ${seed}: ${exchanges} exchanges read without a warning, the file has ${commands} command lines\n${text}`);
    }
    // Some mutations are harmless (a duplicated log line); the test must not pass by erroring on all.
    expect(silentRounds).toBeGreaterThan(0);
  });

  it('the writers of every text format feed the same check (writer output is reader input)', () => {
    const jsonl = textOf(readTraceFile(join(FIXTURES, 'native/extended.jsonl')), 'native');
    for (const to of ['scriptor', 'scriptor-log', 'apdu4j'] as const) {
      const written = textOf(readTraceText(jsonl, 'native'), to).split('\n');
      for (let round = 0; round < 50; round++) {
        const lines = mutate(written, rng(round + 1));
        const warnings: TraceError[] = [];
        try {
          const n = [...exchangesOf(readTraceText(lines.join('\n'), to, `w.${to}`, (e) => warnings.push(e)).events)].length;
          if (!warnings.length) expect(n, `${to} round ${round}`).toBeGreaterThanOrEqual(COMMAND_LINES[to](lines));
        } catch (e) {
          expect(e).toBeInstanceOf(TraceError);
        }
      }
    }
  });
});
