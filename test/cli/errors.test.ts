/**
 * Issue 17: one base for host errors (CardforgeError, host/errors.ts) and a describeError that
 * recognises user errors by class only. Guards against (1) a raw Node error or any object whose
 * `code` merely looks like ours (UPPER_SNAKE) passing as a user error, (2) a host error class
 * that extends Error directly (the CLI would report it as an internal error), (3) a file a
 * command reads or writes unwrapped: a missing file gives a message naming it and what to do,
 * exit 1, never "internal error" or a stack trace.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CommanderError } from 'commander';
import { describeError, CliError, EXIT, CARD_USER_ERRORS } from '../../host/cli/errors.js';
import { CardforgeError } from '../../host/errors.js';
import { TraceError } from '../../host/trace/errors.js';
import { ProfileError } from '../../host/profile/load.js';
import { ImageFileError } from '../../host/store/index.js';
import { TransportError } from '../../host/transport/index.js';
import { ShellUsageError } from '../../host/shell/aliases.js';
import { ImageError } from '../../card/image/index.js';
import { CardNotPoweredError, CardError } from '../../card/runtime/index.js';
import { builtCli, runCli, REPO } from './built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('describeError', () => {
  it('a CardforgeError of any area is a user error: its message, its code, exit 1', () => {
    for (const e of [
      new TraceError('TRACE_SYNTAX', 'bad line', 't.jsonl', 3),
      new ProfileError('p.yaml', [{ path: 'imsi', message: 'expected 15 digits' }]),
      new ImageFileError('IMAGE_CORRUPT', 'a.json', 'a.json: digest mismatch'),
      new TransportError('PCSC_NO_READER', 'no reader "x"'),
      new ShellUsageError('missing the PIN value'),
    ]) {
      expect(e).toBeInstanceOf(CardforgeError);
      expect(describeError(e)).toEqual({ message: e.message, exitCode: EXIT.FAILURE, code: e.code });
    }
  });

  it('CliError keeps its exit code; commander usage errors exit 2', () => {
    expect(describeError(new CliError('USAGE', 'bad --wait', EXIT.USAGE))).toEqual({ message: 'bad --wait', exitCode: 2, code: 'USAGE' });
    expect(describeError(new CommanderError(1, 'commander.unknownOption', "error: unknown option '-x'"))).toEqual({ message: "unknown option '-x'", exitCode: 2, code: 'commander.unknownOption' });
  });

  it("the card's own errors (not CardforgeErrors: card/ never imports host/) are recognised by class", () => {
    expect(describeError(new ImageError('IMAGE_DIGEST', 'digest', 'does not match'))).toEqual({ message: 'digest: does not match', exitCode: 1, code: 'IMAGE_DIGEST' });
    expect(describeError(new CardNotPoweredError()).code).toBe('CARD_NOT_POWERED');
    expect(CARD_USER_ERRORS.length).toBeGreaterThan(0);
    // CardError (a status word) is the applet's answer, not a user error: a bug if it escapes.
    expect(describeError(new CardError(0x6a82)).code).toBe('INTERNAL');
  });

  it('a bare object or a plain Error with an UPPER_SNAKE code is not a user error (no duck typing)', () => {
    for (const e of [{ code: 'IMAGE_CORRUPT', message: 'looks like ours' }, Object.assign(new Error('also looks like ours'), { code: 'TRACE_SYNTAX' })]) {
      const d = describeError(e);
      expect(d.code).toBe('INTERNAL');
      expect(d.message).toMatch(/^internal error: .*this is a bug in cardforge/);
    }
  });

  it('a raw Node error (ENOENT) that escapes is reported as the bug it is, not as a user error', () => {
    let raw: unknown;
    try {
      readFileSync(join(REPO, 'no-such-file-here'));
    } catch (e) {
      raw = e;
    }
    expect((raw as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(describeError(raw)).toMatchObject({ code: 'INTERNAL', exitCode: 1 });
  });
});

describe('host error classes', () => {
  function walk(dir: string): string[] {
    return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));
  }
  /** `class X extends Error` / `extends TypeError` …: a host error outside the one base. */
  const DIRECT = /\bclass\s+(\w+)\s+extends\s+(?:Error|TypeError|RangeError)\b/g;

  it('the detector finds a class that extends Error directly (self-test)', () => {
    expect([...'export class OopsError extends Error {\n  readonly code = "OOPS";\n}'.matchAll(DIRECT)].map((m) => m[1])).toEqual(['OopsError']);
    expect([...'export class FineError extends CardforgeError<"X"> {}'.matchAll(DIRECT)]).toEqual([]);
  });

  it('every error class in host/ extends CardforgeError', () => {
    const bad = walk(join(REPO, 'host')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(DIRECT)].map((m) => `${relative(REPO, f)}: ${m[1]}`));
    expect(bad).toEqual([]);
  });
});

describe('cardforge CLI: a missing or unwritable file names the file and what to do (exit 1)', () => {
  let dir: string;
  let image: string;
  beforeAll(async () => {
    builtCli();
    dir = tempDir('cf-cli-errors-');
    image = join(dir, 'card.json');
    expect((await runCli(['image', 'new', '-o', image])).code).toBe(0);
  });

  function userError(r: { code: number | null; stderr: string }, file: string, todo: RegExp): void {
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(todo);
  }

  it('prove --junit into a directory that does not exist', async () => {
    const junit = join(dir, 'no-such-dir', 'report.xml');
    const r = await runCli(['prove', '--card', image, '--no-save', '--junit', junit], { timeoutMs: 60_000 });
    userError(r, junit, /cannot write the JUnit report \(ENOENT: no such file or directory\); check that the directory exists and is writable/);
  }, 70_000);

  it('image import of an export that does not exist, and --profile that does not exist', async () => {
    const missing = join(dir, 'missing.script');
    userError(await runCli(['image', 'import', missing, '-o', join(dir, 'x.json')]), missing, /cannot read the export \(ENOENT: no such file or directory\); check the path/);
    const exportFile = join(dir, 'empty.script');
    const profile = join(dir, 'missing.yaml');
    writeFileSync(exportFile, '');
    userError(await runCli(['image', 'import', exportFile, '--profile', profile, '-o', join(dir, 'y.json')]), profile, /cannot read the profile \(ENOENT: no such file or directory\)/);
  });

  it('trace show of a file that does not exist or is a directory; personalize of a profile that does not exist', async () => {
    const trace = join(dir, 'missing.jsonl');
    userError(await runCli(['trace', 'show', trace]), trace, /not found \(no such file\); check the path/);
    // A directory opens (Linux) and fails at the first read: that read is wrapped too.
    userError(await runCli(['trace', 'show', '--from', 'native', dir]), dir, /is a directory, not a trace file/);
    const profile = join(dir, 'missing-profile.yaml');
    userError(await runCli(['personalize', profile, '-o', join(dir, 'z.json')]), profile, /no such profile file/);
  });
});
