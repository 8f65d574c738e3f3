/**
 * Under --json a failure is one JSON document on stdout, {error:{code,message}} (docs/json.md),
 * with the same exit code as in text mode; nothing else is printed.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { builtCli } from './built-cli.js';
import { ERROR_JSON } from '../../host/cli/json/outputs.js';

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('errors under --json', () => {
  it('a failing command prints {error:{code,message}} on stdout and exits 1', () => {
    const r = cli('send', '--card', '/nonexistent/card.json', '--json', '00A4000C023F00');
    expect(r.status).toBe(1);
    const doc = ERROR_JSON.schema.parse(JSON.parse(r.stdout));
    expect(doc.error.message).toContain('/nonexistent/card.json');
    expect(r.stderr).toBe('');
  });
  it('a usage error prints a commander.* code and exits 2', () => {
    const r = cli('send', '--json', '--no-such-option');
    expect(r.status).toBe(2);
    const doc = ERROR_JSON.schema.parse(JSON.parse(r.stdout));
    expect(doc.error.code).toMatch(/^commander\./);
    expect(r.stderr).toBe('');
  });
  it('without --json the same failure is one line on stderr', () => {
    const r = cli('send', '--card', '/nonexistent/card.json', '00A4000C023F00');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cardforge: .*\/nonexistent\/card\.json/);
  });
});
