/**
 * `cardforge demo`: the README's main job — the card and its protocols on the embedded emulator,
 * no hardware. Prints each step's APDUs decoded and a verdict; exits 1 if any verdict failed.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { runRuntimeDemo } from '../../demo/runtime-demo.js';

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('Run the emulator demo: selection, channels, T=0 GET RESPONSE, error status words, tear-proof transactions, card images')
    .action(() => {
      const { failed } = runRuntimeDemo({ line: (t) => ctx.out(t) });
      if (failed > 0) process.exitCode = 1;
    });
}
