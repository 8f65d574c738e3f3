/**
 * A private pcsc-lite stack for `cardforge pcscd`, tests, benchmarks and demos: pcscd in the
 * foreground with its own reader.conf (a vsmartcard vpcd reader on a port pair), its own run
 * directory (socket and pid file, redirected by scripts/pcsc/pcscd-shim.c) and its own log file —
 * it never touches /run/pcscd or a system pcscd. PC/SC clients reach it through
 * PCSCLITE_CSOCK_NAME (honoured by libpcsclite).
 *
 *   npx cardforge pcscd [--port N] [--dir DIR]       run until Ctrl-C; prints the env to export
 *   npx tsx scripts/pcsc/stack.ts start | check      the same for scripts; check reports what is missing
 *
 * The shim (TCP_NODELAY on vpcd's sockets: without it every APDU stalls ~40 ms on Nagle + delayed
 * ACK) is compiled with gcc into a cache directory keyed by the source hash; no binary is committed
 * (the package ships its C source).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CardforgeError } from '../errors.js';

/** The package root (where package.json names cardforge), from the sources or any build output. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"cardforge"/.test(readFileSync(pkg, 'utf8'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new PcscStackError('PCSC_STACK_SHIM', `cannot find the cardforge package root above ${fileURLToPath(import.meta.url)} (it holds scripts/pcsc/pcscd-shim.c)`);
    dir = up;
  }
}

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

/** The first three: what the stack itself needs (the rest are the clients the tests drive). */
const SERVER_REQUIREMENTS = 3;

export function missingRequirements(serverOnly = false): StackRequirement[] {
  return requirements().slice(0, serverOnly ? SERVER_REQUIREMENTS : undefined).filter((r) => !r.found);
}

function installCommand(missing: readonly StackRequirement[]): string {
  return `sudo apt-get install --no-install-recommends ${[...new Set(missing.flatMap((r) => r.debianPackage.split(' ')))].join(' ')}`;
}

export type PcscStackErrorCode = 'PCSC_STACK_MISSING' | 'PCSC_STACK_START' | 'PCSC_STACK_SHIM';

/** The private stack cannot start: a missing package, a port in use, a directory in use, the shim. */
export class PcscStackError extends CardforgeError<PcscStackErrorCode> {
  constructor(code: PcscStackErrorCode, message: string) {
    super(code, message);
    this.name = 'PcscStackError';
  }
}

/**
 * Install what is missing (via scripts/install-deps.sh: apt-get when root), then re-check. With
 * `install: false` (the `cardforge pcscd` command: it never installs packages) only what the stack
 * itself needs is checked, and a missing piece is an error saying what to install.
 */
export function ensureRequirements(opts: { install?: boolean } = {}): void {
  const serverOnly = opts.install === false;
  if (missingRequirements(serverOnly).length === 0) return;
  const script = join(packageRoot(), 'scripts/install-deps.sh');
  if (!serverOnly && existsSync(script)) spawnSync('bash', [script], { stdio: 'inherit' });
  const still = missingRequirements(serverOnly);
  if (still.length > 0) {
    throw new PcscStackError('PCSC_STACK_MISSING', `the PC/SC stack is incomplete: missing ${still.map((r) => r.what).join(', ')}; install with: ${installCommand(still)}`);
  }
}

/** Compile the shim once per source version into the cache; returns the .so path. */
export function buildShim(): string {
  const SHIM_SOURCE = join(packageRoot(), 'scripts/pcsc/pcscd-shim.c');
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

export function portFree(port: number): Promise<boolean> {
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
  /** Resolves when pcscd exits (how: "exit code N" or the signal), stopped or not. */
  readonly exited: Promise<string>;
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
  /**
   * Use this directory; the socket is DIR/run/pcscd.comm. Created if needed and then removed by
   * stop(); a directory that exists keeps everything but the stack's own entries (reader.conf.d,
   * run, pcscd.log), which a stale earlier run may have left and are replaced. Refused while a
   * pcscd started there still runs.
   */
  dir?: string;
  /** Install missing Debian packages (scripts/install-deps.sh, as root); default true. */
  install?: boolean;
  timeoutMs?: number;
  /** pcscd log level flag: --error (default), --info, --debug. */
  logLevel?: '--error' | '--info' | '--debug';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The entries a stack makes in its directory (all it removes from a directory it did not create). */
const STACK_ENTRIES = ['reader.conf.d', 'run', 'pcscd.log'];
/** The stack's pcscd pid, in DIR/run (a second start in the same directory checks it). */
const PID_FILE = 'cardforge-pcscd.pid';

/** Whether `pid` is a pcscd running on `conf` (a recycled pid of another program is not). */
function pcscdRunsOn(pid: number, conf: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return true; // no /proc: trust the live pid
  try {
    const args = readFileSync(cmdline, 'utf8').split('\0');
    return args.some((a) => a.endsWith('pcscd')) && args.includes(conf);
  } catch {
    return false;
  }
}

/** Prepare `dir` for a new stack: refuse while a pcscd started there runs, clear a stale run's entries. */
function claimDir(dir: string): boolean {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return true;
  }
  const pidFile = join(dir, 'run', PID_FILE);
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
  if (Number.isInteger(pid) && pid > 0 && pcscdRunsOn(pid, join(dir, 'reader.conf.d'))) {
    throw new PcscStackError('PCSC_STACK_START', `a private pcscd already runs in ${dir} (pid ${pid}): use it (export PCSCLITE_CSOCK_NAME=${join(dir, 'run', 'pcscd.comm')}), stop it (kill ${pid}), or choose another directory`);
  }
  for (const e of STACK_ENTRIES) rmSync(join(dir, e), { recursive: true, force: true });
  return false;
}

export async function startPcscStack(opts: StartOptions = {}): Promise<PcscStack> {
  ensureRequirements(opts.install === false ? { install: false } : {});
  const shim = buildShim();
  const pcscd = requirements()[0]!.found!;
  const driver = requirements()[1]!.found!;
  const port = opts.port ?? (await freePortPair());
  const dir = opts.dir !== undefined ? resolve(opts.dir) : mkdtempSync(join(opts.parent ?? tmpdir(), 'cfpcsc-'));
  // A Unix socket path holds at most 107 bytes.
  if (Buffer.byteLength(join(dir, 'run', 'pcscd.comm')) > 107) throw new PcscStackError('PCSC_STACK_START', `${dir} is too long a path for pcscd's socket (${join(dir, 'run', 'pcscd.comm')} must be at most 107 bytes): choose a shorter directory`);
  const ownDir = opts.dir !== undefined ? claimDir(dir) : true;
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
  if (child.pid !== undefined) writeFileSync(join(run, PID_FILE), `${child.pid}\n`);
  let exited: string | undefined;
  const exitedPromise = new Promise<string>((res) => child.on('exit', (code, sig) => res((exited = sig ?? `exit code ${code}`))));
  const socket = join(run, 'pcscd.comm');
  const readLog = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const stack: PcscStack = {
    dir,
    socket,
    port,
    logFile,
    pid: child.pid ?? -1,
    exited: exitedPromise,
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
      if (ownDir) rmSync(dir, { recursive: true, force: true });
      else for (const e of STACK_ENTRIES) rmSync(join(dir, e), { recursive: true, force: true });
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
