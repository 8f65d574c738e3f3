/**
 * image import / dump --json (issue 19 item 6): one JSON document each, checked against the
 * schema docs/json.md documents, with the numbers the text output gives; on a real card's export
 * (sysmoISIM-SJA2) and a dump of its clone through --card.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { builtCli, runCli, REPO } from './built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ERROR_JSON, IMAGE_DUMP_JSON, IMAGE_IMPORT_JSON } from '../../host/cli/json/outputs.js';

const SJA2 = resolve(REPO, '../shared/fixtures/real-cards/sysmoisim-sja2-backup.script');

describe('image import / dump --json', () => {
  let dir = '';
  beforeAll(() => {
    builtCli();
    dir = tempDir('cf-image-json-');
  });

  it('import: the clone as JSON, the same counts as the text line', async () => {
    const text = await runCli(['image', 'import', SJA2, '-o', join(dir, 'text.json')]);
    expect(text.code, text.stderr).toBe(0);
    const r = await runCli(['image', 'import', SJA2, '-o', join(dir, 'sja2.json'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = IMAGE_IMPORT_JSON.schema.parse(JSON.parse(r.stdout));
    expect(j).toMatchObject({ image: join(dir, 'sja2.json'), source: SJA2, personality: 'both' });
    expect(text.stdout).toContain(`(${j.files} files, ${j.contents} with contents)`);
    expect(j.files).toBeGreaterThan(50);
    // An existing output without --force: the documented error object, nothing written over.
    const again = await runCli(['image', 'import', SJA2, '-o', join(dir, 'sja2.json'), '--json']);
    expect(again.code).toBe(1);
    expect(ERROR_JSON.schema.parse(JSON.parse(again.stdout)).error.code).toBe('IMAGE_EXISTS');
  });

  it('dump --card: the export and a clone, each described as JSON', async () => {
    const image = join(dir, 'sja2.json');
    if (!existsSync(image)) expect((await runCli(['image', 'import', SJA2, '-o', image])).code).toBe(0);
    const ex = await runCli(['image', 'dump', '--card', image, '--no-save', '--no-scan', '-o', join(dir, 'd.script'), '--json'], { timeoutMs: 120_000 });
    expect(ex.code, ex.stderr).toBe(0);
    const e = IMAGE_DUMP_JSON.schema.parse(JSON.parse(ex.stdout));
    expect(e).toMatchObject({ kind: 'export', image: null, dump: { flavour: 'uicc' } });
    expect(e.dump.unreadable).toBeLessThan(e.dump.files); // PIN-protected EFs (no VERIFY in this walk)
    expect(e.dump.files).toBeGreaterThan(50);
    expect(existsSync(join(dir, 'd.script'))).toBe(true);
    const cl = await runCli(['image', 'dump', '--card', image, '--no-save', '--no-scan', '-o', join(dir, 'd.json'), '--json'], { timeoutMs: 120_000 });
    expect(cl.code, cl.stderr).toBe(0);
    const c = IMAGE_DUMP_JSON.schema.parse(JSON.parse(cl.stdout));
    expect(c).toMatchObject({ kind: 'image', image: { personality: 'both' } });
    expect(c.dump.files).toBe(e.dump.files);
  }, 240_000);
});
