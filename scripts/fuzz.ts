/**
 * Long-running fuzzing: `npm run fuzz -- --minutes N [--seed S] [--target sim|payment|ledger|loopback|seeds]`.
 * Runs the oracle of test/fuzz/oracle.ts against every applet target in turn, one seeded
 * campaign of up to a minute each, until the time is up; prints exchanges/s and the SW spread per
 * target. On a violation it prints the session and the seed that reproduces it, and exits 1.
 */
import { allTargets } from '../test/fuzz/targets.js';
import { fuzzTarget } from '../test/fuzz/run.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const minutes = Number(arg('minutes') ?? '1');
  if (!(minutes > 0)) throw new RangeError(`--minutes expected a positive number, got "${arg('minutes')}"`);
  let seed = Number(arg('seed') ?? Date.now() % 1_000_000);
  const only = arg('target');
  const targets = (await allTargets()).filter((t) => !only || t.name === only);
  if (targets.length === 0) throw new RangeError(`--target expected loopback, sim, payment, ledger or seeds, got "${only}"`);
  const deadline = Date.now() + minutes * 60_000;
  const slice = Math.min(60_000, Math.max(5_000, (minutes * 60_000) / targets.length / 2));
  const totals = new Map<string, { sessions: number; exchanges: number; ms: number; sws: Map<number, number> }>();
  console.log(`fuzzing ${targets.map((t) => t.name).join(', ')} for ${minutes} min from seed ${seed}`);
  while (Date.now() < deadline) {
    for (const t of targets) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const t0 = Date.now();
      try {
        const s = fuzzTarget(t, { seed, timeMs: Math.min(slice, left), maxOps: 40 });
        const tot = totals.get(t.name) ?? { sessions: 0, exchanges: 0, ms: 0, sws: new Map() };
        tot.sessions += s.sessions;
        tot.exchanges += s.exchanges;
        tot.ms += Date.now() - t0;
        for (const [sw, n] of s.sws) tot.sws.set(sw, (tot.sws.get(sw) ?? 0) + n);
        totals.set(t.name, tot);
        if (process.argv.includes('--verbose')) console.log(`  ${t.name} seed ${seed}: ${s.exchanges} exchanges in ${Date.now() - t0} ms`);
      } catch (e) {
        console.error(`\nVIOLATION in ${t.name} (reproduce: npm run fuzz -- --target ${t.name} --seed ${seed} --minutes 1)\n${(e as Error).message}`);
        process.exitCode = 1;
        return;
      }
      seed++;
    }
  }
  for (const [name, t] of totals) {
    const top = [...t.sws].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([sw, n]) => `${sw.toString(16).padStart(4, '0')}×${n}`).join(' ');
    console.log(`${name.padEnd(9)} ${t.sessions} sessions, ${t.exchanges} exchanges (${Math.round(t.exchanges / (t.ms / 1000))}/s), 0 violations; SWs ${top}`);
  }
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exitCode = 2;
});
