/**
 * The `cardforge` command tree. Each command is a module under commands/ exporting register();
 * adding personalize, trace, prove, demo or shell is one import and one line in COMMANDS.
 */
import { Command } from 'commander';
import type { CliContext, RegisterCommand } from './context.js';
import { registerReaders } from './commands/readers.js';
import { registerSend } from './commands/send.js';
import { registerEmulate } from './commands/emulate.js';
import { registerImage } from './commands/image.js';
import { registerDemo } from './commands/demo.js';
import { registerProve } from './commands/prove.js';
import { registerShell } from './commands/shell.js';
import { registerTrace } from './commands/trace.js';
import { registerPersonalize } from './commands/personalize.js';
import { registerRun } from './commands/run.js';
import { registerPcscd } from './commands/pcscd.js';
import { registerGp } from './commands/gp.js';
import { PASSPHRASE_ENV, resolvePassphrase } from '../store/encryption.js';
import { loadAppletModule } from './applet-module.js';

export const COMMANDS: readonly RegisterCommand[] = [registerReaders, registerSend, registerEmulate, registerImage, registerDemo, registerProve, registerShell, registerPersonalize, registerTrace, registerRun, registerPcscd, registerGp];

export function createProgram(ctx: CliContext): Command {
  const program = new Command('cardforge')
    .description('Smart-card workbench: an APDU-level card emulator and the host tools that drive it or a real card through PC/SC')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .option('--passphrase-file <file>', `passphrase of encrypted card images: read them, and save new images encrypted (else ${PASSPHRASE_ENV})`)
    .option('--applets <module>', 'an ES module exporting your own applets (`applets`: [{ applet, aid, commands }]): images holding them load, traces decode and mask their commands (else CARDFORGE_APPLETS)')
    .hook('preAction', async (p) => {
      const o = p.opts<{ passphraseFile?: string; applets?: string }>();
      if (o.passphraseFile !== undefined) process.env[PASSPHRASE_ENV] = resolvePassphrase({ passphraseFile: o.passphraseFile });
      const applets = o.applets ?? process.env['CARDFORGE_APPLETS'];
      if (applets !== undefined && applets !== '') await loadAppletModule(applets);
    })
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.out(s.replace(/\n$/, '')), writeErr: (s) => (ctx.usageErr ?? ctx.err)(s.replace(/\n$/, '')) });
  for (const register of COMMANDS) register(program, ctx);
  // Subcommands inherit exitOverride/output so errors surface as CommanderError, not process.exit.
  for (const c of program.commands) c.exitOverride().configureOutput(program.configureOutput());
  return program;
}
