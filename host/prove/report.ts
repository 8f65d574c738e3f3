/**
 * Conformance reports: a text table (check, expected, got, verdict), JSON, and JUnit XML for CI
 * systems (one testsuite per suite, one testcase per check; failures and skips marked).
 */
import type { CheckRow } from './types.js';
import { proveSummary, proveVerdict, type ProveResult } from './runner.js';

/** How the text table is laid out. */
export interface TableOptions {
  /** ANSI colours for the verdicts (a terminal). */
  readonly color?: boolean;
  /** The widest line of the table, in columns (default 100): long cells wrap inside their column. */
  readonly width?: number;
  /** One line per row with every value in full and the note after the verdict (no clipping, no wrapping), however wide. */
  readonly wide?: boolean;
}

/** The table width `prove` fits its output to unless --wide. */
export const TABLE_WIDTH = 100;

const HEAD = ['suite', 'check', 'expected', 'got', 'verdict'] as const;
const GAP = '  ';

/**
 * The conformance table (suite, check, expected, got, verdict; a row's note — why it was skipped,
 * what a failure objected to — on the line below it, "↳ note"), the failures again in full below
 * it, and the summary line. By default every line fits `width` columns: a long cell wraps at
 * spaces inside its column (a word longer than the column is cut), and so does the note,
 * expected/got are clipped to 48 characters (the failures section repeats them in full, wrapped
 * only at spaces so a hex value stays whole); the summary stays one line. `wide` prints one line per row, nothing clipped.
 */
export function textTable(result: ProveResult, options: boolean | TableOptions = {}): string {
  const opts: TableOptions = typeof options === 'boolean' ? { color: options } : options;
  const width = opts.width ?? TABLE_WIDTH;
  const paint = (v: string): string => {
    if (!opts.color) return v;
    if (v === 'pass') return `\x1b[32m${v}\x1b[0m`;
    if (v === 'fail') return `\x1b[31m${v}\x1b[0m`;
    return `\x1b[33m${v}\x1b[0m`;
  };
  const value = (s: string): string => (opts.wide ? s : clip(s));
  // --wide: the note follows the verdict on the row's one line.
  const cells = result.rows.map((r) => [r.suite, r.check, value(r.expected), value(r.got), r.verdict + (opts.wide && r.note ? ` (${r.note})` : '')]);
  const natural = HEAD.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const widths = opts.wide ? natural : fitWidths(natural, width - GAP.length * (HEAD.length - 1));
  const out: string[] = [];
  const emit = (row: readonly string[], verdict?: string): void => {
    const wrapped = row.map((c, i) => (opts.wide ? [c] : wrap(c, widths[i]!)));
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let l = 0; l < height; l++) {
      const line = wrapped.map((w, i) => {
        const text = w[l] ?? '';
        if (i === HEAD.length - 1 && l === 0 && verdict) return paint(verdict) + text.slice(verdict.length);
        return i === HEAD.length - 1 ? text : text.padEnd(widths[i]!);
      });
      out.push(line.join(GAP).trimEnd());
    }
  };
  emit(HEAD);
  out.push(widths.map((w) => '-'.repeat(w)).join(GAP));
  // A note starts under the check column; in the default layout it wraps at the table width.
  const noteIndent = ' '.repeat(widths[0]! + GAP.length + 2);
  result.rows.forEach((r, i) => {
    emit(cells[i]!, r.verdict);
    if (!r.note || opts.wide) return;
    wrapWords(r.note, width - noteIndent.length - 2).forEach((l, k) => out.push(`${noteIndent}${k === 0 ? '↳ ' : '  '}${l}`));
  });
  // The table clips long values: every failure again in full, expected and got.
  const failures = result.rows.filter((r) => r.verdict === 'fail');
  if (failures.length) {
    out.push('', 'failures:');
    const field = (label: string, text: string): string[] => {
      if (opts.wide) return [`${label}${text}`];
      const indent = ' '.repeat(label.length);
      return wrapWords(text, width - label.length).map((l, i) => `${i === 0 ? label : indent}${l}`);
    };
    for (const f of failures) out.push(...field('  ', `${f.suite} / ${f.check}`), ...field('    expected: ', f.expected), ...field('    got:      ', `${f.got}${f.note ? `  (${f.note})` : ''}`));
  }
  // The counts stay one line (the last): scripts and readers look for it.
  out.push('', proveSummary(result));
  return out.join('\n');
}

/**
 * Column widths that add up to at most `budget`: the widest column gives up a column at a time
 * (so long cells share the room), never below its header or 8 columns, and the suite column
 * (short names) keeps its width.
 */
function fitWidths(natural: readonly number[], budget: number): number[] {
  const w = [...natural];
  const min = natural.map((n, i) => (i === 0 ? n : Math.min(n, Math.max(HEAD[i]!.length, 8))));
  let total = w.reduce((a, b) => a + b, 0);
  while (total > budget) {
    let widest = -1;
    for (let i = 0; i < w.length; i++) if (w[i]! > min[i]! && (widest < 0 || w[i]! > w[widest]!)) widest = i;
    if (widest < 0) break;
    w[widest]!--;
    total--;
  }
  return w;
}

/** Lines of at most `width` characters, broken at spaces; a word longer than a line is cut. */
function wrap(text: string, width: number): string[] {
  return wrapWords(text, width).flatMap((l) => (l.length <= width ? [l] : (l.match(new RegExp(`.{1,${width}}`, 'gu')) ?? [l])));
}

/** Lines broken at spaces only, each at most `width` characters unless one word is longer. */
/**
 * Wraps at spaces; a single word wider than the line (a 65-byte public key in hex) is cut into
 * line-wide pieces, so every line fits (the piece boundaries are line ends: joining the lines
 * without separators gives the word back).
 */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  const w = Math.max(8, width);
  const words = text.split(' ').flatMap((word) => (word.length <= w ? [word] : Array.from({ length: Math.ceil(word.length / w) }, (_, i) => word.slice(i * w, (i + 1) * w))));
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines;
}

function clip(s: string): string {
  return s.length > 48 ? s.slice(0, 45) + '…' : s;
}

/** The `prove --json` document (schema PROVE_JSON in host/cli/json/outputs.ts). */
export interface ProveJson {
  verdict: 'pass' | 'fail' | 'vacuous';
  ran: number;
  passed: number;
  failed: number;
  skipped: number;
  summary: string;
  rows: CheckRow[];
}

export function proveJson(result: ProveResult): ProveJson {
  return { verdict: proveVerdict(result), ran: result.passed + result.failed, passed: result.passed, failed: result.failed, skipped: result.skipped, summary: proveSummary(result), rows: result.rows.map((r) => ({ ...r })) };
}

export function jsonReport(result: ProveResult): string {
  return JSON.stringify(proveJson(result), null, 2);
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function junitReport(result: ProveResult): string {
  const bySuite = new Map<string, CheckRow[]>();
  for (const r of result.rows) (bySuite.get(r.suite) ?? bySuite.set(r.suite, []).get(r.suite)!).push(r);
  const suites = [...bySuite].map(([name, rows]) => {
    const cases = rows.map((r) => {
      const body =
        r.verdict === 'fail' ? `<failure message="${xml(`expected ${r.expected}, got ${r.got}`)}"/>` :
        r.verdict === 'skip' ? `<skipped message="${xml(r.note ?? '')}"/>` : '';
      return `    <testcase classname="cardforge.prove.${xml(name)}" name="${xml(r.check)}">${body}</testcase>`;
    });
    const failures = rows.filter((r) => r.verdict === 'fail').length;
    const skipped = rows.filter((r) => r.verdict === 'skip').length;
    return `  <testsuite name="${xml(name)}" tests="${rows.length}" failures="${failures}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${result.rows.length}" failures="${result.failed}" skipped="${result.skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
}
