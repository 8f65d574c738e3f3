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

// run --json (issue 19 item 3): one object for the whole script.
const expectedPattern = z.string().regex(/^(?:[0-9a-f?*]{2})*[0-9a-f?*]{4}$/).describe('the expectation as written: lower-case hex digits, "?" for any digit, "*" for a digit from a secret variable; the last 4 are the SW');
export const RUN_JSON = jsonOutput({
  command: 'run --json',
  description: 'the script run up to its end or its first mismatch: each step with its line, and where it stopped',
  schema: z
    .object({
      file: z.string().describe('the script as named on the command line ("-": stdin)'),
      ok: z.boolean().describe('every expectation held (exit 0); false: the last step is the mismatch (exit 1)'),
      steps: z.array(
        z.union([
          z.object({ line: z.number().int().positive(), command: maskedHex.describe('the APDU sent; a secret command\'s data and digits from secret variables are "*"'), response: hex.describe('response data and SW'), sw, expected: expectedPattern.optional(), ok: z.boolean() }).strict(),
          z.object({ line: z.number().int().positive(), reset: hex.describe('the ATR after the reset') }).strict(),
        ]),
      ),
      notRun: z.number().int().nonnegative().describe('steps after the mismatch, not sent'),
    })
    .strict(),
});

// ── prove (issue 19 item 10) ──────────────────────────────────────────────────────────────────
const proveCount = z.number().int().nonnegative();
export const PROVE_JSON = jsonOutput({
  command: 'prove --json',
  description: 'the verdict, the counts and one row per check, in the order the suites ran; a skip row gives its reason (needs --profile, destructive: pass --destructive, depends on a check that failed)',
  schema: z
    .object({
      verdict: z.enum(['pass', 'fail', 'vacuous']).describe('fail: a check failed (exit 1); vacuous: no check ran (exit 1); pass: every check that ran passed'),
      ran: proveCount.describe('passed + failed'),
      passed: proveCount,
      failed: proveCount,
      skipped: proveCount,
      summary: z.string().describe('the last line of the text report: counts and skip reasons'),
      rows: z.array(
        z
          .object({
            suite: z.string(),
            check: z.string(),
            expected: z.string().describe('what the check expects, as a reader compares it (SW as 4 hex digits); empty on a skip'),
            got: z.string().describe('what came back; empty on a skip'),
            verdict: z.enum(['pass', 'fail', 'skip']),
            note: z.string().optional().describe('why a check was skipped, or what a failure objected to'),
          })
          .strict(),
      ),
    })
    .strict(),
});

/** Every output, in the order docs/json.md lists them. Helpers adding a command's JSON add it here. */
export const JSON_OUTPUTS: readonly JsonOutput[] = [ERROR_JSON, SEND_JSON, READERS_JSON, DEMO_JSON, RUN_JSON, PROVE_JSON];
