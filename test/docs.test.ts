/**
 * The committed command reference matches apdu-specs: a command added or changed without
 * `npm run docs` fails here (guards docs drifting from what the card dispatches).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { renderCommandReference } from '../host/docs/command-reference.js';
import { ALL_COMMANDS } from '../apdu-specs/index.js';

describe('docs/commands.md', () => {
  it('is up to date with apdu-specs (run `npm run docs` after changing a declaration)', () => {
    expect(readFileSync(new URL('../docs/commands.md', import.meta.url), 'utf8')).toBe(renderCommandReference());
  });
  it('lists every declared command', () => {
    const doc = renderCommandReference();
    for (const c of ALL_COMMANDS) expect(doc).toContain(`| ${c.name} |`);
  });
});

describe('docs/json.md', () => {
  it('is up to date with the CLI JSON schemas (run `npm run docs` after changing host/cli/json/outputs.ts)', async () => {
    const { renderJsonReference } = await import('../host/docs/json-reference.js');
    expect(readFileSync(new URL('../docs/json.md', import.meta.url), 'utf8')).toBe(renderJsonReference());
  });
});
