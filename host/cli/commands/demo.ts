/**
 * `cardforge demo`: the README's main job, on the embedded emulator (no hardware). By default the
 * seeds' story (personalization, PIN, subscriber identification, signed purchase, pay-per-use
 * debit, settlement, reload), then the runtime's guarantees (selection, channels, T=0, error
 * status words, tear-proof transactions, card images). Exits 1 if any verdict failed.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { emitJson } from '../json/convention.js';
import { DEMO_JSON } from '../json/outputs.js';
import { CliError, EXIT } from '../errors.js';
import { runRuntimeDemo } from '../../demo/runtime-demo.js';
import { runSeedStory } from '../../demo/story.js';

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('Run the emulator demo: the seeds\' story (PIN, identification, signed purchase, pay-per-use, settlement, reload) and the runtime guarantees')
    .argument('[part]', 'story | runtime | all', 'all')
    .option('--json', 'print only a JSON summary: {passed, failed, checks: [{part, check, ok}]}')
    .action(async (part: string, opts: { json?: boolean }) => {
      if (!['story', 'runtime', 'all'].includes(part)) throw new CliError('USAGE', `unknown demo part "${part}"; parts are: story, runtime, all`, EXIT.USAGE);
      let failed = 0;
      let current = 'story';
      const checks: Array<{ part: string; check: string; ok: boolean }> = [];
      // Colored verdicts and headings on a terminal only; plain text in pipes and CI logs.
      const tty = process.stdout.isTTY === true && !process.env['NO_COLOR'];
      const paint = (t: string): string =>
        !tty ? t : t.replace(/^( {3})ok {2}/, '$1\x1b[32mok\x1b[0m  ').replace(/^( {3})FAIL/, '$1\x1b[31mFAIL\x1b[0m').replace(/^(#+ .*|== .*)$/, '\x1b[1m$1\x1b[0m');
      const say = (t: string): void => {
        if (!opts.json) ctx.out(paint(t));
      };
      const out = { line: say, check: (ok: boolean, check: string) => checks.push({ part: current, check, ok }) };
      if (part !== 'runtime') {
        say('# The seeds\' story on an emulated card');
        failed += (await runSeedStory(out)).failed;
      }
      if (part !== 'story') {
        current = 'runtime';
        say(`${part === 'all' ? '\n' : ''}# The runtime's guarantees`);
        failed += runRuntimeDemo(out).failed;
      }
      if (opts.json) emitJson(ctx, DEMO_JSON, { passed: checks.filter((c) => c.ok).length, failed, checks });
      if (failed > 0) process.exitCode = EXIT.FAILURE;
    });
}
