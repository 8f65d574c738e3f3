/**
 * The bench runner: runs the sections asked for and prints one table — our figure, how it was
 * measured, the peer or baseline beside it, the floor and a verdict. A section that throws
 * NotMeasured (an explicitly optional peer or stack is absent) gets a "not measured" row with the
 * reason; any other exception, a row whose check failed (`failed`), a row without a figure or
 * without its method is a FAILED row, and the exit code is 1. Used by bench/index.ts; exported so
 * a test can run it on its own sections.
 */
import { NotMeasured, formatRate, type BenchRow } from './measure.js';

/** `explicit`: runs only when named (`npm run bench -- soak`), being long. */
export interface Section {
  name: string;
  run: () => Promise<BenchRow[]> | BenchRow[];
  explicit?: boolean;
}

export interface BenchIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Why a row cannot stand as a measurement, or undefined. */
function rowProblem(r: BenchRow): string | undefined {
  if (r.failed !== undefined) return r.failed;
  if (r.notMeasured !== undefined) return undefined;
  if (!Number.isFinite(r.value)) return `no figure (${String(r.value)})`;
  if (!r.method) return 'the row does not say how it was measured';
  return undefined;
}

/** Run the sections named in `args` (all but the explicit ones when none is named); the exit code. */
export async function runBench(sections: readonly Section[], args: readonly string[], io: BenchIo): Promise<number> {
  const wanted = args.filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !sections.some((s) => s.name === w));
  if (unknown.length) {
    io.err(`bench: unknown section ${unknown.join(', ')}; sections are: ${sections.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  for (const s of sections) {
    if (wanted.length ? !wanted.includes(s.name) : s.explicit === true) continue;
    io.err(`bench: ${s.name}…`);
    try {
      for (const r of await s.run()) {
        const problem = rowProblem(r);
        if (problem !== undefined) failures.push(`${r.name}: ${problem}`);
        rows.push(problem !== undefined && r.failed === undefined ? { ...r, failed: problem } : r);
      }
    } catch (e) {
      if (e instanceof NotMeasured) {
        rows.push({ name: `${s.name}: not measured`, value: NaN, unit: '', notMeasured: firstLine(e) });
      } else {
        rows.push({ name: `${s.name}: FAILED`, value: NaN, unit: '', failed: firstLine(e) });
        failures.push(`${s.name}: ${firstLine(e)}`);
      }
    }
  }
  const header = ['benchmark', 'cardforge', 'measured as', 'peer / baseline', 'floor', 'verdict'];
  const table = rows.map((r) => [
    r.name,
    Number.isFinite(r.value) ? formatRate(r.value, r.unit) : '—',
    r.method ?? '',
    r.notMeasured ?? r.peer ?? r.note ?? '',
    r.floor !== undefined ? formatRate(r.floor, r.unit) : '',
    r.failed !== undefined ? `FAILED: ${r.failed}` : r.notMeasured !== undefined ? 'not measured' : (r.verdict ?? (r.floor === undefined ? '' : r.value >= r.floor ? 'meets floor' : 'BELOW FLOOR')),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => pad(c, widths[i]!)).join(' | ') + ' |';
  io.out(line(header));
  io.out('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const row of table) io.out(line(row));
  io.out(`\nnode ${process.version}, ${process.platform}/${process.arch}. "measured as": how each row was timed in this run; a peer figure says whether it was measured here or quoted.`);
  if (failures.length) {
    io.err(`bench: ${failures.length} failed:`);
    for (const f of failures) io.err(`  ${f}`);
    return 1;
  }
  return 0;
}

/** `npm run bench`'s entry: run with the process's arguments and console, set the exit code. */
export async function benchMain(sections: readonly Section[], argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  let code: number;
  try {
    code = await runBench(sections, argv, { out: (l) => console.log(l), err: (l) => console.error(l) });
  } catch (e) {
    console.error(`bench: ${firstLine(e)}`);
    code = 1;
  }
  process.exitCode = code;
  return code;
}
