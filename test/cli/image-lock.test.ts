/**
 * Several writers on one image through the built CLI (issue 14): two `send --card` racing 80
 * INCREASEs ended with ACM at 40; `emulate` + `send --card` on one image lost one side's updates;
 * six parallel wrong CHV1 guesses all answered 9804 and the counter on disk ended at 2. Now the
 * image is locked (host/store/lock.ts): a second writer is refused, exit 1, and changes nothing,
 * so every acknowledged update is on disk and every answered guess is counted exactly.
 */
import { ERROR_JSON } from '../../host/cli/json/outputs.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToBytes } from '../../card/runtime/index.js';
import { loadImageFile } from '../../host/store/index.js';
import { builtCli, runCli, REPO, type CliResult } from './built-cli.js';

const pin = (p: string): string => Buffer.from(p).toString('hex') + 'ff'.repeat(8 - p.length);
const u24 = (b: Uint8Array, o = 0): number => (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
const OPEN_ACM = ['a0a40000023f00', 'a0a40000027f20', `a020000108${pin('1234')}`, `a020000208${pin('5678')}`, 'a0a40000026f39'];
const INCREASE = 'a032000003000001';
const REFUSED = /sim\.json is in use by cardforge (send|emulate) \(pid \d+\)/;

let dir: string;
let sim: string;
beforeAll(async () => {
  builtCli();
  dir = mkdtempSync(join(tmpdir(), 'cf-lock-cli-'));
  const profile = join(dir, 'sim.yaml');
  writeFileSync(profile, readFileSync(join(REPO, 'profiles/example-sim.yaml'), 'utf8').replace('acm_max: 1000', 'acm_max: 0'));
  sim = join(dir, 'sim.json');
  const made = await runCli(['personalize', profile, '-o', sim]);
  expect(made.code, made.stderr).toBe(0);
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The meter the image holds. */
function acmOnDisk(): number {
  const card = loadImageFile(sim);
  card.powerOn();
  const send = (h: string): Uint8Array => card.transmit(hexToBytes(h));
  for (const a of ['a0a40000023f00', 'a0a40000027f20', `a020000108${pin('1234')}`, 'a0a40000026f39']) send(a);
  return u24(send('a0b2010403'));
}

/**
 * Exit 0 with every exchange answered, or refused (exit 1, holder named) having sent nothing.
 * Under --json the refusal is the documented {error:{code,message}} on stdout (docs/json.md).
 */
function outcome(r: CliResult): { sws: string[] } | 'refused' {
  if (r.code === 1 && r.stderr === '') {
    const doc = ERROR_JSON.schema.parse(JSON.parse(r.stdout));
    if (REFUSED.test(doc.error.message)) return 'refused';
  }
  expect(r.code, r.stderr).toBe(0);
  return { sws: (JSON.parse(r.stdout) as { sw: string }[]).map((x) => x.sw.toLowerCase()) };
}

describe('locked images: several writers through the CLI', () => {
  it('send --card writers racing 80 INCREASEs: 80 acknowledged, ACM ends at 80; a loser is refused, never lost', async () => {
    let refused = 0;
    const worker = async (): Promise<number> => {
      let acked = 0;
      while (acked < 10) {
        const r = outcome(await runCli(['send', '--card', sim, '--json', ...OPEN_ACM, ...Array(10).fill(INCREASE)], { timeoutMs: 60_000 }));
        if (r === 'refused') {
          refused++;
          continue;
        }
        expect(r.sws.slice(5)).toEqual(Array(10).fill('9000'));
        acked += 10;
      }
      return acked;
    };
    // Eight writers at once (10 INCREASEs each, retried when refused) so their load→save windows overlap.
    const acked = (await Promise.all(Array.from({ length: 8 }, worker))).reduce((a, b) => a + b, 0);
    expect(acked).toBe(80);
    expect(acmOnDisk()).toBe(80);
    console.log(`eight send --card writers: 80 INCREASEs acknowledged, ACM 80 on disk, ${refused} refused attempts`);
  }, 240_000);

  it('emulate holds its image for its life: send --card on it is refused and changes nothing', async () => {
    // Port 1 refuses: emulate keeps retrying vpcd and holds the image all along.
    const emu = spawn(process.execPath, [builtCli(), 'emulate', '--card', sim, '--vpcd', '127.0.0.1:1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    emu.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => emu.once('exit', (c) => r(c)));
    try {
      for (let i = 0; i < 200 && !stderr.includes('serving'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(stderr).toContain('serving');
      const before = readFileSync(sim, 'utf8');
      const r = await runCli(['send', '--card', sim, ...OPEN_ACM, INCREASE]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`cardforge: ${sim} is in use by cardforge emulate (pid ${emu.pid}); stop it first, or use --no-save to read the image without changing it\n`);
      expect(r.stdout).toBe('');
      expect(readFileSync(sim, 'utf8')).toBe(before);
      // A second emulate is refused the same way.
      const second = await runCli(['emulate', '--card', sim, '--vpcd', '127.0.0.1:1']);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(`is in use by cardforge emulate (pid ${emu.pid})`);
    } finally {
      emu.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const after = outcome(await runCli(['send', '--card', sim, '--json', ...OPEN_ACM, INCREASE]));
    expect(after).not.toBe('refused');
  }, 60_000);

  it('six parallel wrong CHV1 guesses: each refused or counted, exactly', async () => {
    const tries = (): number => loadImageFile(sim).memory.cells.get('f0636172646667020001/sim/chv1/tries')![0]!;
    expect(tries()).toBe(3);
    const runs = await Promise.all(Array.from({ length: 6 }, () => runCli(['send', '--card', sim, '--json', 'a0a40000023f00', 'a0a40000027f20', `a020000108${pin('0000')}`])));
    const answered = runs.map(outcome).filter((o) => o !== 'refused').map((o) => (o as { sws: string[] }).sws[2]!);
    // Each answered guess costs one try: 9804 twice, then 9840 (the third blocks CHV1, TS 51.011 §9.4), then 9840.
    expect(answered.length).toBeGreaterThan(0);
    expect([...answered].sort()).toEqual(answered.map((_, i) => (i < 2 ? '9804' : '9840')));
    expect(tries()).toBe(Math.max(0, 3 - answered.length));
    console.log(`six parallel wrong CHV1 guesses: ${answered.length} answered (${answered.join(' ')}), ${6 - answered.length} refused, tries left ${tries()}`);
  }, 60_000);
});
