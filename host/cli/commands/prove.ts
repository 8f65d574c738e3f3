/**
 * `cardforge prove`: run protocol suites (pin, gsm-auth, usim-auth, aoc, payment, auth-result,
 * mall-profile, ledger; groups
 * per seed flow such as seed-004-pay-per-use) against a card image or a card in a reader and print
 * a conformance table; --json and --junit for CI. --list prints the suites, groups and the
 * destructive checks without touching a card.
 * Exit code 1 when any check failed, and when no check ran at all (everything skipped: nothing
 * was proved). Destructive checks (spending money, a code try, moving a meter) only with
 * --destructive; without it they are skipped with the reason "destructive: pass --destructive".
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { writeUserFile } from '../files.js';
import { emitJson } from '../json/convention.js';
import { PROVE_JSON } from '../json/outputs.js';
import { addTargetOptions, openTarget, type TargetOptions } from '../target.js';
import { loadProfileFile } from '../../profile/load.js';
import { actorsFromOption } from '../../backend/actors.js';
import {
  SUITES, SUITE_GROUPS, TABLE_WIDTH, inProgressGroups, unknownSuiteMessage, unknownSuiteNames, progressLine, proveJson, proveSummary, proveVerdict, runSuites, selectSuites, textTable, junitReport,
} from '../../prove/index.js';

interface ProveOptions extends TargetOptions {
  profile?: string;
  backendKeys?: string;
  json?: boolean;
  junit?: string;
  destructive?: boolean;
  list?: boolean;
  wide?: boolean;
}

/** The suites, the groups (seed flows, aliases) and every destructive check with its effect. */
export function proveListing(): string {
  const out = ['suites:'];
  for (const s of SUITES) {
    out.push(`  ${s.name.padEnd(10)} ${s.description}${s.needsProfile ? ' [needs --profile]' : ''}`);
    for (const c of s.checks ?? []) out.push(`      destructive: ${c.name} — ${c.effect}`);
  }
  out.push('', 'groups (seed flows and aliases):');
  for (const g of SUITE_GROUPS) {
    const what = g.suites.length ? g.suites.join(', ') : 'no checks yet';
    out.push(`  ${g.name.padEnd(24)} ${what}${g.seed ? ` — seed ${g.seed}: ${g.description}` : ` — ${g.description}`}${g.inProgress ? ` (in progress: ${g.inProgress})` : ''}`);
  }
  out.push('', 'Destructive checks run only with --destructive; without it each is a skip row "destructive: pass --destructive".');
  return out.join('\n');
}

export function registerProve(program: Command, ctx: CliContext): void {
  addTargetOptions(
    program
      .command('prove')
      .description('Run protocol suites against a card and print a conformance table (check, expected, got, verdict)')
      .argument('[suite...]', `suites or groups to run (default: all): ${SUITES.map((s) => s.name).join(', ')}; ${SUITE_GROUPS.map((g) => g.name).join(', ')}`),
  )
    .option('--profile <file>', 'the profile the card was personalized from (keys for the AuC, PINs)')
    .option('--backend-keys <file|demo>', 'the issuers and servers of the card programme (payment and ledger suites)')
    .option('--json', 'print the verdict, the counts and the rows as JSON (docs/json.md)')
    .option('--wide', `print the table one line per row with every value in full (default: fit ${TABLE_WIDTH} columns, long cells wrapped)`)
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--destructive', 'include the checks that spend money (payment SIGN, ledger DEBIT), spend or block a code try (wrong PIN/code), or move a meter (EF_ACM INCREASE); see --list')
    .option('--list', 'list the suites, the seed-flow groups and every destructive check, and exit')
    .addHelpText('after', () => `\nDestructive checks (only with --destructive):\n${SUITES.flatMap((s) => (s.checks ?? []).map((c) => `  ${s.name}: ${c.name} — ${c.effect}`)).join('\n')}\n\nExit code 1 when a check failed or when no check ran (everything skipped: nothing was proved).`)
    .action(async (names: string[], opts: ProveOptions) => {
      if (opts.list) {
        ctx.out(proveListing());
        return;
      }
      const unknown = unknownSuiteNames(names);
      if (unknown.length) throw new CliError('USAGE', unknownSuiteMessage(unknown), EXIT.USAGE);
      const suites = selectSuites(names);
      for (const g of inProgressGroups(names)) ctx.err(`note: ${g.name} is in progress: ${g.inProgress}`);
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
            if (!opts.json) ctx.err(progressLine(s.name, i, n, rows));
          },
        });
      } finally {
        await transport.close();
      }
      if (opts.junit) writeUserFile(opts.junit, junitReport(result), 'the JUnit report', 'REPORT_UNWRITABLE');
      if (opts.json) emitJson(ctx, PROVE_JSON, proveJson(result));
      else {
        const color = tty && process.stdout.isTTY === true;
        // A terminal narrower than the table's 100 columns gets its own width.
        const columns = process.stdout.isTTY === true && process.stdout.columns > 0 ? Math.min(TABLE_WIDTH, process.stdout.columns) : TABLE_WIDTH;
        ctx.out(textTable(result, { color, width: columns, wide: opts.wide === true }));
      }
      const verdict = proveVerdict(result);
      if (verdict === 'vacuous') {
        ctx.err(`prove: ${proveSummary(result)}${profile ? '' : ' (give --profile: the suites need the keys and PINs the card was personalized with)'}`);
        process.exitCode = EXIT.FAILURE;
      } else if (verdict === 'fail') process.exitCode = EXIT.FAILURE;
    });
}
