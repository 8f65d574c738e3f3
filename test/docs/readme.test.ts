/**
 * The README's walk-through runs, top to bottom, as a user on a fresh machine follows it (issue 19
 * item 11): every fenced ```sh / ```bash block is executed in order with bash (`set -euo
 * pipefail`, so every line must succeed) in one fresh temporary directory holding a copy of
 * profiles/, with `npx cardforge` / `cardforge` being the built CLI (test/cli/built-cli.ts). The
 * README cannot drift from the product again: a renamed option, a file a command refuses to
 * overwrite ("already exists"), or an output that changed fails here.
 *
 * Markers — an HTML comment on the line before a block (invisible on GitHub):
 *   <!-- readme-test: skip REASON -->  not run (the first block: it installs and runs the whole test
 *                                      suite, which would recurse; a real card in a reader; …)
 *   <!-- readme-test: pcsc -->         run only when the PC/SC stack is there (pcscd, vpcd, opensc,
 *                                      the smartcard addon); mandatory with CI=true, as the PC/SC tests
 *   <!-- readme-test: output -->       on a block after a command block: what its output shows; each
 *                                      non-empty line must appear in the command block's output
 *                                      (stdout and stderr), in that order; "…" stands for any text
 * Each block runs in its own bash; processes a block starts in the background (`emulate &`,
 * `cardforge pcscd &`) are stopped (SIGTERM) when it ends. HOME is the temporary directory.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, builtCli } from '../cli/built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { pcscSuiteNote, skipPcsc } from '../integration/pcsc-stack.js';

export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  readonly marker?: { readonly kind: 'skip' | 'pcsc' | 'output'; readonly reason: string };
  /** For a command block: the output blocks that follow it. */
  readonly outputs: string[];
}

const MARKER = /^<!--\s*readme-test:\s*(skip|pcsc|output)\b\s*(.*?)\s*-->$/;
const SHELL = new Set(['sh', 'bash', 'shell']);

/** The fenced blocks of a Markdown text, each with the marker on the line before it. */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+)\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.trimStart().startsWith(fence); i++) body.push(lines[i]!.slice(open[1]!.length));
    let prev = start - 1;
    while (prev >= 0 && lines[prev]!.trim() === '') prev--;
    const m = prev >= 0 ? MARKER.exec(lines[prev]!.trim()) : null;
    blocks.push({ line: start + 1, lang: open[3]!.toLowerCase(), code: body.join('\n'), ...(m ? { marker: { kind: m[1] as 'skip' | 'pcsc' | 'output', reason: m[2]! } } : {}), outputs: [] });
  }
  // An output block belongs to the command block before it.
  let last: ReadmeBlock | undefined;
  for (const b of blocks) {
    if (b.marker?.kind === 'output') {
      if (!last) throw new Error(`README line ${b.line}: an output block with no command block before it`);
      last.outputs.push(b.code);
    } else if (SHELL.has(b.lang)) last = b;
  }
  return blocks.filter((b) => SHELL.has(b.lang));
}

/** Whether `output` shows every non-empty line of `expected`, in order ("…" matches any text). */
export function showsOutput(output: string, expected: string): { ok: true } | { ok: false; missing: string } {
  let from = 0;
  for (const want of expected.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const re = new RegExp(want.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*'));
    const lines = output.split('\n');
    const at = lines.findIndex((l, k) => k >= from && re.test(l));
    if (at < 0) return { ok: false, missing: want };
    from = at + 1;
  }
  return { ok: true };
}

/** The user's `npx cardforge` and `cardforge` are the CLI under test (on PATH). */
export function asTested(code: string): string {
  return code.replace(/\bnpx (--yes |-y )?cardforge\b/g, 'cardforge');
}

const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const blocks = readmeBlocks(README);

describe('README command blocks: parsing and markers', () => {
  it('finds the blocks and their markers; "…" in an output line stands for any text', () => {
    const md = ['<!-- readme-test: skip installs -->', '```sh', 'npm ci', '```', 'text', '```bash', 'x', '```', '<!-- readme-test: output -->', '```text', 'a … c', '```', '```ts', 'no', '```'].join('\n');
    const b = readmeBlocks(md);
    expect(b.map((x) => [x.line, x.lang, x.code, x.marker?.kind, x.marker?.reason])).toEqual([[2, 'sh', 'npm ci', 'skip', 'installs'], [6, 'bash', 'x', undefined, undefined]]);
    expect(b[1]!.outputs).toEqual(['a … c']);
    expect(showsOutput('x\na b c\n', 'a … c')).toEqual({ ok: true });
    expect(showsOutput('a b d\n', 'a … c')).toEqual({ ok: false, missing: 'a … c' });
    expect(showsOutput('two\none\n', 'one\ntwo')).toEqual({ ok: false, missing: 'two' });
    expect(asTested('npx cardforge send x && cardforge readers')).toBe('cardforge send x && cardforge readers');
  });

  it('the first block (the demo and the full test command, which would recurse) is kept as it is and not run', () => {
    expect(blocks[0]!.code).toBe('npm ci && npm run demo\nnpm run test:all');
    expect(blocks[0]!.marker?.kind).toBe('skip');
  });

  it('every block that is not run says why; the walk-through runs more than the first commands', () => {
    for (const b of blocks) if (b.marker?.kind === 'skip') expect(b.marker.reason.length, `README line ${b.line}`).toBeGreaterThan(10);
    // The "Using it" walk-through is run, not marked away.
    expect(blocks.find((b) => b.code.includes('personalize profiles/example-sim.yaml -o sim.json'))?.marker).toBeUndefined();
    expect(blocks.filter((b) => b.marker?.kind === 'pcsc').length).toBeGreaterThanOrEqual(1);
    expect(blocks.flatMap((b) => b.outputs).length).toBeGreaterThanOrEqual(1);
  });
});

describe('README walk-through, in order, on a fresh directory', () => {
  let dir = '';
  const setup = (): string => {
    if (dir) return dir;
    dir = tempDir('cf-readme-');
    cpSync(join(REPO, 'profiles'), join(dir, 'profiles'), { recursive: true });
    cpSync(join(REPO, 'examples/sim-checks.script'), join(dir, 'examples/sim-checks.script'));
    mkdirSync(join(dir, '.bin'));
    mkdirSync(join(dir, '.home'));
    // exec: a background `cardforge … &` is the node process itself, so the end of its block stops it.
    writeFileSync(join(dir, '.bin/cardforge'), `#!/bin/sh\nexec "${process.execPath}" "${builtCli()}" "$@"\n`);
    chmodSync(join(dir, '.bin/cardforge'), 0o755);
    return dir;
  };
  const run = (code: string): Promise<{ code: number | null; output: string }> => {
    const cwd = setup();
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(cwd, '.bin')}:${process.env['PATH'] ?? ''}`, HOME: join(cwd, '.home'), NO_COLOR: '1' };
    for (const k of ['PCSCLITE_CSOCK_NAME', 'CARDFORGE_PASSPHRASE', 'CARDFORGE_APPLETS', 'CARDFORGE_HISTORY']) delete env[k];
    const script = [
      'set -euo pipefail',
      `trap 'echo "README command failed (exit $?): $BASH_COMMAND" >&2' ERR`,
      // Stop what the block left running in the background, and wait for it (emulate saves its image).
      `trap 'st=$?; pids=$(jobs -p); [ -z "$pids" ] || kill $pids 2>/dev/null; wait 2>/dev/null; exit $st' EXIT`,
      asTested(code),
    ].join('\n');
    return new Promise((res, rej) => {
      const p = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      p.stdout.on('data', (d: Buffer) => (output += d.toString()));
      p.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const t = setTimeout(() => p.kill('SIGKILL'), 230_000);
      p.on('error', rej);
      p.on('close', (status) => {
        clearTimeout(t);
        res({ code: status, output });
      });
    });
  };

  for (const b of blocks) {
    const first = b.code.split('\n').find((l) => l.trim())?.trim() ?? '';
    const title = `README line ${b.line}: ${first.slice(0, 60)}${first.length > 60 ? '…' : ''}`;
    // A block marked skip is not a test: the test above checks each one gives its reason, so a
    // CI run reports no skipped test for the README.
    if (b.marker?.kind === 'skip') continue;
    const pcsc = b.marker?.kind === 'pcsc';
    it.skipIf(pcsc && skipPcsc)(`${title}${pcsc ? pcscSuiteNote : ''}`, async () => {
      const r = await run(b.code);
      expect(r.code, `README line ${b.line}: the block failed; its output:\n${r.output}`).toBe(0);
      for (const want of b.outputs) {
        const shown = showsOutput(r.output, want);
        expect(shown, `README line ${b.line}: the README shows output the command no longer prints; its output:\n${r.output}`).toEqual({ ok: true });
      }
    }, 240_000);
  }
});
