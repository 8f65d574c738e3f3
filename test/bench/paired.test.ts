/**
 * The paired bench rows (issue 20: bench/runner.ts runPairedRow, runBench): on synthetic rows
 * whose "measurements" are scripted numbers — no timing is asserted — the rounds alternate
 * ours/reference (AB, BA, …) after one warm-up of each, the median and min–max of both sides and
 * of the per-round ratio are computed right, the verdict follows the goal's direction, a failed
 * check or a bad figure fails the run (exit 1) and still tears down, an absent optional stack is
 * "not measured", a quoted reference is labelled so, and the load average and machine are printed.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRange, formatStats, parseBenchArgs, runBench, runPairedRow, type Section } from '../../bench/runner.js';
import { FULL_RUN, NotMeasured, QUICK_RUN, meetsGoal, stats, type PairedRow, type RunOptions } from '../../bench/measure.js';
import { startJCardSim } from '../../bench/peers/jcardsim.js';

const haveJavac = spawnSync('javac', ['-version'], { stdio: 'ignore' }).status === 0;
const opts = (rounds: number): RunOptions => ({ quick: false, roundMs: 1, rounds });

/** A row whose sides return the scripted figures in call order and log each call. */
function scripted(oursFigures: number[], refFigures: number[] | undefined, over: Partial<PairedRow> = {}): { row: PairedRow; log: string[] } {
  const log: string[] = [];
  const o = [...oursFigures];
  const r = refFigures ? [...refFigures] : undefined;
  const row: PairedRow = {
    name: 'synthetic',
    unit: 'ops/s',
    goal: { ratio: 2, direction: '>=' },
    referenceLabel: 'scripted reference',
    method: 'scripted figures',
    ours: () => (log.push('ours'), o.shift()!),
    ...(r ? { reference: () => (log.push('ref'), r.shift()!) } : {}),
    setup: () => void log.push('setup'),
    check: () => void log.push('check'),
    teardown: () => void log.push('teardown'),
    ...over,
  };
  return { row, log };
}

async function bench(sections: Section[], args: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runBench(sections, args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('statistics', () => {
  it('median of odd and even counts, min and max', () => {
    expect(stats([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, n: 3 });
    expect(stats([4, 1, 3, 10])).toEqual({ median: 3.5, min: 1, max: 10, n: 4 });
    expect(() => stats([])).toThrow(/no values/);
  });

  it('goals in both directions', () => {
    expect(meetsGoal(2.5, { ratio: 2.5, direction: '>=' })).toBe(true);
    expect(meetsGoal(2.49, { ratio: 2.5, direction: '>=' })).toBe(false);
    expect(meetsGoal(2, { ratio: 2, direction: '<=' })).toBe(true);
    expect(meetsGoal(2.01, { ratio: 2, direction: '<=' })).toBe(false);
  });

  it('formats a median with its range in the median\'s scale', () => {
    expect(formatStats({ median: 7.7e6, min: 7.21e6, max: 7.93e6, n: 5 }, 'APDU/s')).toBe('7.70 M APDU/s (7.21–7.93 M)');
    expect(formatStats({ median: 1.25, min: 1.2, max: 1.5, n: 3 }, 's')).toBe('1.25 s (1.20–1.50)');
    expect(formatRange(4.3e6, 4.7e6, 'APDU/s')).toBe('4.30–4.70 M APDU/s');
  });
});

describe('paired rows', () => {
  it('alternates the sides after one warm-up each and computes medians, min–max and the per-round ratio', async () => {
    // warm-up 99/99, then rounds: (10,5) (ref 10, ours 30) (20,10) (ref 4, ours 40)
    const { row, log } = scripted([99, 10, 30, 20, 40], [99, 5, 10, 10, 4]);
    const r = await runPairedRow(row, opts(4));
    expect(log).toEqual(['setup', 'check', 'ours', 'ref', 'ours', 'ref', 'ref', 'ours', 'ours', 'ref', 'ref', 'ours', 'teardown']);
    expect(r.ours).toEqual({ median: 25, min: 10, max: 40, n: 4 });
    expect(r.reference).toEqual({ median: 7.5, min: 4, max: 10, n: 4 });
    // per-round ratios 2, 3, 2, 10: the median of the pairs, not the ratio of the medians (3.33)
    expect(r.ratio).toEqual({ median: 2.5, min: 2, max: 10, n: 4 });
    expect(r.verdict).toBe('reached');
    const higher = await runPairedRow(scripted([99, 10, 30, 20, 40], [99, 5, 10, 10, 4], { goal: { ratio: 2.6, direction: '>=' } }).row, opts(4));
    expect(higher.verdict).toBe('NOT reached');
  });

  it('warmUp: false skips the warm-up round (a workload of seconds)', async () => {
    const { row, log } = scripted([3, 4], [1, 1], { warmUp: false, unit: 's', goal: { ratio: 2, direction: '<=' } });
    const r = await runPairedRow(row, opts(2));
    expect(log).toEqual(['setup', 'check', 'ours', 'ref', 'ref', 'ours', 'teardown']);
    expect(r.ratio).toEqual({ median: 3.5, min: 3, max: 4, n: 2 });
  });

  it('a time row: ratio ours ÷ floor, reached when at most the goal', async () => {
    const slow = await runPairedRow(scripted([9, 3, 3, 3], [9, 1, 1, 1], { unit: 's', goal: { ratio: 2, direction: '<=' } }).row, opts(3));
    expect(slow.ratio?.median).toBe(3);
    expect(slow.verdict).toBe('NOT reached');
    const ok = await runPairedRow(scripted([9, 1.5, 1.8, 1.6], [9, 1, 1, 1], { unit: 's', goal: { ratio: 2, direction: '<=' } }).row, opts(3));
    expect(ok.ratio?.median).toBeCloseTo(1.6);
    expect(ok.verdict).toBe('reached');
  });

  it('a quoted reference: ratio against the quoted range, labelled, no same-run verdict', async () => {
    const { row } = scripted([1, 5e6, 5e6, 5e6], undefined, { quoted: { source: 'runtime issue', low: 4e6, high: 6e6 } });
    const r = await runPairedRow(row, opts(3));
    expect(r.reference).toBeUndefined();
    expect(r.ratioVsQuoted).toBe(true);
    expect(r.ratio?.median).toBeCloseTo(1);
    expect(r.ratio?.min).toBeCloseTo(5 / 6);
    expect(r.ratio?.max).toBeCloseTo(1.25);
    expect(r.verdict).toMatch(/quoted figure: no same-run verdict/);
    const printed = await bench([{ name: 't', paired: () => [scripted([1, 5e6, 5e6, 5e6], undefined, { quoted: { source: 'runtime issue', low: 4e6, high: 6e6 } }).row] }], ['--rounds', '3']);
    expect(printed.code).toBe(0);
    expect(printed.out).toMatch(/4\.00–6\.00 M ops\/s, quoted, not measured here \| scripted reference \(runtime issue\) \| ≈ 1\.00× \(0\.83–1\.25\) vs quoted/);
  });

  it('a failing check fails the row and the run (exit 1), is printed with its reason, and still tears down', async () => {
    const { row, log } = scripted([1, 1], [1, 1], { check: () => { throw new Error('command 8012000010 answered 6f00'); } });
    const good = scripted([99, 10, 10, 10], [99, 5, 5, 5]).row;
    const r = await bench([{ name: 't', paired: () => [row, { ...good, name: 'good row' }] }], ['--rounds', '3']);
    expect(r.code).toBe(1);
    expect(log).toContain('teardown');
    expect(log).not.toContain('ours');
    expect(r.out).toMatch(/\| synthetic .*\| FAILED: command 8012000010 answered 6f00 +\|/);
    expect(r.out).toMatch(/\| good row .*\| 2\.00× \(2\.00–2\.00\) +\| ≥ 2× +\| reached +\|/);
    expect(r.err).toMatch(/1 failed:\n {2}synthetic: command 8012000010 answered 6f00/);
  });

  it('a figure that is not a positive number fails the row; a throwing measurement too', async () => {
    expect((await runPairedRow(scripted([1, 1, NaN], [1, 1, 1]).row, opts(2))).failed).toMatch(/round 2: cardforge's figure is NaN/);
    expect((await runPairedRow(scripted([1, 1], [1, 0]).row, opts(1))).failed).toMatch(/round 1: the reference's figure is 0/);
    const threw = scripted([1], [1], { ours: () => { throw new Error('3 answers were not DB'); } }).row;
    expect((await runPairedRow(threw, opts(1))).verdict).toBe('FAILED: 3 answers were not DB');
  });

  it('an absent optional stack is "not measured" with the reason; the run succeeds', async () => {
    const { row } = scripted([1, 1], [1, 1], { setup: () => { throw new NotMeasured('the PC/SC test stack is incomplete: missing vpcd'); } });
    const r = await bench([{ name: 't', paired: () => [row] }]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\| not measured: the PC\/SC test stack is incomplete: missing vpcd \|/);
  });

  it('prints the load average before and after and the machine, and how each row was measured', async () => {
    const r = await bench([{ name: 't', paired: () => [scripted([9, 4, 4, 4], [9, 2, 2, 2]).row] }], ['--rounds', '3']);
    expect(r.out).toMatch(/load average \(1, 5, 15 min\) before: [\d.]+ [\d.]+ [\d.]+; after: [\d.]+ [\d.]+ [\d.]+\. Machine: \d+ CPUs \(.+\), [\d.]+ GiB RAM, node v\d+/);
    expect(r.out).toMatch(/Paired rounds: 3 per row/);
    expect(r.out).toMatch(/- synthetic: scripted figures/);
  });
});

describe('arguments', () => {
  it('--quick, --rounds, --round-ms; a bad number or an unknown option is a usage error (exit 2)', async () => {
    expect(parseBenchArgs(['--quick'])).toEqual({ opts: QUICK_RUN, wanted: [] });
    expect(parseBenchArgs(['--rounds', '9', 'table'])).toEqual({ opts: { ...FULL_RUN, rounds: 9 }, wanted: ['table'] });
    expect(parseBenchArgs(['--quick', '--round-ms', '20']).opts).toEqual({ ...QUICK_RUN, roundMs: 20 });
    const bad = await bench([], ['--rounds', '0']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--rounds expects a whole number ≥ 1, got 0/);
    expect((await bench([], ['--fast'])).err).toMatch(/unknown option --fast; options are --quick/);
  });

  it('--quick runs only the quick sections unless sections are named, with the quick options', async () => {
    const ran: string[] = [];
    const seen: RunOptions[] = [];
    const sections: Section[] = [
      { name: 'table', quick: true, paired: (o) => (seen.push(o), ran.push('table'), []) },
      { name: 'extra', run: () => (ran.push('extra'), []) },
    ];
    await bench(sections, ['--quick']);
    expect(ran).toEqual(['table']);
    expect(seen[0]).toEqual(QUICK_RUN);
    await bench(sections, ['--quick', 'extra']);
    expect(ran).toEqual(['table', 'extra']);
  });
});

describe('jCardSim serve mode (paired rounds)', () => {
  it('without JCARDSIM_JAR: not measured, with the reason', async () => {
    expect(await startJCardSim({})).toEqual({ measured: false, reason: 'JCARDSIM_JAR is not set' });
  });

  it('drives the serve protocol: READY, then one RATE line per round request; a wrong answer rejects', async () => {
    // A scripted stand-in for java and javac on PATH: the TypeScript side of the protocol alone.
    const dir = mkdtempSync(join(tmpdir(), 'cf-fakejava-'));
    const path = process.env['PATH'];
    try {
      writeFileSync(join(dir, 'javac'), '#!/bin/sh\nexit 0\n');
      writeFileSync(join(dir, 'java'), [
        '#!/bin/sh',
        'case "$1" in -version) exit 0;; esac',
        'echo READY',
        'while read w ms; do',
        '  case "$w" in quit) exit 0;; trivial) echo "RATE trivial 4500000";; sha256) echo "RATE write16 1";; esac',
        'done',
      ].join('\n') + '\n');
      chmodSync(join(dir, 'java'), 0o755);
      chmodSync(join(dir, 'javac'), 0o755);
      process.env['PATH'] = `${dir}:${path ?? ''}`;
      const s = await startJCardSim({ JCARDSIM_JAR: join(dir, 'java') });
      expect(s.measured).toBe(true);
      if (!s.measured) return;
      try {
        expect(await s.peer.round('trivial', 5)).toBe(4_500_000);
        expect(await s.peer.round('trivial', 5)).toBe(4_500_000);
        await expect(s.peer.round('sha256', 5)).rejects.toThrow(/answered "RATE write16 1" to a sha256 round/);
      } finally {
        s.peer.close();
      }
    } finally {
      process.env['PATH'] = path;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!haveJavac)('compiles against the API-shaped stubs, starts, and a wrong answer rejects with the CHECK FAILED line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-jstub-'));
    try {
      const stubs = fileURLToPath(new URL('../fixtures/jcardsim-stub', import.meta.url));
      const sources = readdirSync(stubs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.java')).map((f) => join(stubs, f));
      expect(spawnSync('javac', ['-d', dir, ...sources], { encoding: 'utf8' }).status).toBe(0);
      await expect(startJCardSim({ JCARDSIM_JAR: dir })).rejects.toThrow(/jCardSim harness: CHECK FAILED FIXED16: want a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000, got 8012000010/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
