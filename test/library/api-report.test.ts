/**
 * The published surface (issue 16): the API report regenerated from a fresh build equals the
 * committed api/cardforge.api.md, so a change to what the package exports is a reviewed change;
 * and the packed tarball holds the compiled library with its types and nothing of tests,
 * benchmarks, fixtures or examples.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtCli, REPO } from '../cli/built-cli.js';
import { API_REPORT, apiReport } from '../../scripts/api-report.js';

describe('public API', () => {
  it('the committed report matches the build (run `npm run api` after changing an export)', () => {
    const dist = dirname(dirname(dirname(builtCli())));
    expect(apiReport(dist), 'the public surface changed: run `npm run api` and commit api/cardforge.api.md').toBe(readFileSync(API_REPORT, 'utf8'));
  }, 60_000);

  it('npm pack ships dist/ with .d.ts for every entry point, docs and profiles — no tests, benchmarks, fixtures or examples', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; import: string } | string> };
    for (const t of Object.values(pkg.exports)) {
      if (typeof t === 'string') continue;
      expect(files).toContain(t.types.replace(/^\.\//, ''));
      expect(files).toContain(t.import.replace(/^\.\//, ''));
    }
    expect(files).toContain('dist/host/cli/main.js');
    // One source file ships on purpose: `cardforge pcscd` compiles the TCP_NODELAY shim from it.
    expect(files).toContain('scripts/pcsc/pcscd-shim.c');
    const shipped = new Set(['scripts/pcsc/pcscd-shim.c']);
    const stray = files.filter((f) => !shipped.has(f) && (/^(test|bench|scripts|examples|\.tmp|shared)\//.test(f) || /^dist\/(test|bench|scripts)\//.test(f) || /\.test\.|\.map$|fixtures/.test(f)));
    expect(stray).toEqual([]);
  });
});
