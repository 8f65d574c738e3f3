/**
 * jCardSim beside the runtime rows (bench/peers/README.md): when JCARDSIM_JAR names the jCardSim
 * jar and `java` and `javac` run, BenchApplet.java and JCardSimBench.java are compiled against it
 * into a temporary directory and run once; their RESULT lines are the peer figures, measured in
 * this run with the same workloads and timing as ours. Without the jar or a JDK the runtime rows
 * print the figures quoted in the issue, labelled as such. A harness that is asked for (the jar is
 * set) but fails to compile, run or check its answers fails the bench.
 */
import { spawnSync } from 'node:child_process';
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

/** Compile and run the harness when it can run here; otherwise say why not. */
export function runJCardSim(env: NodeJS.ProcessEnv = process.env, opts: { ms?: number; rounds?: number } = {}): JCardSimRun {
  const jar = env['JCARDSIM_JAR'];
  if (!jar) return { measured: false, reason: 'JCARDSIM_JAR is not set' };
  if (!existsSync(jar)) throw new Error(`JCARDSIM_JAR=${jar}: no such file`);
  if (!runs('javac')) return { measured: false, reason: 'javac is not installed' };
  if (!runs('java')) return { measured: false, reason: 'java is not installed' };
  const out = mkdtempSync(join(tmpdir(), 'cf-jcardsim-'));
  try {
    const sources = readdirSync(PEER_DIR).filter((f) => f.endsWith('.java')).map((f) => join(PEER_DIR, f));
    const javac = spawnSync('javac', ['-cp', jar, '-d', out, ...sources], { encoding: 'utf8' });
    if (javac.status !== 0) throw new Error(`jCardSim harness did not compile against ${jar}: ${(javac.stderr || javac.stdout).trim().split('\n').slice(0, 3).join(' / ')}`);
    const java = spawnSync('java', ['-cp', `${jar}${delimiter}${out}`, 'JCardSimBench', String(opts.ms ?? 700), String(opts.rounds ?? 3)], { encoding: 'utf8', timeout: 120_000 });
    if (java.status !== 0 && !java.stdout.includes('CHECK FAILED')) throw new Error(`jCardSim harness exited ${java.status ?? java.signal}: ${(java.stderr || java.stdout).trim().split('\n')[0]}`);
    return { measured: true, ...parseHarnessOutput(java.stdout) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
