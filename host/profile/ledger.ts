/**
 * The `ledger:` section of a personalization profile (issue 6), validated with zod (snake_case
 * keys, errors with the field path), and what it becomes: LedgerParams (layout, kept in the image)
 * and LedgerPersonalization (values for install(), never stored elsewhere).
 *
 * The card generates its P-256 key pair at install; the issuer certifies it afterwards with
 * certifyLedgerCard(transport, issuer): GET PUBLIC KEY, issuer signature over (card id, key),
 * PUT CERTIFICATE (checked on the card).
 *
 * Example:
 *   ledger:
 *     mode: prepaid            # or postpaid
 *     card_id: "0102030405060708"
 *     currency: 978            # ISO 4217 numeric
 *     max_balance: 10000       # prepaid (minor units); postpaid: ceiling: 5000
 *     initial_balance: 1000
 *     editor_root_key: "04…"   # optional 65-byte uncompressed P-256 keys: when given they pin
 *     issuer_key: "04…"        # the back end (personalize refuses other --backend-keys); when
 *     server_key: "04…"        # absent they are taken from --backend-keys (`cardforge profile keys`)
 *     consent: { mode: above, threshold: 500, code: "1234" }
 *     log_size: 16
 *     ticket_slots: 4
 */
import { z } from 'zod';
import { CardforgeError } from '../errors.js';
import { hexToBytes } from '../../card/runtime/index.js';
import type { LedgerParams, LedgerPersonalization } from '../../card/applets/ledger/index.js';
import { LedgerCard } from '../backend/ledger/card-client.js';
import type { LedgerIssuer } from '../backend/ledger/issuer.js';
import type { BackendActors } from '../backend/actors.js';
import type { Transport } from '../transport/types.js';
import { digitString, hexBytes } from './fields.js';

const int = (min: number, max: number) => z.number({ error: 'expected a whole number' }).int({ error: 'expected a whole number' }).min(min, { error: `expected ${min}..${max}` }).max(max, { error: `expected ${min}..${max}` });
const key = (what: string) => hexBytes(65, `the ${what} P-256 public key (04‖X‖Y)`).refine((s) => s.startsWith('04'), { error: 'expected an uncompressed key starting with 04' });

export const ledgerProfileSchema = z
  .object({
    mode: z.enum(['prepaid', 'postpaid'], { error: 'expected prepaid or postpaid' }),
    card_id: hexBytes(8, 'the card id'),
    currency: int(0, 999),
    max_balance: int(0, 0xffffffff).optional(),
    ceiling: int(0, 0xffffffff).optional(),
    initial_balance: int(0, 0xffffffff).optional(),
    editor_root_key: key('editor root').optional(),
    issuer_key: key('issuer').optional(),
    server_key: key('payment server').optional(),
    consent: z
      .object({
        mode: z.enum(['none', 'always', 'above'], { error: 'expected none, always or above' }),
        threshold: int(0, 0xffffffff).optional(),
        code: digitString(4, 8, 'the payment code').optional(),
      })
      .strict()
      .optional(),
    log_size: int(1, 254).default(16),
    ticket_slots: int(0, 32).default(4),
    /** Removed (issue 18): kept in the schema only to say so clearly. */
    replay_window: z.unknown().optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.replay_window !== undefined) ctx.addIssue({ code: 'custom', path: ['replay_window'], message: 'replay_window is no longer used: DEBIT answers the card\'s one-use GET CHALLENGE, so there is no host-random window; delete this line' });
    if (s.mode === 'prepaid') {
      if (s.max_balance === undefined) ctx.addIssue({ code: 'custom', path: ['max_balance'], message: 'a prepaid ledger needs max_balance' });
      if (s.ceiling !== undefined) ctx.addIssue({ code: 'custom', path: ['ceiling'], message: 'ceiling is for postpaid; use max_balance' });
      if (s.initial_balance !== undefined && s.max_balance !== undefined && s.initial_balance > s.max_balance) ctx.addIssue({ code: 'custom', path: ['initial_balance'], message: 'initial_balance exceeds max_balance' });
    } else {
      if (s.ceiling === undefined) ctx.addIssue({ code: 'custom', path: ['ceiling'], message: 'a postpaid ledger needs ceiling' });
      if (s.max_balance !== undefined || s.initial_balance !== undefined) ctx.addIssue({ code: 'custom', path: ['mode'], message: 'max_balance / initial_balance are for prepaid ledgers' });
    }
    if (s.consent && s.consent.mode !== 'none' && s.consent.code === undefined) ctx.addIssue({ code: 'custom', path: ['consent', 'code'], message: 'consent by payment code needs the code' });
    if (s.consent?.mode === 'above' && s.consent.threshold === undefined) ctx.addIssue({ code: 'custom', path: ['consent', 'threshold'], message: 'consent mode "above" needs a threshold' });
  });

export type LedgerProfile = z.output<typeof ledgerProfileSchema>;

/** Layout for Card.install params (no secrets). */
export function ledgerParams(s: LedgerProfile): LedgerParams {
  return { mode: s.mode, logSize: s.log_size, ticketSlots: s.ticket_slots };
}

/** The back end's public keys the ledger applet holds (from the backend keys, BackendActors). */
export interface LedgerBackendKeys {
  readonly editorRootKey: Uint8Array;
  readonly issuerKey: Uint8Array;
  readonly serverKey: Uint8Array;
}

/** The profile key fields, what they hold, and where BackendActors keeps each. */
export const LEDGER_KEY_FIELDS = [
  { field: 'editor_root_key', who: 'the editor root', key: 'editorRootKey' },
  { field: 'issuer_key', who: 'the ledger issuer', key: 'issuerKey' },
  { field: 'server_key', who: 'the ledger payment server', key: 'serverKey' },
] as const;

/** A back-end public key the profile omits, with no --backend-keys to take it from (ledger or wallet section). */
export class BackendKeyMissingError extends CardforgeError<'PROFILE_INVALID'> {
  constructor(readonly field: string) {
    super('PROFILE_INVALID', `${field} is not in the profile and no backend keys were given: pass --backend-keys FILE|demo, or pin the key in the profile (cardforge profile keys)`);
    this.name = 'BackendKeyMissingError';
  }
}

/** Values for install(); a key the profile omits comes from `backend` (the profile's keys, when given, were checked against it). */
export function ledgerPersonalization(s: LedgerProfile, backend?: LedgerBackendKeys): LedgerPersonalization {
  const keyOf = (f: (typeof LEDGER_KEY_FIELDS)[number]): Uint8Array => {
    const v = s[f.field];
    if (v !== undefined) return hexToBytes(v);
    if (backend) return backend[f.key];
    throw new BackendKeyMissingError(`ledger.${f.field}`);
  };
  const [editorRootKey, issuerKey, serverKey] = LEDGER_KEY_FIELDS.map(keyOf) as [Uint8Array, Uint8Array, Uint8Array];
  return {
    cardId: hexToBytes(s.card_id),
    currency: s.currency,
    limit: (s.mode === 'prepaid' ? s.max_balance : s.ceiling) ?? 0,
    ...(s.initial_balance !== undefined ? { initialBalance: s.initial_balance } : {}),
    editorRootKey,
    issuerKey,
    serverKey,
    ...(s.consent
      ? { consent: { mode: s.consent.mode, ...(s.consent.threshold !== undefined ? { threshold: s.consent.threshold } : {}), ...(s.consent.code !== undefined ? { code: new TextEncoder().encode(s.consent.code) } : {}) } }
      : {}),
  };
}

/** The ledger keys of a back end (its public halves). */
export function ledgerKeysOf(actors: BackendActors): LedgerBackendKeys {
  return { editorRootKey: actors.editorRoot.publicKey, issuerKey: actors.ledgerIssuer.publicKey, serverKey: actors.ledgerServerKey.publicKey };
}

/** After install: the issuer certifies the key the card generated (SELECT, GET PUBLIC KEY, PUT CERTIFICATE). */
export async function certifyLedgerCard(transport: Transport, issuer: LedgerIssuer, cardId: Uint8Array): Promise<void> {
  const w = new LedgerCard(transport);
  await w.select();
  await w.putCertificate(issuer.certify(cardId, await w.publicKey()));
}
