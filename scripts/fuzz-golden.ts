/**
 * Records the golden transcripts test/golden/<applet>.apdu from the real sessions in
 * test/fuzz/targets.ts (each against a freshly personalized, deterministic card).
 *   npx tsx scripts/fuzz-golden.ts            write the files
 *   npx tsx scripts/fuzz-golden.ts --check    exit 1 when a file would change
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allTargets } from '../test/fuzz/targets.js';
import { GOLDEN_DIR, formatTranscript } from '../test/golden/transcript.js';

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  let changed = 0;
  for (const t of await allTargets()) {
    t.fresh();
    const ex: { command: Uint8Array; response: Uint8Array; note?: string }[] = [];
    t.session((command, note) => {
      const response = t.card.transmit(command);
      ex.push({ command: command.slice(), response: response.slice(), ...(note ? { note } : {}) });
      return response;
    });
    const file = join(GOLDEN_DIR, `${t.name}.apdu`);
    const text = formatTranscript(`${t.name}: golden session (${ex.length} exchanges)`, ex);
    const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (old !== text) {
      changed++;
      if (!check) writeFileSync(file, text);
    }
    console.log(`${old === text ? 'same   ' : check ? 'DIFFERS' : 'written'} ${file}`);
  }
  if (check && changed) process.exitCode = 1;
}

void main();
