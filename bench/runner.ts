/**
 * The bench runner: runs the sections asked for and prints one table — our figure, how it was
 * measured, the peer or baseline beside it, the floor and a verdict. A section that throws
 * NotMeasured (an explicitly optional peer or stack is absent) gets a "not measured" row with the
 * reason; any other exception, a row whose check failed (`failed`), a row without a figure or
 * without its method is a FAILED row, and the exit code is 1. Used by bench/index.ts; exported so
 * a test can run it on its own sections.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { FULL_RUN, NotMeasured, QUICK_RUN, formatRate, meetsGoal, stats, type BenchRow, type PairedRow, type QuotedReference, type RunOptions, type Stats } from './measure.js';

/**
 * A section gives either single-figure rows (`run`) or paired rows (`paired`: ours and a
 * reference in interleaved rounds, bench/measure.ts PairedRow). `explicit`: runs only when named
 * (`npm run bench -- soak`), being long or covered by another section. `quick`: runs under
 * `--quick` (the CI smoke test) when no section is named.
 */
export interface Section {
  name: string;
  run?: () => Promise<BenchRow[]> | BenchRow[];
  paired?: (opts: RunOptions) => Promise<PairedRow[]> | PairedRow[];
  explicit?: boolean;
  quick?: boolean;
}

/** A paired row's outcome: the figures of both sides over the rounds, the ratio and the verdict. */
export interface PairedResult {
  row: PairedRow;
  rounds: number;
  ours?: Stats;
  reference?: Stats;
  /** ours ÷ reference: per round when the reference was measured, else against the quoted figure. */
  ratio?: Stats;
  /** The ratio was computed against a quoted figure, not one measured in this run. */
  ratioVsQuoted?: boolean;
  verdict: string;
  failed?: string;
  notMeasured?: string;
}

const finitePositive = (x: number): boolean => Number.isFinite(x) && x > 0;

/**
 * Run one paired row: setup, check, one warm-up round of each side, then `rounds` rounds with the
 * order alternating (ours first, then the reference first, …) so both sides see the same load,
 * then teardown (always). A throw from check or a measurement, or a figure that is not a positive
 * finite number, fails the row; NotMeasured (an optional stack absent) marks it not measured.
 */
export async function runPairedRow(row: PairedRow, opts: RunOptions): Promise<PairedResult> {
  const rounds = opts.quick ? Math.min(row.rounds ?? opts.rounds, opts.rounds) : (row.rounds ?? opts.rounds);
  const ours: number[] = [];
  const ref: number[] = [];
  const ratios: number[] = [];
  try {
    await row.setup?.();
    await row.check?.();
    if (row.warmUp !== false) {
      await row.ours();
      if (row.reference) await row.reference();
    }
    for (let i = 0; i < rounds; i++) {
      let a: number;
      let b = NaN;
      if (i % 2 === 0 || !row.reference) {
        a = await row.ours();
        if (row.reference) b = await row.reference();
      } else {
        b = await row.reference();
        a = await row.ours();
      }
      if (!finitePositive(a)) throw new Error(`round ${i + 1}: cardforge's figure is ${String(a)}`);
      ours.push(a);
      if (row.reference) {
        if (!finitePositive(b)) throw new Error(`round ${i + 1}: the reference's figure is ${String(b)}`);
        ref.push(b);
        ratios.push(a / b);
      }
    }
  } catch (e) {
    const base = { row, rounds, ...(ours.length ? { ours: stats(ours) } : {}) };
    if (e instanceof NotMeasured) return { ...base, verdict: 'not measured', notMeasured: firstLine(e) };
    return { ...base, verdict: `FAILED: ${firstLine(e)}`, failed: firstLine(e) };
  } finally {
    try {
      await row.teardown?.();
    } catch {
      // a teardown failure does not hide the row's own outcome
    }
  }
  const o = stats(ours);
  if (row.reference) {
    const ratio = stats(ratios);
    return { row, rounds, ours: o, reference: stats(ref), ratio, verdict: meetsGoal(ratio.median, row.goal) ? 'reached' : 'NOT reached' };
  }
  return { row, rounds, ours: o, ...quotedRatio(o, row.quoted) };
}

/** Ours against a quoted range: the ratio against its middle, min–max against its ends. */
function quotedRatio(o: Stats, q: QuotedReference | undefined): Pick<PairedResult, 'ratio' | 'ratioVsQuoted' | 'verdict'> {
  if (!q || q.low === undefined || q.high === undefined) return { verdict: 'no same-run reference (see the reference column)' };
  const mid = (q.low + q.high) / 2;
  const ratio: Stats = { median: o.median / mid, min: o.median / q.high, max: o.median / q.low, n: 1 };
  return { ratio, ratioVsQuoted: true, verdict: 'vs a quoted figure: no same-run verdict' };
}

/** "7.70 M APDU/s (7.21–7.93 M)": median, then min–max in the median's scale. */
export function formatStats(s: Stats, unit: string): string {
  const m = formatRate(s.median, unit);
  if (s.n < 2) return m;
  if (unit === 's' || unit === 'ms') return `${m} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  const [div, suffix] = s.median >= 1e6 ? [1e6, ' M'] : s.median >= 1e3 ? [1e3, ' k'] : [1, ''];
  const digits = div === 1e6 ? 2 : div === 1e3 ? 1 : 0;
  return `${m} (${(s.min / div).toFixed(digits)}–${(s.max / div).toFixed(digits)}${suffix})`;
}

/** "4.30–4.70 M APDU/s": a range in the scale of its upper end. */
export function formatRange(low: number, high: number, unit: string): string {
  const hi = formatRate(high, unit);
  const m = /^([\d.]+) (.*)$/.exec(hi);
  if (!m) return `${formatRate(low, unit)}–${hi}`;
  const digits = m[1]!.includes('.') ? m[1]!.split('.')[1]!.length : 0;
  const div = high / Number(m[1]);
  return `${(low / div).toFixed(digits)}–${hi}`;
}

export function formatRatio(s: Stats): string {
  return s.n < 2 && s.min === s.max ? `${s.median.toFixed(2)}×` : `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

function referenceCell(r: PairedResult): string {
  if (r.reference) return formatStats(r.reference, r.row.unit);
  const q = r.row.quoted;
  if (!q) return '—';
  const fig = q.low !== undefined && q.high !== undefined ? formatRange(q.low, q.high, r.row.unit) : (q.ratioText ?? '');
  return `${fig}, quoted, not measured here`;
}

/** The paired table's lines (markdown-style, fixed-width). */
export function pairedTable(results: readonly PairedResult[]): string[] {
  const header = ['workload', 'cardforge: median (min–max)', 'reference: median (min–max)', 'reference', 'ratio ours ÷ reference', 'goal', 'verdict'];
  const rows = results.map((r) => [
    r.row.name,
    r.ours ? formatStats(r.ours, r.row.unit) : '—',
    referenceCell(r),
    r.row.reference || !r.row.quoted ? r.row.referenceLabel : `${r.row.referenceLabel} (${r.row.quoted.source})`,
    r.ratio ? `${r.ratioVsQuoted ? '≈ ' : ''}${formatRatio(r.ratio)}${r.ratioVsQuoted ? ' vs quoted' : ''}` : '—',
    `${r.row.goal.direction === '>=' ? '≥' : '≤'} ${r.row.goal.ratio}×`,
    r.notMeasured !== undefined ? `not measured: ${r.notMeasured}` : r.verdict,
  ]);
  return formatTable(header, rows);
}

function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => pad(c, widths[i]!)).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)];
}

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

/** The machine line printed with every run (and quoted in the README). */
export function machineLine(): string {
  const c = cpus();
  return `${c.length} CPUs (${c[0]?.model ?? 'unknown model'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}, ${process.platform}/${process.arch}`;
}

/** `--quick`, `--rounds N`, `--round-ms N` and section names; throws on anything else. */
export function parseBenchArgs(args: readonly string[]): { opts: RunOptions; wanted: string[] } {
  let opts: RunOptions = { ...FULL_RUN };
  const wanted: string[] = [];
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (!v || !Number.isInteger(n) || n < 1) throw new UsageError(`${flag} expects a whole number ≥ 1, got ${v ?? 'nothing'}`);
    return n;
  };
  const overrides: Partial<RunOptions> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--quick') opts = { ...QUICK_RUN };
    else if (a === '--rounds') overrides.rounds = num(a, args[++i]);
    else if (a === '--round-ms') overrides.roundMs = num(a, args[++i]);
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}; options are --quick, --rounds N, --round-ms N`);
    else wanted.push(a);
  }
  return { opts: { ...opts, ...overrides }, wanted };
}

class UsageError extends Error {}

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
  let parsed: ReturnType<typeof parseBenchArgs>;
  try {
    parsed = parseBenchArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`bench: ${e.message}`);
    return 2;
  }
  const { opts, wanted } = parsed;
  const unknown = wanted.filter((w) => !sections.some((s) => s.name === w));
  if (unknown.length) {
    io.err(`bench: unknown section ${unknown.join(', ')}; sections are: ${sections.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const rows: BenchRow[] = [];
  const paired: PairedResult[] = [];
  const failures: string[] = [];
  const loadBefore = load();
  for (const s of sections) {
    if (wanted.length ? !wanted.includes(s.name) : s.explicit === true || (opts.quick && s.quick !== true)) continue;
    io.err(`bench: ${s.name}…`);
    try {
      if (s.paired) {
        for (const row of await s.paired(opts)) {
          io.err(`bench:   ${row.name}`);
          const r = await runPairedRow(row, opts);
          if (r.failed !== undefined) failures.push(`${row.name}: ${r.failed}`);
          paired.push(r);
        }
      }
      for (const r of s.run ? await s.run() : []) {
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
  const loadAfter = load();
  if (paired.length) {
    for (const l of pairedTable(paired)) io.out(l);
    const roundsText = [...new Set(paired.map((r) => r.rounds))].join(' or ');
    io.out(
      `\nPaired rounds: ${roundsText} per row after one warm-up round of each side (none for a row of seconds), ours and the reference alternating (AB, BA, …); ` +
        `rate rounds of ${opts.roundMs} ms${opts.quick ? ' (--quick: a smoke test, not a measurement to quote)' : ''}. ` +
        'The ratio is ours ÷ reference per round (a time row: ≤ goal is better); its median gives the verdict. ' +
        'How each row is measured:',
    );
    for (const r of paired) io.out(`- ${r.row.name}: ${r.row.method}`);
    io.out('');
  }
  if (rows.length) {
    for (const l of legacyTable(rows)) io.out(l);
    io.out('"measured as": how each row was timed in this run; a peer figure says whether it was measured here or quoted.');
  }
  io.out(`\nload average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}. Machine: ${machineLine()}.`);
  const busiest = Math.max(Number(loadBefore.split(' ')[0]), Number(loadAfter.split(' ')[0]));
  if (busiest > cpus().length) io.out(`The 1-minute load average (${busiest.toFixed(2)}) was above the ${cpus().length} CPUs: other work shared the machine, so absolute figures are low and noisy; the paired ratios are the figures to read.`);
  if (failures.length) {
    io.err(`bench: ${failures.length} failed:`);
    for (const f of failures) io.err(`  ${f}`);
    return 1;
  }
  return 0;
}

function legacyTable(rows: readonly BenchRow[]): string[] {
  const header = ['benchmark', 'cardforge', 'measured as', 'peer / baseline', 'floor', 'verdict'];
  const table = rows.map((r) => [
    r.name,
    Number.isFinite(r.value) ? formatRate(r.value, r.unit) : '—',
    r.method ?? '',
    r.notMeasured ?? r.peer ?? r.note ?? '',
    r.floor !== undefined ? formatRate(r.floor, r.unit) : '',
    r.failed !== undefined ? `FAILED: ${r.failed}` : r.notMeasured !== undefined ? 'not measured' : (r.verdict ?? (r.floor === undefined ? '' : r.value >= r.floor ? 'meets floor' : 'BELOW FLOOR')),
  ]);
  return formatTable(header, table);
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
