/**
 * A private pcsc-lite stack for tests, benchmarks and demos: pcscd in the foreground with its own
 * reader.conf (a vsmartcard vpcd reader on a free port pair), its own run directory (socket and
 * pid file, redirected by pcscd-shim.c) and its own log file — it never touches /run/pcscd or a
 * system pcscd. PC/SC clients reach it through PCSCLITE_CSOCK_NAME (honoured by libpcsclite).
 *
 *   npx tsx scripts/pcsc/stack.ts start [--port N]   run until Ctrl-C; prints the env to export
 *   npx tsx scripts/pcsc/stack.ts check              report what is missing
 *
 * The shim (TCP_NODELAY on vpcd's sockets: without it every APDU stalls ~40 ms on Nagle + delayed
 * ACK) is compiled with gcc into a cache directory keyed by the source hash; no binary is committed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const SHIM_SOURCE = join(HERE, 'pcscd-shim.c');

/** Where Debian (and a source build) put the vpcd driver. */
const VPCD_DRIVER_CANDIDATES = ['/usr/lib/pcsc/drivers/serial/libifdvpcd.so', '/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so'];
const PCSCD_CANDIDATES = ['/usr/sbin/pcscd', '/usr/local/sbin/pcscd'];

export interface StackRequirement {
  what: string;
  found: string | undefined;
  debianPackage: string;
}

function onPath(cmd: string): string | undefined {
  for (const d of (process.env['PATH'] ?? '').split(':')) if (d && existsSync(join(d, cmd))) return join(d, cmd);
  return undefined;
}

/** The programs and files the stack and its integration tests need; found = undefined when missing. */
export function requirements(): StackRequirement[] {
  return [
    { what: 'pcscd', found: PCSCD_CANDIDATES.find(existsSync) ?? onPath('pcscd'), debianPackage: 'pcscd' },
    { what: 'vpcd driver (libifdvpcd.so)', found: VPCD_DRIVER_CANDIDATES.find(existsSync), debianPackage: 'vsmartcard-vpcd' },
    { what: 'gcc (builds the TCP_NODELAY shim)', found: onPath('gcc'), debianPackage: 'gcc libc6-dev' },
    { what: 'pcsc_scan', found: onPath('pcsc_scan'), debianPackage: 'pcsc-tools' },
    { what: 'scriptor', found: onPath('scriptor'), debianPackage: 'pcsc-tools' },
    { what: 'opensc-tool', found: onPath('opensc-tool'), debianPackage: 'opensc' },
  ];
}

export function missingRequirements(): StackRequirement[] {
  return requirements().filter((r) => !r.found);
}

export class PcscStackError extends Error {
  constructor(
    readonly code: 'PCSC_STACK_MISSING' | 'PCSC_STACK_START' | 'PCSC_STACK_SHIM',
    message: string,
  ) {
    super(message);
    this.name = 'PcscStackError';
  }
}

/** Install what is missing (via scripts/install-deps.sh: apt-get when root), then re-check. */
export function ensureRequirements(): void {
  if (missingRequirements().length === 0) return;
  const script = join(REPO, 'scripts/install-deps.sh');
  if (existsSync(script)) spawnSync('bash', [script], { stdio: 'inherit' });
  const still = missingRequirements();
  if (still.length > 0) {
    const pkgs = [...new Set(still.flatMap((r) => r.debianPackage.split(' ')))].join(' ');
    throw new PcscStackError('PCSC_STACK_MISSING', `the PC/SC test stack is incomplete: missing ${still.map((r) => r.what).join(', ')}; install with: sudo apt-get install --no-install-recommends ${pkgs}`);
  }
}

/** Compile the shim once per source version into the cache; returns the .so path. */
export function buildShim(): string {
  const src = readFileSync(SHIM_SOURCE);
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const cache = join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'cardforge');
  const out = join(cache, `pcscd-shim-${hash}.so`);
  if (existsSync(out)) return out;
  mkdirSync(cache, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const r = spawnSync('gcc', ['-shared', '-fPIC', '-O2', '-Wall', '-o', tmp, SHIM_SOURCE, '-ldl'], { encoding: 'utf8' });
  if (r.status !== 0) throw new PcscStackError('PCSC_STACK_SHIM', `cannot build ${SHIM_SOURCE} with gcc: ${r.error?.message ?? r.stderr.trim()}; install gcc and libc6-dev`);
  renameSync(tmp, out); // atomic: concurrent test files never load a half-written .so
  return out;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '0.0.0.0', () => s.close(() => res(true)));
  });
}

/** A free pair (port, port+1) for vpcd's two slots. */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = 20000 + 2 * Math.floor(Math.random() * 20000);
    if ((await portFree(p)) && (await portFree(p + 1))) return p;
  }
  throw new PcscStackError('PCSC_STACK_START', 'no free TCP port pair for vpcd');
}

/** Whether something listens on TCP `port` (from /proc/net/tcp*, so no connection is made —
 * connecting to vpcd would itself insert a card). */
export function tcpListening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A') return true; // 0A = LISTEN
    }
  }
  return false;
}

export interface PcscStack {
  readonly dir: string;
  /** Value for PCSCLITE_CSOCK_NAME. */
  readonly socket: string;
  /** vpcd port of slot 0; slot 1 is port + 1. */
  readonly port: number;
  readonly logFile: string;
  readonly pid: number;
  /** Reader name of a slot, as PC/SC programs see it. */
  readerName(slot?: number): string;
  /** Environment for PC/SC client processes (opensc-tool, scriptor, cardforge). */
  env(): NodeJS.ProcessEnv;
  log(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  /** Parent for the stack's temporary directory (keep it short: a socket path is ≤ 107 bytes). */
  parent?: string;
  /** Use this directory (created if needed; removed by stop()); the socket is DIR/run/pcscd.comm. */
  dir?: string;
  timeoutMs?: number;
  /** pcscd log level flag: --error (default), --info, --debug. */
  logLevel?: '--error' | '--info' | '--debug';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startPcscStack(opts: StartOptions = {}): Promise<PcscStack> {
  ensureRequirements();
  const shim = buildShim();
  const pcscd = requirements()[0]!.found!;
  const driver = requirements()[1]!.found!;
  const port = opts.port ?? (await freePortPair());
  const dir = opts.dir ?? mkdtempSync(join(opts.parent ?? tmpdir(), 'cfpcsc-'));
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'reader.conf.d');
  const run = join(dir, 'run');
  mkdirSync(conf);
  mkdirSync(run);
  // Same shape as Debian's /etc/reader.conf.d/vpcd; "/dev/null:PORT" means vpcd listens on PORT.
  writeFileSync(join(conf, 'vpcd'), `FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:${port}\nLIBPATH      ${driver}\nCHANNELID    ${port}\n`);
  const logFile = join(dir, 'pcscd.log');
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(pcscd, ['--foreground', '--config', conf, opts.logLevel ?? '--error'], {
      env: { ...process.env, LD_PRELOAD: shim, CARDFORGE_PCSCD_RUNDIR: run },
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let exited: string | undefined;
  child.on('exit', (code, sig) => (exited = sig ?? `exit code ${code}`));
  const socket = join(run, 'pcscd.comm');
  const readLog = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const stack: PcscStack = {
    dir,
    socket,
    port,
    logFile,
    pid: child.pid ?? -1,
    readerName: (slot = 0) => `Virtual PCD 00 ${String(slot).padStart(2, '0')}`,
    env: () => ({ ...process.env, PCSCLITE_CSOCK_NAME: socket }),
    log: readLog,
    stop: async () => {
      if (exited === undefined) {
        child.kill('SIGTERM');
        for (let i = 0; i < 60 && exited === undefined; i++) await sleep(50);
        if (exited === undefined) child.kill('SIGKILL');
        for (let i = 0; i < 20 && exited === undefined; i++) await sleep(50);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while (!(existsSync(socket) && tcpListening(port) && tcpListening(port + 1))) {
    if (exited !== undefined || Date.now() > deadline) {
      const why = exited !== undefined ? `pcscd exited (${exited})` : 'pcscd did not come up in time';
      const log = readLog().trim().split('\n').slice(-8).join('\n');
      await stack.stop();
      throw new PcscStackError('PCSC_STACK_START', `${why}; its log ends with:\n${log}`);
    }
    await sleep(25);
  }
  return stack;
}

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
