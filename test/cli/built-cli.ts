/**
 * The built `cardforge` CLI for tests that spawn it as a user would. tsc compiles the sources once
 * per vitest run into .tmp/cli-test-dist (a mkdir lock keeps parallel test files from compiling
 * at the same time; the stamp names the vitest process, so the next run recompiles).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(REPO, '.tmp/cli-test-dist');
const LOCK = `${OUT}.lock`;
const STAMP = join(OUT, '.built-for');

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function builtCli(): string {
  const main = join(OUT, 'host/cli/main.js');
  const runId = String(process.env['VITEST_CLI_BUILD_ID'] ?? process.ppid);
  const fresh = (): boolean => existsSync(STAMP) && readFileSync(STAMP, 'utf8') === runId && existsSync(main);
  for (let i = 0; i < 1200 && !fresh(); i++) {
    mkdirSync(dirname(OUT), { recursive: true });
    try {
      mkdirSync(LOCK);
    } catch {
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 120_000) rmSync(LOCK, { recursive: true, force: true });
      sleepSync(100);
      continue;
    }
    try {
      if (!fresh()) {
        const r = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.build.json'), '--outDir', OUT], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`building the CLI failed:\n${r.stdout}${r.stderr}`);
        writeFileSync(STAMP, runId);
      }
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
  if (!fresh()) throw new Error('timed out waiting for another test file to build the CLI');
  return main;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `cardforge ARGS` to completion. */
export function runCli(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const main = builtCli();
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [main, ...args], { env: opts.env ?? process.env, cwd: opts.cwd ?? REPO });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    p.on('error', rej);
    p.on('close', (code) => {
      clearTimeout(t);
      res({ code, stdout, stderr });
    });
  });
}
