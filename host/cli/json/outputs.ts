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
        atrInfo: z
          .object({
            convention: z.enum(['direct', 'inverse', 'invalid']).describe('TS: 3b direct, 3f inverse'),
            protocols: z.array(z.string()).describe('the protocols the TDi bytes offer ("T=0", "T=1"); T=15 is not a protocol'),
            defaultProtocol: z.string().describe('the protocol used without PPS: T of TD1, T=0 without TD1'),
            interfaceBytes: z.array(z.object({ name: z.string().describe('TA1, TB1, TC1, TD1, TA2 …'), value: hex }).strict()),
            historical: hex,
            historicalText: z.string().optional().describe('the historical bytes as text, when printable ASCII'),
            tck: z.union([z.object({ present: z.literal(true), ok: z.boolean() }).strict(), z.object({ present: z.literal(false), required: z.boolean().describe('TCK is required when a protocol other than T=0 is offered') }).strict()]),
            problems: z.array(z.string()).describe('what does not fit ISO/IEC 7816-3 (empty for a well-formed ATR)'),
          })
          .strict()
          .nullable()
          .describe('the ATR parsed (ISO/IEC 7816-3 §8.2); null without a card'),
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

// --- trace show/replay/convert and emulate (issue 19 item 6) ---
const protocol = z.enum(['T=0', 'T=1']);
const micros = z.number().nonnegative().describe('µs since the start of the trace');
const shownField = z.object({ name: z.string(), value: maskedHex.describe('field bytes as lower-case hex; a secret field\'s digits are "*" unless --reveal'), random: z.literal(true).optional().describe('the spec marks the field random (differs on every run)') }).strict();

export const TRACE_SHOW_JSON = jsonOutput({
  command: 'trace show --json',
  description: 'the trace decoded: power events and ATRs, every command paired with its response, named and cut into declared fields (secrets starred unless --reveal)',
  schema: z
    .object({
      file: z.string(),
      format: z.string().describe('the format read (guessed from the content unless --from)'),
      guessed: z.boolean(),
      header: z.object({ tool: z.string(), target: z.string().optional(), start: z.string().optional(), protocol: protocol.optional() }).strict(),
      events: z.array(
        z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('power-on'), t: micros.optional(), transport: z.string().optional() }).strict(),
          z.object({ kind: z.enum(['power-off', 'reset']), t: micros.optional() }).strict(),
          z.object({ kind: z.literal('atr'), atr: hex, t: micros.optional() }).strict(),
          z
            .object({
              kind: z.literal('exchange'),
              n: z.number().int().positive().describe('1-based exchange number, as `trace show` prints #n'),
              command: maskedHex,
              name: z.string().describe('command name from apdu-specs, or "INS xx"'),
              channel: z.number().int().nonnegative(),
              file: z.string().optional().describe('SELECT by FID or path: the file it reaches'),
              params: z.string().optional().describe('P1 and P2 by name'),
              fields: z.array(shownField),
              details: z.array(z.string()).optional(),
              response: hex.nullable().describe('response data and SW; null when the card never answered'),
              sw: sw.nullable(),
              meaning: z.string().nullable().describe('what the status word means'),
              responseFields: z.array(shownField).optional(),
              responseDetails: z.array(z.string()).optional().describe('an FCP / GSM response tag by tag, a file content through its codec'),
              t: micros.optional(),
              us: z.number().nonnegative().optional().describe('µs the exchange took'),
            })
            .strict(),
        ]),
      ),
      skipped: z.number().int().nonnegative().describe('unreadable blocks skipped with --keep-going (each named on stderr)'),
    })
    .strict(),
});

const bytesDiff = z.object({ field: z.string().describe('declared field name, "SW", "data" (undeclared bytes) or "ATR"'), recorded: hex, actual: hex, masked: z.boolean().describe('a random (or, with --mask-key-dependent, key-dependent) field: the difference does not count'), keyDependent: z.boolean().optional() }).strict();

export const TRACE_REPLAY_JSON = jsonOutput({
  command: 'trace replay --json',
  description: 'the replay summary (exchanges = same + masked + different; ATRs counted apart) and a verdict per exchange (with -q only those that are not the same); exit 1 when ok is false',
  schema: z
    .object({
      file: z.string(),
      format: z.string(),
      target: z.string().describe('what the trace was replayed against'),
      ok: z.boolean().describe('no real difference in an exchange or an ATR'),
      exchanges: z.number().int().nonnegative(),
      same: z.number().int().nonnegative(),
      masked: z.number().int().nonnegative().describe('same except random fields'),
      different: z.number().int().nonnegative(),
      swAgree: z.number().int().nonnegative().describe('exchanges whose status word is the recorded one'),
      atrs: z.number().int().nonnegative().describe('recorded ATRs compared with the card\'s'),
      atrsDifferent: z.number().int().nonnegative(),
      results: z.array(
        z
          .object({
            kind: z.enum(['exchange', 'atr']),
            n: z.number().int().positive().nullable().describe('1-based exchange number; null for an ATR'),
            name: z.string(),
            command: maskedHex.describe('the recorded command; a secret\'s data starred; empty for an ATR'),
            verdict: z.enum(['same', 'masked', 'different']),
            recorded: hex.nullable(),
            actual: hex.nullable(),
            diffs: z.array(bytesDiff),
          })
          .strict(),
      ),
    })
    .strict(),
});

export const TRACE_CONVERT_JSON = jsonOutput({
  command: 'trace convert --json',
  description: 'what was written: the output file, its format and protocol, and the events in it',
  schema: z
    .object({
      input: z.string(),
      output: z.string(),
      from: z.string(),
      to: z.string(),
      protocol: protocol.nullable().describe('the protocol the output states: the input\'s, else the one its first ATR selects; null when neither says (the output states none)'),
      protocolSource: z.enum(['header', 'atr', 'unknown']),
      events: z.number().int().nonnegative(),
      commands: z.number().int().nonnegative(),
      responses: z.number().int().nonnegative(),
      atrs: z.number().int().nonnegative(),
      skipped: z.number().int().nonnegative().describe('unreadable blocks skipped with --keep-going'),
    })
    .strict(),
});

const at = z.string().describe('wall-clock time of the event, ISO 8601');

export const EMULATE_JSON = jsonOutput({
  command: 'emulate --json',
  description: 'one JSON object per line and event while serving: ready, inserted (connected to vpcd), power, apdu (command starred when secret), removed, error (a problem that does not stop serving), stopped. Idle ATR polls are not events. A failure that stops serving is the {"error"} document',
  lines: true,
  schema: z.discriminatedUnion('event', [
    z.object({ event: z.literal('ready'), time: at, card: z.string(), atr: hex, protocol, vpcd: z.string().describe('HOST:PORT'), reader: z.string().describe('the PC/SC reader name pcscd shows') }).strict(),
    z.object({ event: z.literal('inserted'), time: at, vpcd: z.string(), reconnected: z.boolean() }).strict(),
    z.object({ event: z.literal('power'), time: at, action: z.enum(['on', 'off', 'reset']), atr: hex.optional().describe('power on: the ATR the card answers') }).strict(),
    z.object({ event: z.literal('apdu'), time: at, command: maskedHex, name: z.string(), response: hex, sw: sw.nullable().describe('null when the card did not answer'), ms: z.number().nonnegative() }).strict(),
    z.object({ event: z.literal('removed'), time: at, reason: z.string() }).strict(),
    z.object({ event: z.literal('error'), time: at, level: z.enum(['warn', 'error']), message: z.string() }).strict(),
    z.object({ event: z.literal('stopped'), time: at, signal: z.string(), saved: z.string().describe('the image file, saved') }).strict(),
  ]),
});
// --- end of trace/emulate outputs ---

// --- pcscd and shell (issue 19 item 6) ---
export const PCSCD_JSON = jsonOutput({
  command: 'pcscd --json',
  description: 'one line when the private pcscd is up (what to export, where vpcd listens), one when it stopped after Ctrl-C',
  lines: true,
  schema: z.discriminatedUnion('event', [
    z
      .object({
        event: z.literal('ready'),
        pid: z.number().int().positive(),
        socket: z.string().describe('export PCSCLITE_CSOCK_NAME=<socket> for PC/SC programs'),
        readers: z.array(z.object({ name: z.string(), port: z.number().int().positive().describe('vpcd TCP port: emulate --vpcd 127.0.0.1:PORT') }).strict()),
        log: z.string().describe("pcscd's log file"),
      })
      .strict(),
    z.object({ event: z.literal('stopped') }).strict(),
  ]),
});

export const SHELL_JSON = jsonOutput({
  command: 'shell --json',
  description: 'one line when the card is connected, then one per input line: what the shell printed for it, and whether it failed in the shell (a status word the card answers is not a failure)',
  lines: true,
  schema: z.discriminatedUnion('event', [
    z.object({ event: z.literal('ready'), target: z.string(), atr: hex, protocol: z.enum(['T=0', 'T=1']).nullable() }).strict(),
    z
      .object({
        event: z.literal('line'),
        line: z.number().int().positive().describe('1-based input line number'),
        input: z.string().nullable().describe('the line as the history keeps it (a secret command starred); null when nothing was sent'),
        output: z.array(z.string()).describe('the lines the shell printed for it (exchanges decoded, secrets starred)'),
        error: z.boolean(),
      })
      .strict(),
  ]),
});
// --- end of pcscd and shell outputs ---

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
        isd: z
          .object({
            scp: z.enum(['02', '03']),
            kvn: z.number().int().min(1).max(0x7f).describe('key version of the ISD key set the session used'),
            defaultTestKeys: z.boolean().describe('true: the profile has no isd: section, so the well-known test keys 404142…4F were used'),
          })
          .strict()
          .nullable()
          .describe('the Issuer Security Domain session the payment, ledger and wallet applets were personalized through (issue 21); null when the profile has none of them'),
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
            isd: z
              .object({
                lifeCycle: z.string().describe('card life cycle (GP CS Table 11-3)'),
                authTriesLeft: z.number().int(),
                authTries: z.number().int(),
                scp02SequenceCounter: z.number().int(),
                scp03Counter: z.number().int(),
                keys: z.array(z.object({ kvn: z.number().int(), kid: z.number().int(), type: z.string(), length: z.number().int() }).strict()).describe('key version, id, type and length: never a key value'),
                iin: hex.nullable(),
                cin: hex.nullable(),
                keyDiversificationData: hex,
              })
              .strict()
              .optional()
              .describe('the GlobalPlatform Issuer Security Domain (issue 21)'),
            cells: z.array(z.object({ name: z.string(), bytes: z.number().int() }).strict()).optional().describe('an applet image show does not decode: its cells, names and sizes only'),
          })
          .strict(),
      ),
    })
    .strict(),
});
// --- end personalize / profile / image block ---

// --- image import / dump (issue 19 item 6) ---
export const IMAGE_IMPORT_JSON = jsonOutput({
  command: 'image import --json',
  description: 'the clone written from a pySim-shell export',
  schema: z
    .object({
      image: z.string(),
      source: z.string().describe('the export file'),
      personality: z.string(),
      files: z.number().int().nonnegative(),
      contents: z.number().int().nonnegative().describe('files with contents in the export'),
      atr: hex,
      protocol: z.enum(['T=0', 'T=1']),
      channels: z.number().int().positive().describe('logical channels the ATR offers'),
      warnings: z.array(z.string()),
    })
    .strict(),
});

export const IMAGE_DUMP_JSON = jsonOutput({
  command: 'image dump --json',
  description: 'what the walk of a card found and what was written: the export (-o x.script) or a clone (-o x.json)',
  schema: z
    .object({
      output: z.string(),
      kind: z.enum(['export', 'image']),
      dump: z
        .object({
          flavour: z.enum(['uicc', 'classic']),
          target: z.string(),
          files: z.number().int().nonnegative(),
          contents: z.number().int().nonnegative(),
          unreadable: z.number().int().nonnegative(),
          selects: z.number().int().nonnegative(),
          commands: z.number().int().nonnegative(),
          ms: z.number().int().nonnegative(),
        })
        .strict(),
      image: z.object({ personality: z.string(), atr: hex, protocol: z.enum(['T=0', 'T=1']), warnings: z.array(z.string()) }).strict().nullable().describe('the clone, for -o x.json'),
    })
    .strict(),
});

/** Every output, in the order docs/json.md lists them. Helpers adding a command's JSON add it here. */
// gp --json (issue 21): GlobalPlatform card management. One contiguous block; keys never appear.
const gpSession = {
  isd: hex.describe('the AID of the security domain selected'),
  scp: z.enum(['02', '03']).describe('the secure channel protocol the card answered INITIALIZE UPDATE with'),
  level: z.enum(['mac', 'mac+enc', 'mac+rmac', 'mac+enc+rmac', 'mac+enc+rmac+renc']).describe('the security level of EXTERNAL AUTHENTICATE'),
  kvn: z.number().int().min(0).max(255).describe('the key version number the card reported in INITIALIZE UPDATE'),
};
const gpRegistryEntry = z
  .object({
    kind: z.enum(['isd', 'app', 'loadfile']).describe('GET STATUS subset: the issuer security domain, applications and security domains, executable load files'),
    aid: hex,
    lifeCycle: z.number().int().min(0).max(255),
    lifeCycleName: z.string().describe('OP_READY, INITIALIZED, SECURED, CARD_LOCKED, TERMINATED (card); INSTALLED, SELECTABLE, PERSONALIZED, LOCKED (applications); LOADED (load files)'),
    privileges: z.object({ hex, names: z.array(z.string()).describe('GP Card Spec §11.1.2 privilege names, e.g. SecurityDomain, CardLock') }).strict().optional(),
    loadFile: hex.optional().describe('C4: the executable load file of an application'),
    modules: z.array(hex).optional().describe('84: the executable modules of a load file'),
    associatedSd: hex.optional().describe('CC: the associated security domain'),
    version: z.string().optional().describe('CE: the load file version, dotted'),
  })
  .strict();
export const GP_INFO_JSON = jsonOutput({
  command: 'gp info --json',
  description: 'what the security domain tells without a secure channel (GET DATA): CPLC field by field, card data, key information, IIN, CIN; an object the card does not have is null and listed under notAvailable with its SW',
  schema: z
    .object({
      isd: hex,
      cplc: z.array(z.object({ name: z.string(), value: hex, date: z.string().optional().describe('YDDD read as year digit and day of year, when valid BCD') }).strict()).nullable(),
      cardData: z
        .object({
          gpVersion: z.string().optional().describe('from the OID 1.2.840.114283.2.v.w.x'),
          scps: z.array(z.object({ version: z.number().int(), i: z.number().int() }).strict()).describe('every SCP announced, from the OIDs 1.2.840.114283.4.scp.i'),
          oids: z.array(z.object({ tag: z.string(), oid: z.string() }).strict()),
        })
        .strict()
        .nullable(),
      keyInfo: z.array(z.object({ id: z.number().int(), version: z.number().int(), type: z.string(), length: z.number().int() }).strict()).nullable(),
      iin: hex.nullable(),
      cin: hex.nullable(),
      notAvailable: z.array(z.object({ object: z.string(), sw }).strict()),
    })
    .strict(),
});
export const GP_LIST_JSON = jsonOutput({
  command: 'gp list --json',
  description: 'the card registry through a secure channel (GET STATUS): the ISD, applications and security domains, executable load files',
  schema: z.object({ ...gpSession, entries: z.array(gpRegistryEntry), notListed: z.array(z.object({ kind: z.enum(['isd', 'app', 'loadfile']), sw }).strict()).describe('GET STATUS subsets the card refused (e.g. 6a81: not supported), with the SW') }).strict(),
});
export const GP_CHANGE_JSON = jsonOutput({
  command: 'gp install|delete|lock|unlock|put-key|store-data --json',
  description: 'one card-management change done through a secure channel: what was changed; put-key gives the new key version and the check values of the new keys (never the keys)',
  schema: z
    .object({
      ...gpSession,
      action: z.enum(['install', 'delete', 'lock', 'unlock', 'put-key', 'store-data']),
      aid: hex.optional().describe('the application or load file acted on'),
      newKvn: z.number().int().optional().describe('put-key: the key version written'),
      kcv: z.array(hex).optional().describe('put-key: check values of the new ENC, MAC, DEK keys, as the card confirmed them'),
      blocks: z.number().int().optional().describe('store-data: STORE DATA commands sent'),
    })
    .strict(),
});

export const JSON_OUTPUTS: readonly JsonOutput[] = [ERROR_JSON, SEND_JSON, READERS_JSON, DEMO_JSON, RUN_JSON, PROVE_JSON, TRACE_SHOW_JSON, TRACE_REPLAY_JSON, TRACE_CONVERT_JSON, EMULATE_JSON, PCSCD_JSON, SHELL_JSON, PERSONALIZE_JSON, PROFILE_KEYS_JSON, IMAGE_NEW_JSON, IMAGE_SHOW_JSON, IMAGE_IMPORT_JSON, IMAGE_DUMP_JSON, GP_INFO_JSON, GP_LIST_JSON, GP_CHANGE_JSON];
