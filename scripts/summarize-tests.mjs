// Prints the plain closing line of a vitest JSON report: "Tests: N passed, N failed, N skipped".
// Exits non-zero when the report is missing or no test ran, so an empty run can never look green.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.error(`summarize-tests: cannot read ${file}: ${e.message}`);
  console.log('Tests: 0 passed, 1 failed');
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A file that failed without a failing test (import error, failing hook) counts as one failure.
const brokenFiles = (report.testResults ?? []).filter(
  (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed === 0) {
  console.error('summarize-tests: no test ran');
  process.exit(1);
}
process.exit(failed > 0 ? 1 : 0);
