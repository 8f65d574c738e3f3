/**
 * `cardforge prove`: run protocol suites (pin, gsm-auth, usim-auth, aoc, payment, ledger) against
 * a card image or a card in a reader and print a conformance table; --json and --junit for CI.
 * Exit code 1 when any check failed. Destructive checks (blocking a PIN) only with --destructive.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { writeUserFile } from '../files.js';
import { addTargetOptions, openTarget, type TargetOptions } from '../target.js';
import { loadProfileFile } from '../../profile/load.js';
import { actorsFromOption } from '../../backend/actors.js';
import { SUITES, runSuites, textTable, jsonReport, junitReport } from '../../prove/index.js';

interface ProveOptions extends TargetOptions {
  profile?: string;
  backendKeys?: string;
  json?: boolean;
  junit?: string;
  destructive?: boolean;
}

export function registerProve(program: Command, ctx: CliContext): void {
  addTargetOptions(
    program
      .command('prove')
      .description('Run protocol suites against a card and print a conformance table (check, expected, got, verdict)')
      .argument('[suite...]', `suites to run (default: all): ${SUITES.map((s) => s.name).join(', ') || 'none registered'}`),
  )
    .option('--profile <file>', 'the profile the card was personalized from (keys for the AuC, PINs)')
    .option('--backend-keys <file|demo>', 'the issuers and servers of the card programme (payment and ledger suites)')
    .option('--json', 'print the rows as JSON')
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--destructive', 'include checks that block PINs (the suite restores them when it can)')
    .action(async (names: string[], opts: ProveOptions) => {
      const unknown = names.filter((n) => !SUITES.some((s) => s.name === n));
      if (unknown.length) throw new CliError('USAGE', `unknown suite ${unknown.join(', ')}; suites are: ${SUITES.map((s) => s.name).join(', ')}`, EXIT.USAGE);
      const suites = names.length ? SUITES.filter((s) => names.includes(s.name)) : SUITES;
      const profile = opts.profile ? loadProfileFile(opts.profile) : undefined;
      const actors = actorsFromOption(opts.backendKeys);
      // A proof never leaves a changed image behind unless the user asked for it with --card.
      const transport = openTarget(opts);
      const tty = process.stderr.isTTY === true;
      let result;
      try {
        await transport.connect();
        result = await runSuites(transport, suites, {
          ...(profile ? { profile } : {}),
          ...(actors ? { actors } : {}),
          destructive: opts.destructive === true,
          onSuite: (s, i, n, rows) => {
            if (!opts.json) ctx.err(`[${i + 1}/${n}] ${s.name}: ${rows.filter((r) => r.verdict === 'pass').length}/${rows.length} checks passed`);
          },
        });
      } finally {
        await transport.close();
      }
      if (opts.junit) writeUserFile(opts.junit, junitReport(result), 'the JUnit report', 'REPORT_UNWRITABLE');
      ctx.out(opts.json ? jsonReport(result) : textTable(result, tty && process.stdout.isTTY === true));
      if (result.failed > 0) process.exitCode = EXIT.FAILURE;
    });
}
