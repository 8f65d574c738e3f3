/**
 * How a demo reports: step headings, one verdict line per check ("ok" / "FAIL"), the tally at the
 * end; every verdict also goes to `check` for machine-readable output (demo --json).
 */

export interface DemoOutput {
  line(text: string): void;
  /** Every verdict, for machine-readable output (--json). */
  check?(ok: boolean, what: string): void;
}

export class DemoReport {
  passed = 0;
  failed = 0;
  constructor(private readonly out: DemoOutput) {}

  step(title: string): void {
    this.out.line(`\n== ${title}`);
  }

  verdict(ok: boolean, what: string): boolean {
    if (ok) this.passed++;
    else this.failed++;
    this.out.line(`   ${ok ? 'ok  ' : 'FAIL'} ${what}`);
    this.out.check?.(ok, what);
    return ok;
  }

  /** The closing tally line; returns the counts. */
  finish(): { passed: number; failed: number } {
    this.out.line(`\n${this.passed} passed, ${this.failed} failed`);
    return { passed: this.passed, failed: this.failed };
  }
}
