/**
 * Runs suites against a transport and collects their rows. A suite that throws records a failed
 * row with the error instead of stopping the others; the card is reset between suites so one
 * suite's selection or PIN state does not leak into the next.
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
      check(check, expected, got, ok, note) {
        const pass = ok ?? expected === got;
        add({ check, expected, got, verdict: pass ? 'pass' : 'fail', ...(note ? { note } : {}) });
        return pass;
      },
      skip(check, reason) {
        add({ check, expected: '', got: '', verdict: 'skip', note: reason });
      },
    };
    if (suite.needsProfile && !opts.profile) {
      ctx.skip(`${suite.name} suite`, 'needs --profile (the keys and PINs the card was personalized with)');
    } else {
      try {
        await transport.reset();
        await suite.run(ctx);
      } catch (e) {
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

