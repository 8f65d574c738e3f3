/**
 * Conformance reports: a text table (check, expected, got, verdict), JSON, and JUnit XML for CI
 * systems (one testsuite per suite, one testcase per check; failures and skips marked).
 */
import type { CheckRow } from './types.js';
import { proveSummary, proveVerdict, type ProveResult } from './runner.js';

export function textTable(result: ProveResult, color = false): string {
  const head = ['suite', 'check', 'expected', 'got', 'verdict'];
  const paint = (v: string): string => {
    if (!color) return v;
    if (v === 'pass') return `\x1b[32m${v}\x1b[0m`;
    if (v === 'fail') return `\x1b[31m${v}\x1b[0m`;
    return `\x1b[33m${v}\x1b[0m`;
  };
  const cells = result.rows.map((r) => [r.suite, r.check, clip(r.expected), clip(r.got), r.verdict + (r.note ? ` (${r.note})` : '')]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[], raw?: string): string => c.map((x, i) => (i === 4 && raw ? paint(raw) + x.slice(raw.length) : x.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  result.rows.forEach((r, i) => out.push(line(cells[i]!, r.verdict)));
  // The table clips long values: every failure again in full, expected and got.
  const failures = result.rows.filter((r) => r.verdict === 'fail');
  if (failures.length) {
    out.push('', 'failures:');
    for (const f of failures) out.push(`  ${f.suite} / ${f.check}`, `    expected: ${f.expected}`, `    got:      ${f.got}${f.note ? `  (${f.note})` : ''}`);
  }
  out.push('', proveSummary(result));
  return out.join('\n');
}

function clip(s: string): string {
  return s.length > 48 ? s.slice(0, 45) + '…' : s;
}

export function jsonReport(result: ProveResult): string {
  return JSON.stringify({ verdict: proveVerdict(result), ran: result.passed + result.failed, passed: result.passed, failed: result.failed, skipped: result.skipped, summary: proveSummary(result), rows: result.rows }, null, 2);
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
