/**
 * Golden transcripts (house style, onomondo-uicc): text files of real sessions, one exchange per
 * pair of lines — `> command hex` then `< response hex` (data ‖ SW) — with `#` comments. A test
 * replays each file against a freshly personalized card and compares exchange by exchange; the
 * fuzzers use the commands as their seed corpus. Regenerate with `npx tsx scripts/fuzz-golden.ts`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GOLDEN_DIR = dirname(fileURLToPath(import.meta.url));

export { parseTranscript, formatTranscript, type Exchange } from '../../host/testing/transcript.js';
import { parseTranscript, type Exchange } from '../../host/testing/transcript.js';

export function loadGolden(name: string): Exchange[] {
  const file = join(GOLDEN_DIR, `${name}.apdu`);
  return parseTranscript(readFileSync(file, 'utf8'), file);
}
