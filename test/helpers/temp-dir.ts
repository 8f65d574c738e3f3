/**
 * Temporary directories for tests that clean up after themselves: tempDir() makes one under the
 * OS temp directory and removes it, with everything in it (card images, keys, traces), after the
 * test file's last test. Import it at the top of a test file: the afterAll hook is registered when
 * this module loads, so it belongs to the importing file (vitest isolates modules per file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

/** Remove every directory tempDir() made so far (also run by the afterAll hook). */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
}

afterAll(removeTempDirs);

/** A fresh empty directory, removed after this test file. */
export function tempDir(prefix = 'cf-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}
