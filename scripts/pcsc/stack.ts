/**
 * The private pcsc-lite stack (host/pcsc/stack.ts) for scripts, benchmarks and tests — re-exported
 * here, where they import it from — and its command line:
 *
 *   npx tsx scripts/pcsc/stack.ts start [--port N]   run until Ctrl-C; prints the env to export
 *   npx tsx scripts/pcsc/stack.ts check              report what is missing
 *
 * Users start the same stack with `npx cardforge pcscd` (README "The emulator as a PC/SC reader").
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcscStackError, missingRequirements, requirements, startPcscStack } from '../../host/pcsc/stack.js';

export * from '../../host/pcsc/stack.js';

async function main(argv: string[]): Promise<void> {
  const cmd = argv[0];
  if (cmd === 'check') {
    for (const r of requirements()) console.log(`${r.found ? 'ok     ' : 'MISSING'} ${r.what}${r.found ? ` (${r.found})` : ` — Debian package ${r.debianPackage}`}`);
    process.exitCode = missingRequirements().length ? 1 : 0;
    return;
  }
  if (cmd !== 'start') {
    console.error('usage: tsx scripts/pcsc/stack.ts start [--port N] | check');
    process.exitCode = 2;
    return;
  }
  const i = argv.indexOf('--port');
  const stack = await startPcscStack(i >= 0 ? { port: Number(argv[i + 1]), logLevel: '--info' } : { logLevel: '--info' });
  console.log(`private pcscd running (pid ${stack.pid}); log: ${stack.logFile}`);
  console.log(`export PCSCLITE_CSOCK_NAME=${stack.socket}`);
  console.log(`cardforge emulate --card CARD.json --vpcd 127.0.0.1:${stack.port}    # reader "${stack.readerName(0)}"`);
  const stop = (): void => void stack.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise(() => {});
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof PcscStackError ? e.message : e);
    process.exit(1);
  });
}
