/**
 * Runs suites against a transport and collects their rows. A suite that throws records a failed
 * row with the error instead of stopping the others; the card is reset between suites so one
 * suite's selection or PIN state does not leak into the next. Destructive checks run only when
 * `destructive` is set: the runner owns that gate (ctx.allowed, checks declared on the suite).
 * A run where no check ran (everything skipped) is not a pass: `proveVerdict` says 'vacuous'.
 * A check other checks need is recorded with ctx.require(check, …, dependants): when it fails the
 * suite ends there and each dependant is a skip row "depends on <check>, which failed", so the
 * report still names every check the suite would have made.
 */
import { hexToBytes, responseSw } from '../../card/runtime/index.js';
import { sendCommand, type Transport } from '../transport/index.js';
import type { Profile } from '../profile/schema.js';
import type { BackendActors } from '../backend/actors.js';
import type { CheckRow, Exchange, Suite, SuiteContext } from './types.js';

export interface RunOptions {
  profile?: Profile;
  actors?: BackendActors;
  destructive?: boolean;
  /** Called after each suite (progress display). */
  onSuite?: (suite: Suite, index: number, total: number, rows: readonly CheckRow[]) => void;
}

export interface ProveResult {
  readonly rows: readonly CheckRow[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** The reason of a destructive check skipped without --destructive. */
export const DESTRUCTIVE_SKIP = 'destructive: pass --destructive';

/** The note of a check skipped because a check it needs failed. */
export function dependsOnNote(prerequisite: string): string {
  return `depends on ${prerequisite}, which failed`;
}

/**
 * Marks the error ctx.require throws when the prerequisite fails: it ends the suite (control flow,
 * not a user error) and the runner, which catches it, records nothing more.
 */
const PREREQUISITE_FAILED = Symbol('cardforge.prove.prerequisiteFailed');

function prerequisiteFailed(check: string): Error {
  return Object.assign(new Error(`prerequisite "${check}" failed`), { [PREREQUISITE_FAILED]: check });
}

/**
 * The progress line of one suite: passed, failed and skipped counted apart, and how many skips are
 * dependants of a failed check — "[5/10] payment: 1 passed, 1 failed, 6 skipped (5 depend on a failed check)".
 */
export function progressLine(suite: string, index: number, total: number, rows: readonly CheckRow[]): string {
  const n = (v: CheckRow['verdict']): number => rows.filter((r) => r.verdict === v).length;
  const dependants = rows.filter((r) => r.verdict === 'skip' && r.note?.startsWith('depends on ')).length;
  const parts = [`${n('pass')} passed`, `${n('fail')} failed`, `${n('skip')} skipped${dependants ? ` (${dependants} depend${dependants === 1 ? 's' : ''} on a failed check)` : ''}`];
  return `[${index + 1}/${total}] ${suite}: ${parts.join(', ')}`;
}

/** 'fail' when a check failed; 'vacuous' when no check ran (all skipped, or none); else 'pass'. */
export function proveVerdict(result: ProveResult): 'pass' | 'fail' | 'vacuous' {
  if (result.failed > 0) return 'fail';
  return result.passed === 0 ? 'vacuous' : 'pass';
}

/**
 * One line with the counts and the skip reasons:
 * "12 checks ran: 12 passed, 0 failed; 3 skipped (destructive: pass --destructive ×2, …)" or
 * "0 checks ran: 6 skipped (needs --profile … ×6) — nothing was proved".
 */
export function proveSummary(result: ProveResult): string {
  const reasons = new Map<string, number>();
  for (const r of result.rows) if (r.verdict === 'skip') {
    const why = (r.note ?? 'no reason given').replace(/ \(.*\)$/, '');
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  const why = [...reasons].map(([w, n]) => (n > 1 ? `${w} ×${n}` : w)).join('; ');
  const skipped = `${result.skipped} skipped${why ? ` (${why})` : ''}`;
  const ran = result.passed + result.failed;
  if (ran === 0) return `0 checks ran: ${skipped} — nothing was proved`;
  return `${ran} check${ran === 1 ? '' : 's'} ran: ${result.passed} passed, ${result.failed} failed; ${skipped}`;
}

export async function runSuites(transport: Transport, suites: readonly Suite[], opts: RunOptions = {}): Promise<ProveResult> {
  const rows: CheckRow[] = [];
  for (const [i, suite] of suites.entries()) {
    const mine: CheckRow[] = [];
    const add = (r: Omit<CheckRow, 'suite'>): void => {
      mine.push({ suite: suite.name, ...r });
    };
    const ctx: SuiteContext = {
      transport,
      profile: opts.profile,
      actors: opts.actors,
      destructive: opts.destructive === true,
      async send(command) {
        const bytes = typeof command === 'string' ? hexToBytes(command) : command;
        const r = await transport.transmit(bytes);
        const sw = responseSw(r);
        return { data: r.subarray(0, Math.max(0, r.length - 2)), sw, swHex: sw < 0 ? '' : sw.toString(16).padStart(4, '0') } satisfies Exchange;
      },
      async command(spec, fields) {
        const r = await sendCommand(transport, spec, fields);
        return { data: r.data, sw: r.sw, swHex: r.sw.toString(16).padStart(4, '0') } satisfies Exchange;
      },
      allowed(check) {
        const decl = suite.checks?.find((c) => c.name === check);
        if (!decl) throw new Error(`suite ${suite.name}: check "${check}" is not declared in its checks (declare it with destructive: true and its effect)`);
        if (opts.destructive === true) return true;
        add({ check, expected: '', got: '', verdict: 'skip', note: `${DESTRUCTIVE_SKIP} (${decl.effect})` });
        return false;
      },
      check(check, expected, got, ok, note) {
        const pass = ok ?? expected === got;
        // A failure always says what was expected and what came back (never a bare "failed").
        const failGot = !got ? '(nothing)' : got === expected ? `${got} (but the check failed${note ? '' : ': see the suite'})` : got;
        const row = pass ? { expected, got } : { expected: expected || '(not stated)', got: failGot };
        add({ check, ...row, verdict: pass ? 'pass' : 'fail', ...(note ? { note } : {}) });
        return pass;
      },
      skip(check, reason) {
        add({ check, expected: '', got: '', verdict: 'skip', note: reason });
      },
      require(check, expected, got, dependants, ok, note) {
        if (ctx.check(check, expected, got, ok, note)) return;
        for (const d of dependants) ctx.skip(d, dependsOnNote(check));
        throw prerequisiteFailed(check);
      },
    };
    if (suite.needsProfile && !opts.profile) {
      ctx.skip(`${suite.name} suite`, 'needs --profile (the keys and PINs the card was personalized with)');
    } else {
      try {
        await transport.reset();
        await suite.run(ctx);
      } catch (e) {
        // A failed prerequisite ended the suite on purpose: its dependants are already skip rows.
        if (!(e instanceof Error && PREREQUISITE_FAILED in e))
          add({ check: 'suite completed', expected: 'no error', got: (e as Error).message, verdict: 'fail' });
      }
    }
    rows.push(...mine);
    opts.onSuite?.(suite, i, suites.length, mine);
  }
  return {
    rows,
    passed: rows.filter((r) => r.verdict === 'pass').length,
    failed: rows.filter((r) => r.verdict === 'fail').length,
    skipped: rows.filter((r) => r.verdict === 'skip').length,
  };
}

