/**
 * The issue-20 table (bench/table.ts) has its nine rows in the issue's order with the issue's
 * goals, each with a reference measured in the same run or — jCardSim without its jar — the
 * quoted figure labelled; and the in-process rows' correctness checks pass on today's card and
 * catch a wrong answer. No timing is asserted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runPairedRow } from '../../bench/runner.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUICK_RUN, type PairedRow } from '../../bench/measure.js';
import { hexToBytes } from '../../card/runtime/index.js';
import type { TraceEvent } from '../../host/trace/events.js';
import { writeTraceFile } from '../../host/trace/formats/index.js';
import { closeTableResources, issue20Rows, parseFloorSide, replayFloorSide, replaySide } from '../../bench/table.js';

afterAll(() => closeTableResources());

describe('issue 20 table rows', () => {
  it('nine rows in the issue\'s order with its goals; every row has a same-run reference or a labelled quote', async () => {
    const rows = await issue20Rows({ ...QUICK_RUN });
    expect(rows.map((r) => [r.name, `${r.goal.direction}${r.goal.ratio}`])).toEqual([
      ['trivial APDU in process (16 bytes back)', '>=2.5'],
      ['SHA-256 of 64 B per APDU', '>=1.2'],
      ['16-byte write in a transaction', '>=1.2'],
      ['USIM AUTHENTICATE (Milenage, 3G context)', '>=0.4'],
      ['SIGN TRANSACTION (P-256)', '>=0.5'],
      ['ledger DEBIT, new offer (verify + sign + commit)', '>=0.5'],
      ['`trace replay` from a file', '>=0.8'],
      ['`trace convert` 5 k exchanges → pcapng', '<=2'],
      ['SELECT + READ BINARY through pcscd + vpcd', '>=0.95'],
    ]);
    for (const r of rows) {
      expect(r.reference !== undefined || r.quoted !== undefined, r.name).toBe(true);
      if (!r.reference) expect(r.referenceLabel, r.name).toMatch(/not measured here: JCARDSIM_JAR is not set|javac is not installed|java is not installed/);
      expect(r.method.length, r.name).toBeGreaterThan(20);
    }
    expect(rows.find((r) => r.unit === 's')?.name).toMatch(/convert/);
  });

  it('the in-process rows\' checks pass, and one round of each side gives a positive figure', async () => {
    const rows = (await issue20Rows({ ...QUICK_RUN, roundMs: 5 })).slice(0, 6);
    for (const r of rows) {
      await r.setup?.();
      await r.check?.();
      expect(await r.ours(), r.name).toBeGreaterThan(0);
      if (r.reference) expect(await r.reference(), r.name).toBeGreaterThan(0);
      await r.teardown?.();
    }
  }, 60_000);

  it('the trace rows run their checks and measure both sides', async () => {
    const rows = await issue20Rows({ ...QUICK_RUN, roundMs: 5 });
    const replay = rows[6]!;
    const convert = rows[7]!;
    for (const r of [replay, convert] as PairedRow[]) {
      await r.setup?.();
      try {
        await r.check?.();
        expect(await r.ours(), r.name).toBeGreaterThan(0);
        expect(await r.reference!(), r.name).toBeGreaterThan(0);
      } finally {
        await r.teardown?.();
      }
    }
  }, 60_000);
});

const haveJavac = spawnSync('javac', ['-version'], { stdio: 'ignore' }).status === 0;

describe('jCardSim asked for but failing', () => {
  it.skipIf(!haveJavac)('fails the three runtime rows (their check names the harness failure), not the table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-jstub-'));
    const before = process.env['JCARDSIM_JAR'];
    try {
      const stubs = fileURLToPath(new URL('../fixtures/jcardsim-stub', import.meta.url));
      const sources = readdirSync(stubs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.java')).map((f) => join(stubs, f));
      expect(spawnSync('javac', ['-d', dir, ...sources], { encoding: 'utf8' }).status).toBe(0);
      await closeTableResources();
      process.env['JCARDSIM_JAR'] = dir;
      const rows = await issue20Rows({ ...QUICK_RUN, roundMs: 5 });
      expect(rows).toHaveLength(9);
      for (const r of rows.slice(0, 3)) {
        expect(r.referenceLabel).toMatch(/the harness failed/);
        const result = await runPairedRow(r, { ...QUICK_RUN, roundMs: 5 });
        expect(result.failed, r.name).toMatch(/jCardSim harness: CHECK FAILED FIXED16/);
      }
      expect(rows[3]!.referenceLabel).toMatch(/AES-128/);
    } finally {
      if (before === undefined) delete process.env['JCARDSIM_JAR'];
      else process.env['JCARDSIM_JAR'] = before;
      await closeTableResources();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('trace row sides check what they read', () => {
  it('a trace whose last response is missing fails replay, its floor and the parse floor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-bench-cut-'));
    try {
      const n = 5_000;
      const file = join(dir, 't.jsonl');
      const events: TraceEvent[] = [{ kind: 'power-on' }];
      for (let i = 0; i < n; i++) events.push({ kind: 'command', apdu: hexToBytes('8012000010'), t: i }, { kind: 'response', data: hexToBytes('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000'), t: i, us: 1 });
      writeTraceFile({ header: { tool: 'test' }, events }, 'native', file);
      expect(await replaySide(file, n)).toBeGreaterThan(0);
      expect(replayFloorSide(file, n)).toBeGreaterThan(0);
      expect(parseFloorSide(file, n)).toBeGreaterThan(0);
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      writeFileSync(file, lines.slice(0, -1).join('\n') + '\n');
      await expect(replaySide(file, n)).rejects.toThrow(/4999 of 5000 responses as recorded/);
      expect(() => replayFloorSide(file, n)).toThrow(/4999 of 5000 responses as recorded/);
      expect(() => parseFloorSide(file, n)).toThrow(/10001 lines for 5000 exchanges/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
