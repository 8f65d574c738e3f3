/**
 * jCardSim beside the runtime rows (bench/peers/README.md): when JCARDSIM_JAR names the jCardSim
 * jar and `java` and `javac` run, BenchApplet.java and JCardSimBench.java are compiled against it
 * into a temporary directory and run once; their RESULT lines are the peer figures, measured in
 * this run with the same workloads and timing as ours. Without the jar or a JDK the runtime rows
 * print the figures quoted in the issue, labelled as such. A harness that is asked for (the jar is
 * set) but fails to compile, run or check its answers fails the bench.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type PeerWorkload = 'trivial' | 'sha256' | 'write16';

export type JCardSimRun =
  | { measured: true; rates: Record<PeerWorkload, number>; method: string }
  | { measured: false; reason: string };

const PEER_DIR = fileURLToPath(new URL('.', import.meta.url));

/** Parse the harness's output; throws when a workload is missing or a check failed. */
export function parseHarnessOutput(stdout: string): { rates: Record<PeerWorkload, number>; method: string } {
  const failed = stdout.split('\n').find((l) => l.startsWith('CHECK FAILED'));
  if (failed) throw new Error(`jCardSim harness: ${failed}`);
  const rates: Partial<Record<PeerWorkload, number>> = {};
  let method = '';
  for (const m of stdout.matchAll(/^RESULT (trivial|sha256|write16) (\d+) best-of-(\d+)x(\d+)ms$/gm)) {
    rates[m[1] as PeerWorkload] = Number(m[2]);
    method = `best of ${m[3]} × ${m[4]} ms rounds`;
  }
  const missing = (['trivial', 'sha256', 'write16'] as const).filter((w) => rates[w] === undefined);
  if (missing.length) throw new Error(`jCardSim harness printed no RESULT for ${missing.join(', ')}: ${stdout.trim().split('\n')[0] ?? '(no output)'}`);
  return { rates: rates as Record<PeerWorkload, number>, method };
}

const runs = (cmd: string): boolean => spawnSync(cmd, ['-version'], { stdio: 'ignore' }).status === 0;

/** Why the harness cannot run here (undefined: it can); throws when JCARDSIM_JAR names no file. */
function absentReason(env: NodeJS.ProcessEnv): string | undefined {
  const jar = env['JCARDSIM_JAR'];
  if (!jar) return 'JCARDSIM_JAR is not set';
  if (!existsSync(jar)) throw new Error(`JCARDSIM_JAR=${jar}: no such file`);
  if (!runs('javac')) return 'javac is not installed';
  if (!runs('java')) return 'java is not installed';
  return undefined;
}

/** Compile the harness against the jar into a new temporary directory (the caller removes it). */
function compileHarness(jar: string): string {
  const out = mkdtempSync(join(tmpdir(), 'cf-jcardsim-'));
  const sources = readdirSync(PEER_DIR).filter((f) => f.endsWith('.java')).map((f) => join(PEER_DIR, f));
  const javac = spawnSync('javac', ['-cp', jar, '-d', out, ...sources], { encoding: 'utf8' });
  if (javac.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`jCardSim harness did not compile against ${jar}: ${(javac.stderr || javac.stdout).trim().split('\n').slice(0, 3).join(' / ')}`);
  }
  return out;
}

/** The harness kept running (`JCardSimBench serve`): one timed round per request, for paired rounds. */
export interface JCardSimPeer {
  /** APDU/s of one round of about `ms` of `workload` in jCardSim. */
  round(workload: PeerWorkload, ms: number): Promise<number>;
  close(): void;
}

export type JCardSimServe = { measured: true; peer: JCardSimPeer } | { measured: false; reason: string };

/**
 * Start the harness in serve mode when it can run here (checks its answers first: a wrong answer
 * rejects with the CHECK FAILED line); otherwise say why it is not measured.
 */
export async function startJCardSim(env: NodeJS.ProcessEnv = process.env): Promise<JCardSimServe> {
  const reason = absentReason(env);
  if (reason !== undefined) return { measured: false, reason };
  const jar = env['JCARDSIM_JAR']!;
  const out = compileHarness(jar);
  const child = spawn('java', ['-cp', `${jar}${delimiter}${out}`, 'JCardSimBench', 'serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = lineQueue(child);
  const close = (): void => {
    child.stdin.end();
    child.kill();
    rmSync(out, { recursive: true, force: true });
  };
  try {
    const first = await lines.next(120_000);
    if (first !== 'READY') throw new Error(first.startsWith('CHECK FAILED') ? `jCardSim harness: ${first}` : `jCardSim harness did not start: ${first}`);
  } catch (e) {
    close();
    throw e;
  }
  return {
    measured: true,
    peer: {
      async round(workload, ms) {
        child.stdin.write(`${workload} ${Math.round(ms)}\n`);
        const line = await lines.next(ms + 60_000);
        const m = /^RATE (\w+) (\d+)$/.exec(line);
        if (!m || m[1] !== workload) throw new Error(`jCardSim harness answered "${line}" to a ${workload} round`);
        return Number(m[2]);
      },
      close,
    },
  };
}

/** Lines of the child's stdout, awaited one by one; the child's exit or stderr ends them with an error. */
function lineQueue(child: ChildProcessWithoutNullStreams): { next(timeoutMs: number): Promise<string> } {
  const ready: string[] = [];
  const waiting: { resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  let ended: Error | undefined;
  let buf = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w.resolve(line);
      else ready.push(line);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  const end = (why: string): void => {
    ended = new Error(`jCardSim harness ${why}${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''}`);
    for (const w of waiting.splice(0)) w.reject(ended);
  };
  child.on('exit', (code, signal) => end(`exited ${code ?? signal}`));
  child.on('error', (e) => end(`could not start (${e.message})`));
  return {
    next(timeoutMs) {
      const line = ready.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (ended) return Promise.reject(ended);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`jCardSim harness did not answer in ${timeoutMs} ms`)), timeoutMs);
        waiting.push({
          resolve: (l) => (clearTimeout(timer), resolve(l)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
      });
    },
  };
}

/** Compile and run the harness when it can run here; otherwise say why not. */
export function runJCardSim(env: NodeJS.ProcessEnv = process.env, opts: { ms?: number; rounds?: number } = {}): JCardSimRun {
  const reason = absentReason(env);
  if (reason !== undefined) return { measured: false, reason };
  const jar = env['JCARDSIM_JAR']!;
  const out = compileHarness(jar);
  try {
    const java = spawnSync('java', ['-cp', `${jar}${delimiter}${out}`, 'JCardSimBench', String(opts.ms ?? 700), String(opts.rounds ?? 3)], { encoding: 'utf8', timeout: 120_000 });
    if (java.status !== 0 && !java.stdout.includes('CHECK FAILED')) throw new Error(`jCardSim harness exited ${java.status ?? java.signal}: ${(java.stderr || java.stdout).trim().split('\n')[0]}`);
    return { measured: true, ...parseHarnessOutput(java.stdout) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
