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
import { completions } from '../../shell/aliases.js';
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

export function registerShell(program: Command, ctx: CliContext): void {
  addRawOption(addTargetOptions(program.command('shell').description('Interactive APDU shell: hex APDUs or named commands (select, verify, auth, …), decoded answers, history, tab completion')))
    .addHelpText('after', '\nInside the shell, type "help" for the named commands. On a T=0 card the shell fetches 61xx/9Fxx answers\n(GET RESPONSE) and re-sends on 6Cxx itself unless --raw.')
    .action(async (opts: TargetOptions) => {
      const transport = openTarget(opts);
      const atr = await transport.connect();
      const evaluator = new ShellEvaluator(transport, { raw: opts.raw === true });
      const interactive = process.stdin.isTTY === true;
      const names = completions();
      const rl = createInterface({
        input: process.stdin,
        output: process.stdout,
        terminal: interactive,
        history: interactive ? loadHistory() : [],
        historySize: HISTORY_MAX,
        completer: (line: string): [string[], string] => {
          const word = line.trimStart();
          if (word.includes(' ')) return [[], line];
          const hits = names.filter((n) => n.startsWith(word.toLowerCase()));
          return [hits.length ? hits : names, word];
        },
      });
      ctx.out(`cardforge shell on ${transport.name}: ATR ${bytesToHex(atr).toUpperCase()} (${transport.protocol}); type help, or quit`);
      const typed: string[] = [];
      rl.setPrompt('cardforge> ');
      if (interactive) rl.prompt();
      try {
        for await (const line of rl) {
          try {
            const r = await evaluator.eval(line);
            // Kept as the evaluator says: by the command sent, a secret one only starred.
            if (r.history !== undefined) typed.push(r.history);
            for (const l of r.lines) ctx.out(l);
            if (r.quit) break;
          } catch (e) {
            ctx.out(`error: ${(e as Error).message}`);
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
    });
}
