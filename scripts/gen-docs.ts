/** Regenerates docs/commands.md from apdu-specs and docs/json.md from the CLI's JSON schemas (npm run docs). */
import { writeFileSync } from 'node:fs';
import { renderCommandReference } from '../host/docs/command-reference.js';
import { renderJsonReference } from '../host/docs/json-reference.js';

writeFileSync(new URL('../docs/commands.md', import.meta.url), renderCommandReference());
writeFileSync(new URL('../docs/json.md', import.meta.url), renderJsonReference());
console.log('docs/commands.md and docs/json.md written');
