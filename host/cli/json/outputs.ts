/**
 * Every documented `--json` output, by command. A command's schema lives here (one file per
 * command would do too; keep one entry per output): docs/json.md is generated from this list
 * (`npm run docs`) and test/cli/json-schemas.test.ts spawns each command and validates its output.
 */
import { z } from 'zod';
import { errorSchema, hex, jsonOutput, maskedHex, sw, type JsonOutput } from './convention.js';

export const exchangeSchema = z.object({ command: maskedHex, response: hex.describe('response data and SW'), sw }).strict();

export const SEND_JSON = jsonOutput({
  command: 'send --json',
  description: 'every exchange sent, in order (with GET RESPONSE / 6Cxx re-sends done by the host unless --raw)',
  schema: z.array(exchangeSchema),
});

export const READERS_JSON = jsonOutput({
  command: 'readers --json',
  description: 'the PC/SC readers and the card in each',
  schema: z.array(
    z
      .object({
        index: z.number().int().nonnegative().describe('what --reader N takes'),
        name: z.string(),
        cardPresent: z.boolean(),
        atr: hex.nullable(),
        inUse: z.boolean(),
        exclusive: z.boolean(),
        mute: z.boolean(),
      })
      .passthrough(),
  ),
});

export const DEMO_JSON = jsonOutput({
  command: 'demo --json',
  description: 'the demo checks and their verdicts',
  schema: z.object({ passed: z.number().int(), failed: z.number().int(), checks: z.array(z.object({ part: z.string(), check: z.string(), ok: z.boolean() }).strict()) }).strict(),
});

export const ERROR_JSON = jsonOutput({
  command: '<any command> --json (on error)',
  description: 'what any command prints on stdout instead of its output when it fails under --json; the exit code is 1 (failure) or 2 (usage)',
  schema: errorSchema,
});

/** Every output, in the order docs/json.md lists them. Helpers adding a command's JSON add it here. */
export const JSON_OUTPUTS: readonly JsonOutput[] = [ERROR_JSON, SEND_JSON, READERS_JSON, DEMO_JSON];
