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

// --- personalize, profile keys, image new / show (issue 19 items 2, 4, 9) ---
const backendKeysSchema = z
  .object({ source: z.enum(['demo', 'file']), file: z.string().nullable().describe('the backend-keys file (null for demo)'), created: z.boolean().describe('this run created the file (fresh keys)') })
  .strict()
  .nullable()
  .describe('the back end that certified the payment / ledger applets (null: none used)');

export const PERSONALIZE_JSON = jsonOutput({
  command: 'personalize --json',
  description: 'what was personalized: an image (-o), a card over APDUs (--reader/--card), or the script (--dry-run, secrets masked)',
  schema: z.discriminatedUnion('mode', [
    z
      .object({
        mode: z.literal('image'),
        image: z.string(),
        personality: z.enum(['classic', 'uicc', 'both']),
        imsi: z.string(),
        algorithm: z.string(),
        gsmAlgorithm: z.string(),
        applets: z.array(z.string()).describe('applets besides the SIM: payment, prepaid ledger / postpaid ledger, wallet'),
        atr: hex,
        protocol: z.string(),
        backendKeys: backendKeysSchema,
      })
      .strict(),
    z
      .object({
        mode: z.literal('card'),
        target: z.string(),
        adapter: z.string(),
        steps: z.number().int(),
        imsi: z.string(),
        applets: z.array(z.string()),
        admTriesLeft: z.number().int().nullable().describe('ADM1 tries left after the run (null: the card has no retry query)'),
        backendKeys: backendKeysSchema,
      })
      .strict(),
    z
      .object({
        mode: z.literal('dry-run'),
        adapter: z.string(),
        steps: z.array(z.object({ command: maskedHex, label: z.string() }).strict()),
        notes: z.array(z.string()).describe('what follows the script (certification by the issuers, whose APDUs depend on the card)'),
      })
      .strict(),
  ]),
});

export const PROFILE_KEYS_JSON = jsonOutput({
  command: 'profile keys --json',
  description: "the back end's public keys a profile's sections take (pin them in the profile, or leave them out to take them from --backend-keys); no secret",
  schema: z
    .object({
      backendKeys: z.string().describe('"demo" or the backend-keys file'),
      keys: z.array(
        z
          .object({
            field: z.string().describe('profile field, e.g. ledger.issuer_key (or a key no profile field holds, e.g. payment issuer CA)'),
            who: z.string(),
            publicKey: hex.describe('65-byte uncompressed P-256 point 04‖X‖Y'),
            profile: z.enum(['matches', 'differs', 'absent']).nullable().describe('with a PROFILE: what the profile has (absent: taken from --backend-keys); null without one or for a key no profile field holds'),
          })
          .strict(),
      ),
    })
    .strict(),
});

export const IMAGE_NEW_JSON = jsonOutput({
  command: 'image new --json',
  description: 'the image written',
  schema: z
    .object({
      image: z.string(),
      kind: z.enum(['loopback', 'sim-blank']),
      personality: z.enum(['classic', 'uicc', 'both']).nullable(),
      applets: z.array(z.string()).describe('blank applets besides the SIM (sim-blank), or the loopback applet'),
      atr: hex,
      protocol: z.string(),
    })
    .strict(),
});

const pinViewSchema = z
  .object({ name: z.string(), triesLeft: z.number().int(), maxTries: z.number().int(), blocked: z.boolean(), enabled: z.boolean(), set: z.boolean().describe('false: never set (an unused slot, a blank card)') })
  .strict()
  .describe('a PIN / PUK / ADM / code counter; its value is never shown');

export const IMAGE_SHOW_JSON = jsonOutput({
  command: 'image show --json',
  description: 'what a card image holds, per applet, without any secret (no Ki, OPc, key, PIN/code value, private key; EF_Kc/EF_Keys show only the key set number); same image, same JSON',
  schema: z
    .object({
      image: z.string(),
      encrypted: z.boolean(),
      atr: hex,
      protocol: z.string(),
      openTransaction: z.boolean().describe('the image holds an open transaction (rolled back at the next power-up)'),
      applets: z.array(
        z
          .object({
            type: z.string(),
            aid: hex,
            default: z.boolean(),
            sim: z
              .object({
                personality: z.string(),
                algorithms: z.object({ auth3g: z.string(), auth2g: z.string() }).strict(),
                pins: z.array(pinViewSchema),
                sqn: z
                  .object({
                    indBits: z.number().int(),
                    highest: z.object({ sqn: hex.describe('6 bytes: SEQ‖IND'), seq: z.number().int(), ind: z.number().int() }).strict().nullable(),
                    seqByInd: z.array(z.object({ ind: z.number().int(), seq: z.number().int() }).strict()).describe('SEQ_MS(i) of every IND with one accepted (TS 33.102 Annex C)'),
                  })
                  .strict(),
                aoc: z.object({ acm: z.number().int().nullable(), acmMax: z.number().int().nullable(), puct: z.string().nullable() }).strict().describe('Advice of Charge: EF_ACM (current record), EF_ACMmax, EF_PUCT'),
                files: z
                  .array(
                    z
                      .object({
                        path: z.string(),
                        name: z.string(),
                        structure: z.string(),
                        size: z.number().int(),
                        active: z.boolean(),
                        content: z.string().optional().describe('transparent EF: its content decoded by the EF codec'),
                        hex: hex.optional(),
                        records: z.array(z.object({ n: z.number().int(), content: z.string(), hex }).strict()).optional().describe('record EF: the records that are not all FF'),
                        emptyRecords: z.number().int().optional(),
                        hidden: z.string().optional().describe('a cipher-key EF: only its key set number'),
                      })
                      .strict(),
                  )
                  .nullable()
                  .describe('null with --no-files'),
              })
              .strict()
              .optional(),
            ledger: z
              .object({
                personalized: z.boolean(),
                mode: z.string(),
                cardId: hex,
                currency: z.number().int(),
                balance: z.number().int().nullable(),
                maxBalance: z.number().int().nullable(),
                used: z.number().int().nullable(),
                ceiling: z.number().int().nullable(),
                transactions: z.number().int(),
                loads: z.number().int(),
                exports: z.number().int(),
                settledUpTo: z.number().int(),
                exportPending: z.object({ last: z.number().int(), amount: z.number().int() }).strict().nullable(),
                receiptPending: z.boolean(),
                certified: z.boolean(),
                consent: z.string(),
                code: pinViewSchema,
                editors: z.number().int(),
                log: z.array(z.object({ counter: z.number().int(), editorId: hex, price: z.number().int(), currency: z.number().int(), before: z.number().int(), after: z.number().int(), dateTime: hex, offerHash: hex }).strict()).describe('usage records, newest first'),
                tickets: z.array(z.object({ slot: z.number().int(), state: z.string(), id: hex, event: z.number().int(), seat: z.number().int(), validFrom: z.number().int(), validTo: z.number().int() }).strict()),
              })
              .strict()
              .optional(),
            payment: z
              .object({
                cardId: hex,
                personalized: z.boolean(),
                signatures: z.number().int(),
                cardNumberUses: z.number().int().nullable(),
                certificate: z.boolean(),
                publicKey: hex.nullable(),
                requireIdentification: z.boolean(),
                tokenLifetimeSeconds: z.number().int(),
                macKey: z.boolean().describe('a MAC key is set (its value is never shown)'),
                codes: z.array(pinViewSchema),
                users: z.array(z.object({ slot: z.number().int(), userId: z.string(), credential: pinViewSchema }).strict()),
              })
              .strict()
              .optional(),
            wallet: z
              .object({
                walletId: hex,
                currency: z.number().int(),
                balance: z.number().int(),
                maxBalance: z.number().int(),
                threshold: z.number().int(),
                transactions: z.number().int(),
                loads: z.number().int(),
                receiptPending: z.boolean(),
                publicKey: hex.nullable(),
                last: z.object({ counter: z.number().int(), amount: z.number().int(), merchantId: hex, before: z.number().int(), after: z.number().int() }).strict().nullable(),
              })
              .strict()
              .optional(),
            cells: z.array(z.object({ name: z.string(), bytes: z.number().int() }).strict()).optional().describe('an applet image show does not decode: its cells, names and sizes only'),
          })
          .strict(),
      ),
    })
    .strict(),
});
// --- end personalize / profile / image block ---

/** Every output, in the order docs/json.md lists them. Helpers adding a command's JSON add it here. */
export const JSON_OUTPUTS: readonly JsonOutput[] = [ERROR_JSON, SEND_JSON, READERS_JSON, DEMO_JSON, PERSONALIZE_JSON, PROFILE_KEYS_JSON, IMAGE_NEW_JSON, IMAGE_SHOW_JSON];
