/**
 * `cardforge pcscd`: a private pcscd with vsmartcard's vpcd reader for `emulate`, in the
 * foreground until Ctrl-C (host/pcsc/stack.ts: its own reader.conf, socket directory and log, the
 * TCP_NODELAY shim; it never touches /run/pcscd or a system pcscd). Prints the
 * PCSCLITE_CSOCK_NAME that PC/SC programs (opensc-tool, `cardforge send --reader`) need to export.
 * It installs nothing: a missing pcscd, vpcd driver or gcc is an error naming the Debian packages.
 */
import type { Command } from 'commander';
import { PcscStackError, portFree, startPcscStack } from '../../pcsc/stack.js';
import { VPCD_DEFAULT_PORT } from '../../transport/index.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { emitJsonLine } from '../json/convention.js';
import { PCSCD_JSON } from '../json/outputs.js';

interface PcscdOptions {
  port: string;
  dir?: string;
  verbose?: boolean;
  json?: boolean;
}

export function registerPcscd(program: Command, ctx: CliContext): void {
  program
    .command('pcscd')
    .description('Run a private pcscd with the vpcd reader for `emulate`, until Ctrl-C; prints the PCSCLITE_CSOCK_NAME to export')
    .option('--port <n>', 'vpcd port of slot 0 (reader "Virtual PCD 00 00"); slot 1 is PORT+1', String(VPCD_DEFAULT_PORT))
    .option('--dir <dir>', 'directory for its socket (DIR/run/pcscd.comm), reader.conf and log (default: a new temporary directory)')
    .option('-v, --verbose', "pcscd's own log at info level (else errors only)")
    .option('--json', 'JSON lines: {event:"ready", pid, socket, readers, log} when up, {event:"stopped"} after Ctrl-C (docs/json.md)')
    .addHelpText(
      'after',
      `\nThen, in the shell that runs PC/SC programs: export PCSCLITE_CSOCK_NAME=<the socket it prints>\nand serve a card: cardforge emulate --card card.json (add --vpcd 127.0.0.1:PORT for another --port).\nNeeds the Debian packages pcscd, vsmartcard-vpcd, gcc and libc6-dev.`,
    )
    .action(async (opts: PcscdOptions) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 1 || port > 65534) throw new CliError('USAGE', `--port expected a TCP port 1-65534 (slot 1 uses PORT+1), got "${opts.port}"`, EXIT.USAGE);
      for (const p of [port, port + 1]) {
        if (!(await portFree(p))) {
          throw new PcscStackError('PCSC_STACK_START', `TCP port ${p} is in use${p === VPCD_DEFAULT_PORT || p === VPCD_DEFAULT_PORT + 1 ? ' (a system pcscd with vsmartcard-vpcd listens there: then `cardforge emulate` works without a private pcscd)' : ''}; choose another with --port N and give emulate --vpcd 127.0.0.1:N`);
        }
      }
      const stack = await startPcscStack({ port, install: false, logLevel: opts.verbose ? '--info' : '--error', ...(opts.dir !== undefined ? { dir: opts.dir } : {}) });
      if (opts.json) emitJsonLine(ctx, PCSCD_JSON, { event: 'ready', pid: stack.pid, socket: stack.socket, readers: [0, 1].map((i) => ({ name: stack.readerName(i), port: port + i })), log: stack.logFile });
      else {
        ctx.out(`private pcscd running (pid ${stack.pid}), vpcd reader "${stack.readerName(0)}" on port ${port} ("${stack.readerName(1)}" on ${port + 1}); log: ${stack.logFile}`);
        ctx.out(`export PCSCLITE_CSOCK_NAME=${stack.socket}`);
        ctx.out(`then: cardforge emulate --card CARD.json${port === VPCD_DEFAULT_PORT ? '' : ` --vpcd 127.0.0.1:${port}`}    # Ctrl-C here stops pcscd`);
      }
      let stopping = false;
      const reason = await new Promise<string | undefined>((resolve) => {
        const onSignal = (): void => {
          stopping = true;
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          void stack.stop().then(() => resolve(undefined));
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        void stack.exited.then((how) => {
          if (!stopping) resolve(how);
        });
      });
      if (reason !== undefined) {
        // pcscd went away by itself: say why, from its log, and fail.
        const log = stack.log().trim().split('\n').slice(-8).join('\n');
        await stack.stop();
        throw new PcscStackError('PCSC_STACK_START', `pcscd stopped (${reason})${log ? `; its log ends with:\n${log}` : ''}`);
      }
      if (opts.json) emitJsonLine(ctx, PCSCD_JSON, { event: 'stopped' });
      else ctx.err('cardforge pcscd: stopped');
    });
}
