#!/usr/bin/env node
/**
 * `cardforge` entry point: builds the command tree, runs it, and turns any error into one line
 * on stderr and an exit code (see errors.ts).
 */
import { CommanderError } from 'commander';
import { CliError, EXIT, describeError } from './errors.js';
import { installCryptoFromEnv } from '../crypto/node-provider.js';
import { createProgram } from './program.js';
import { errorJson, wantsJson } from './json/convention.js';

// `cardforge … | head` closes stdout early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

export async function run(argv: readonly string[]): Promise<number> {
  const ctx = { out: (l: string) => process.stdout.write(`${l}\n`), err: (l: string) => process.stderr.write(`${l}\n`) };
  // Under --json a failure is printed as {"error": {code, message}} on stdout (docs/json.md), and
  // commander's own usage text is kept off stderr so a consumer sees one JSON document.
  const json = wantsJson(argv.slice(2));
  const program = createProgram(json ? { ...ctx, usageErr: () => undefined } : ctx);
  try {
    // Issue 20: every card this process creates uses node:crypto where it is faster (same bytes);
    // CARDFORGE_CRYPTO=pure keeps the pure-TypeScript primitives.
    try {
      installCryptoFromEnv(process.env, 'node');
    } catch (e) {
      throw new CliError('USAGE', `${(e as Error).message} (unset it, or set it to node or pure)`, EXIT.USAGE);
    }
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    const d = describeError(e);
    if (json && d.exitCode !== 0) ctx.out(errorJson(d.code, d.message));
    // Commander already printed its own usage errors (and help/version, which exit 0).
    else if (!(e instanceof CommanderError)) ctx.err(`cardforge: ${d.message}`);
    if (process.env['CARDFORGE_DEBUG'] === '1' && e instanceof Error) ctx.err(e.stack ?? '');
    return d.exitCode;
  }
}

run(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`cardforge: ${describeError(e).message}\n`);
    process.exitCode = 1;
  },
);
