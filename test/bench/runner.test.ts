/**
 * The bench runner (bench/runner.ts) is honest about failures — no timing is asserted here: a
 * section whose correctness check throws, or a row whose check failed, makes the run fail (exit 1)
 * with the row and the reason printed; only an explicitly optional peer that is absent
 * (NotMeasured) gives a "not measured" row and a successful run; a row must say how it was measured.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBench, type Section } from '../../bench/runner.js';
import { NotMeasured, type BenchRow } from '../../bench/measure.js';
import { parseHarnessOutput, runJCardSim } from '../../bench/peers/jcardsim.js';

const haveJavac = spawnSync('javac', ['-version'], { stdio: 'ignore' }).status === 0;
const row = (over: Partial<BenchRow> = {}): BenchRow => ({ name: 'ok: counted', value: 1234, unit: 'ops/s', method: 'best of 3 × 1 ms rounds', ...over });

async function run(sections: Section[], args: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runBench(sections, args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('bench runner', () => {
  it('measured rows: exit 0, the method printed beside the figure', async () => {
    const r = await run([{ name: 'ok', run: () => [row()] }]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\| ok: counted +\| 1\.2 k ops\/s \| best of 3 × 1 ms rounds \|/);
    expect(r.out).not.toMatch(/best of 3 rounds per row/);
  });

  it('a section whose check throws fails the run, with the failing row and the reason', async () => {
    const r = await run([
      { name: 'ok', run: () => [row()] },
      { name: 'broken', run: () => { throw new Error('bench command 8012000010 answered 6f00, expected a0a1…9000'); } },
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\| broken: FAILED .*FAILED: bench command 8012000010 answered 6f00/);
    expect(r.out).toMatch(/ok: counted/); // the other rows are still printed
    expect(r.err).toMatch(/1 failed:\n {2}broken: bench command 8012000010 answered 6f00/);
  });

  it('a row whose check failed keeps its figures and fails the run; so does a row without a figure or a method', async () => {
    expect((await run([{ name: 's', run: () => [row({ failed: '3 wrong answers' })] }])).code).toBe(1);
    const nan = await run([{ name: 's', run: () => [row({ value: NaN })] }]);
    expect(nan.code).toBe(1);
    expect(nan.out).toMatch(/FAILED: no figure \(NaN\)/);
    const { method: _, ...noMethod } = row();
    const nm = await run([{ name: 's', run: () => [noMethod] }]);
    expect(nm.code).toBe(1);
    expect(nm.out).toMatch(/FAILED: the row does not say how it was measured/);
  });

  it('an absent optional peer is "not measured" with the reason, and the run succeeds', async () => {
    const r = await run([
      { name: 'transport', run: () => { throw new NotMeasured('the PC/SC test stack is incomplete: missing pcscd'); } },
      { name: 'dump', run: () => [row(), { name: 'dump pcscd+vpcd: not measured', value: NaN, unit: '', notMeasured: 'missing vpcd' }] },
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\| transport: not measured .*the PC\/SC test stack is incomplete: missing pcscd .*\| not measured \|/);
    expect(r.out).toMatch(/dump pcscd\+vpcd: not measured .*missing vpcd/);
  });

  it('an unknown section is a usage error (exit 2); explicit sections run only when named', async () => {
    let ran = false;
    const soak: Section = { name: 'soak', explicit: true, run: () => ((ran = true), [row()]) };
    expect((await run([soak], ['nope'])).code).toBe(2);
    await run([soak]);
    expect(ran).toBe(false);
    await run([soak], ['soak']);
    expect(ran).toBe(true);
  });

  it('npm run bench\'s entry exits non-zero when a check fails (child process)', () => {
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const fixture = fileURLToPath(new URL('../fixtures/bench/failing-bench.ts', import.meta.url));
    const r = spawnSync(tsx, [fixture], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/good: counted/);
    expect(r.stdout).toMatch(/peer: FAILED .*jCardSim harness: CHECK FAILED FIXED16: want a0a1/);
    expect(r.stdout).toMatch(/\| paired: wrong answer .*FAILED: command 8012000010 answered 6f00/);
    expect(r.stderr).toMatch(/bench: 2 failed/);
  }, 60_000);
});

describe('jCardSim peer harness (bench/peers)', () => {
  it('parses the harness lines; a missing workload or a failed check is an error', () => {
    expect(parseHarnessOutput('RESULT trivial 4500000 best-of-3x700ms\nRESULT sha256 820000 best-of-3x700ms\nRESULT write16 1900000 best-of-3x700ms\n'))
      .toEqual({ rates: { trivial: 4_500_000, sha256: 820_000, write16: 1_900_000 }, method: 'best of 3 × 700 ms rounds' });
    expect(() => parseHarnessOutput('RESULT trivial 4500000 best-of-3x700ms\n')).toThrow(/no RESULT for sha256, write16/);
    expect(() => parseHarnessOutput('CHECK FAILED SHA-256: want 00, got 6f00\nRESULT trivial 1 best-of-3x700ms')).toThrow(/CHECK FAILED SHA-256/);
  });

  it.skipIf(!haveJavac)('compiles against the jCardSim API shape and runs; a wrong answer fails the bench (stubs that echo the command)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-jstub-'));
    try {
      const stubs = fileURLToPath(new URL('../fixtures/jcardsim-stub', import.meta.url));
      const sources = readdirSync(stubs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.java')).map((f) => join(stubs, f));
      const javac = spawnSync('javac', ['-d', dir, ...sources], { encoding: 'utf8' });
      expect(javac.status, javac.stderr).toBe(0);
      expect(() => runJCardSim({ JCARDSIM_JAR: dir }, { ms: 5, rounds: 1 })).toThrow(/jCardSim harness: CHECK FAILED FIXED16: want a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000, got 8012000010/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('without JCARDSIM_JAR it is not measured and says why; a JCARDSIM_JAR naming no file is an error', () => {
    expect(runJCardSim({})).toEqual({ measured: false, reason: 'JCARDSIM_JAR is not set' });
    expect(() => runJCardSim({ JCARDSIM_JAR: '/nonexistent/jcardsim-3.0.5.jar' })).toThrow(/no such file/);
  });
});
