/**
 * SIGN TRANSACTION and the provider's p256Sign, this tree against another in one process
 * (issue 20): paired, interleaved rounds (the order alternating), medians with min–max, the
 * ratio per pair, the load average. Both trees' answers are compared first (RFC 6979: the same
 * key and digest must give the same bytes), so a faster but different signer fails the run.
 *
 *   git archive <commit> | tar -x -C DIR && ln -s "$PWD/node_modules" DIR/node_modules
 *   npx tsx bench/sign-ab.ts --baseline DIR [--provider node|pure] [--rounds 15]
 *   node --cpu-prof --import tsx bench/sign-ab.ts --only --seconds 5     this tree, busy for a profile
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { pairedRounds, signTransactionTimed, type Spread, type Timed } from './crypto-rows.js';
import { cryptoProvider } from '../host/crypto/node-provider.js';
import type { CryptoProvider } from '../card/runtime/index.js';

interface Tree {
  signTransactionTimed(cp: CryptoProvider): Promise<Timed>;
  provider(name: string): CryptoProvider;
}

async function baseline(dir: string): Promise<Tree> {
  const rows = (await import(pathToFileURL(resolve(dir, 'bench/crypto-rows.ts')).href)) as { signTransactionTimed: Tree['signTransactionTimed'] };
  const prov = (await import(pathToFileURL(resolve(dir, 'host/crypto/node-provider.ts')).href)) as { cryptoProvider(name: string): CryptoProvider };
  return { signTransactionTimed: rows.signTransactionTimed, provider: (n) => prov.cryptoProvider(n) };
}

/** p256Sign of one fixed key and digest, timed per call batch. */
function signTimed(cp: CryptoProvider, d: Uint8Array, digest: Uint8Array): Timed {
  return (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) cp.p256Sign(d, digest);
    return performance.now() - t0;
  };
}

const fmt = (s: Spread, d = 0): string => `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`;
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const provider = at('--provider') ?? 'node';
  const rounds = Number(at('--rounds') ?? 15);
  const here: Tree = { signTransactionTimed, provider: (n) => cryptoProvider(n) };
  if (args.includes('--only')) {
    const t = await here.signTransactionTimed(here.provider(provider));
    const end = performance.now() + 1000 * Number(at('--seconds') ?? 5);
    let n = 0, ms = 0;
    while (performance.now() < end) {
      ms += t(200);
      n += 200;
    }
    console.log(`SIGN TRANSACTION [${provider}]: ${Math.round((n * 1000) / ms)} /s`);
    return;
  }
  const dir = at('--baseline');
  if (dir === undefined) throw new Error('bench/sign-ab.ts: give --baseline DIR (a `git archive` of the commit to compare with), or --only');
  const base = await baseline(dir);
  const [cpA, cpB] = [here.provider(provider), base.provider(provider)];
  const d = new Uint8Array(randomBytes(32));
  d[0] = 0x40; // in 1..n-1
  const digest = new Uint8Array(randomBytes(32));
  const a = Buffer.from(cpA.p256Sign(d, digest)).toString('hex');
  const b = Buffer.from(cpB.p256Sign(d, digest)).toString('hex');
  if (a !== b) throw new Error(`bench/sign-ab.ts: this tree signs ${a}, the baseline ${b}`);
  const l0 = load();
  const tx = pairedRounds(await here.signTransactionTimed(cpA), await base.signTransactionTimed(cpB), { rounds, ms: 300, batchA: 20, batchB: 20 });
  const l1 = load();
  const sg = pairedRounds(signTimed(cpA, d, digest), signTimed(cpB, d, digest), { rounds: rounds * 3, ms: 100, batchA: 50, batchB: 50 });
  console.log(`SIGN TRANSACTION [${provider}], ${rounds} paired rounds × 300 ms: this tree ${fmt(tx.a)} /s, baseline ${fmt(tx.b)} /s, ratio ${fmt(tx.ratio, 3)} | load ${l0} → ${l1}`);
  console.log(`p256Sign [${provider}], ${rounds * 3} paired rounds × 100 ms: this tree ${fmt(sg.a)} /s, baseline ${fmt(sg.b)} /s, ratio ${fmt(sg.ratio, 3)} | load ${l1} → ${load()}`);
}

void main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
