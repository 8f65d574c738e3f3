/**
 * `cardforge shell`: an interactive APDU shell on a card image or a card in a reader — hex APDUs
 * or named commands, decoded answers, history (kept in ~/.cardforge_history, mode 0600: what
 * host/shell/shell.ts allows — secret commands starred, failed lines not at all) and tab completion.
 * Works on a pipe too (one command per line), which is how scripts use it.
 */
import { createInterface } from 'node:readline';
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { addRawOption, addTargetOptions, openTarget, type TargetOptions } from '../target.js';
import { ShellEvaluator } from '../../shell/shell.js';
import { CliError, EXIT } from '../errors.js';
import { emitJsonLine } from '../json/convention.js';
import { SHELL_JSON } from '../json/outputs.js';
import { bytesToHex } from '../../../card/runtime/index.js';

const HISTORY_MAX = 1000;

function historyFile(): string {
  return process.env['CARDFORGE_HISTORY'] ?? join(homedir(), '.cardforge_history');
}

function loadHistory(): string[] {
  try {
    return readFileSync(historyFile(), 'utf8').split('\n').filter(Boolean).slice(-HISTORY_MAX).reverse();
  } catch {
    return [];
  }
}

const HELP_AFTER = `
Inside the shell: "help" lists the commands, "help <command>" shows one in full. One snake_case
name per command, as pySim-shell spells them (select, read_binary, read_record, update_binary,
verify_chv, unblock_chv, status, dir, …), and any command declared in apdu-specs by its name.
Tab completes commands (only those of the applets on the card), file names and FIDs valid in the
current DF, AIDs and PIN references.

  select EF_IMSI      a file by name (EF.IMSI and ef_imsi too), from the current DF
  select MF | .. | ADF_USIM | DF_GSM/EF_IMSI | 6F07 | 3F007F206F07 | <AID>
  read_binary         the current EF, decoded by its codec

On a pipe (echo "select MF" | cardforge shell --card sim.json) every line runs; if one failed in
the shell (unknown command, extra arguments, bad hex) the exit status is 1, with the failing line
numbers on stderr. A status word the card answers is shown, not a failure.`;

export function registerShell(program: Command, ctx: CliContext): void {
  addRawOption(addTargetOptions(program.command('shell').description('Interactive APDU shell (pySim-shell style): hex APDUs or named commands (select EF_IMSI, read_binary, verify_chv, …), decoded answers, history, tab completion of commands, files, AIDs and PIN references')))
    .addHelpText('after', `${HELP_AFTER}\n\nOn a T=0 card the shell fetches 61xx/9Fxx answers (GET RESPONSE) and re-sends on 6Cxx itself unless --raw.`)
    .option('--json', 'on a pipe: JSON lines, {event:"ready", target, atr, protocol} then one {event:"line", line, input, output, error} per input line (docs/json.md)')
    .action(async (opts: TargetOptions & { json?: boolean }) => {
      const interactive = process.stdin.isTTY === true;
      if (opts.json && interactive) throw new CliError('USAGE', '--json is for a shell on a pipe (echo "select MF" | cardforge shell --card x.json --json); at a terminal the shell prints text', EXIT.USAGE);
      const transport = openTarget(opts);
      const atr = await transport.connect();
      const evaluator = new ShellEvaluator(transport, { raw: opts.raw === true });
      const rl = createInterface({
        input: process.stdin,
        output: process.stdout,
        terminal: interactive,
        history: interactive ? loadHistory() : [],
        historySize: HISTORY_MAX,
        completer: (line: string): [string[], string] => evaluator.complete(line),
      });
      if (opts.json) emitJsonLine(ctx, SHELL_JSON, { event: 'ready', target: transport.name, atr: bytesToHex(atr), protocol: transport.protocol ?? null });
      else ctx.out(`cardforge shell on ${transport.name}: ATR ${bytesToHex(atr).toUpperCase()} (${transport.protocol}); type help, or quit`);
      const typed: string[] = [];
      /** Line numbers (1-based) of the lines that failed in the shell. */
      const failed: number[] = [];
      let n = 0;
      rl.setPrompt('cardforge> ');
      if (interactive) rl.prompt();
      try {
        for await (const line of rl) {
          n++;
          try {
            const r = await evaluator.eval(line);
            // Kept as the evaluator says: by the command sent, a secret one only starred.
            if (r.history !== undefined) typed.push(r.history);
            if (r.error) failed.push(n);
            if (opts.json) emitJsonLine(ctx, SHELL_JSON, { event: 'line', line: n, input: r.history ?? null, output: r.lines, error: r.error === true });
            else for (const l of r.lines) ctx.out(l);
            if (r.quit) break;
          } catch (e) {
            failed.push(n);
            if (opts.json) emitJsonLine(ctx, SHELL_JSON, { event: 'line', line: n, input: null, output: [`error: ${(e as Error).message}`], error: true });
            else ctx.out(`error: ${(e as Error).message}`);
          }
          if (interactive) rl.prompt();
        }
      } finally {
        rl.close();
        await transport.close();
        if (interactive && typed.length) {
          const old = loadHistory().reverse();
          try {
            writeFileSync(historyFile(), [...old, ...typed].slice(-HISTORY_MAX).join('\n') + '\n', { mode: 0o600 });
          } catch {
            /* history is a convenience */
          }
        }
      }
      // A script must see that a line did not run as written; pySim-shell goes on too, so the status comes at the end.
      if (!interactive && failed.length) {
        ctx.err(`cardforge shell: ${failed.length} line${failed.length > 1 ? 's' : ''} failed (line${failed.length > 1 ? 's' : ''} ${failed.join(', ')})`);
        process.exitCode = EXIT.FAILURE;
      }
    });
}
