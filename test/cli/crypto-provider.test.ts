/**
 * Issue 20: the CLI runs its cards on the Node crypto provider unless CARDFORGE_CRYPTO=pure; any
 * other value is a usage error that names the variable and the accepted values, before anything
 * is written.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { builtCli, runCli } from './built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('CARDFORGE_CRYPTO', () => {
  beforeAll(() => {
    builtCli(); // compile once, outside the tests' time limit
  });

  it('refuses an unknown provider with exit 2 and writes nothing', async () => {
    const dir = tempDir();
    const image = join(dir, 'card.json');
    const r = await runCli(['image', 'new', '-o', image], { env: { ...process.env, CARDFORGE_CRYPTO: 'fast' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CARDFORGE_CRYPTO: expected "node" or "pure", got "fast" (unset it, or set it to node or pure)');
    expect(existsSync(image)).toBe(false);
  });

  it('under --json the refusal is a JSON error document', async () => {
    const r = await runCli(['image', 'new', '-o', join(tempDir(), 'c.json'), '--json'], { env: { ...process.env, CARDFORGE_CRYPTO: 'x' } });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'USAGE', message: 'CARDFORGE_CRYPTO: expected "node" or "pure", got "x" (unset it, or set it to node or pure)' } });
  });

  for (const v of ['node', 'pure', '']) {
    it(`CARDFORGE_CRYPTO=${JSON.stringify(v)} makes a card image`, async () => {
      const image = join(tempDir(), 'card.json');
      const r = await runCli(['image', 'new', '-o', image], { env: { ...process.env, CARDFORGE_CRYPTO: v } });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(existsSync(image)).toBe(true);
    });
  }
});
