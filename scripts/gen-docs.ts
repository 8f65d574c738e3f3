/** Regenerates docs/commands.md from apdu-specs (npm run docs). */
import { writeFileSync } from 'node:fs';
import { renderCommandReference } from '../host/docs/command-reference.js';

writeFileSync(new URL('../docs/commands.md', import.meta.url), renderCommandReference());
console.log('docs/commands.md written');
