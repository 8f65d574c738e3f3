/**
 * Personalization of the ledger applet over APDUs (issue 8): PERSO_STORE_DATA (block coding
 * apdu-specs/personalization.ts, records LEDGER_PERSO_TAGS in apdu-specs/ledger.ts).
 * - Blank state: install({ factory: {} }) allocates the layout (params: mode, log, tickets, replay
 *   window) and sets the persistent "blank" flag, nothing else. While blank every other command
 *   answers 6985.
 * - Authorisation: the ISD's secure channel — the blocks come as STORE DATA the ISD forwards
 *   (processData), the code (LEDGER_PERSO_SECRET_TAGS) in a DGI encrypted with the DEK; the
 *   applet's own PERSO_STORE_DATA answers 6982 (payment/store-data.ts).
 * - Blocks in order from 00, each checked whole and applied in ONE transaction; the last block
 *   also generates the card's P-256 key pair (FIPS 186-5 A.2.1, from the card's RNG) and clears
 *   "blank" in the same transaction. Mandatory over the run: card id, currency, limit, the three
 *   public keys; refused (6985) once personalized.
 * Values are written with the same runtime calls as install() (ledger.ts), so the APDU path and
 * the offline path give the same persistent memory (test/profile/apdu-seeds.test.ts).
 */
import { LEDGER_PERSO_SECRET_TAGS, LEDGER_PERSO_TAGS as TAG } from '../../../apdu-specs/ledger.js';
import { SW } from '../../../apdu-specs/status-words.js';
import type { CommandSpec } from '../../../apdu-specs/types.js';
import { CardError, PersoBlocks, isFactoryInstall, personalizedTable, type CommandTable, readU16, readU32, type AppletContext, type Handler, type OwnerPin, type PBytes, type PU16, type PU32, type PU8 } from '../../runtime/index.js';
import { isValidPublicKey } from '../../algorithms/p256.js';
import { CODE_MAX_LENGTH } from './types.js';
import { CARD_ID_LENGTH, type LedgerMode } from '../../protocol/ledger.js';

export interface LedgerPersoTarget {
  readonly mode: LedgerMode;
  readonly cardId: PBytes;
  readonly currency: PU16;
  readonly limit: PU32;
  readonly value: PU32;
  readonly editorKey: PBytes;
  readonly issuerKey: PBytes;
  readonly serverKey: PBytes;
  readonly consentMode: PU8;
  readonly threshold: PU32;
  readonly code: OwnerPin;
  /** On-card key generation (ledger.ts install()). */
  generateKeys(): void;
}

/** install() argument of the blank state: exactly { factory: {} }. */
export function isLedgerFactory(p: unknown): boolean {
  return isFactoryInstall(p);
}

/** The table of `specs` gated by the blank state (6985 while blank), plus PERSO_STORE_DATA; `perso` read at dispatch. */
export function ledgerTable(specs: readonly CommandSpec[], perso: () => LedgerStoreData, handlers: { readonly [name: string]: Handler }): CommandTable {
  return personalizedTable(specs, () => perso().blank, (a) => perso().storeData(a), handlers);
}

const MANDATORY = [TAG.CARD_ID, TAG.CURRENCY, TAG.LIMIT, TAG.EDITOR_ROOT_KEY, TAG.ISSUER_KEY, TAG.SERVER_KEY] as const;

/** PERSO_STORE_DATA of the ledger applet: the shared block sequence with this applet's records. */
export class LedgerStoreData extends PersoBlocks {
  constructor(ctx: AppletContext, t: LedgerPersoTarget) {
    super(ctx, { secret: (tag) => LEDGER_PERSO_SECRET_TAGS.has(tag), check: (rec) => checkLedgerRecords(t, rec), mandatory: MANDATORY.length, missing: 'card id, currency, limit and the three keys are mandatory', complete: () => t.generateKeys() });
  }
}
function checkLedgerRecords(t: LedgerPersoTarget, rec: Map<number, Uint8Array>): { writes: (() => void)[]; seen: number } {
  const bad = (what: string): never => {
    throw new CardError(SW.WRONG_DATA, what);
  };
  for (const tag of rec.keys()) if (!Object.values<number>(TAG).includes(tag)) bad(`unknown tag ${tag.toString(16)}`);
  const len = (tag: number, min: number, max = min): Uint8Array | undefined => {
    const v = rec.get(tag);
    if (v !== undefined && (v.length < min || v.length > max)) bad(`tag ${tag.toString(16)}: ${min}..${max} bytes expected`);
    return v;
  };
  const key = (tag: number): Uint8Array | undefined => {
    const v = len(tag, 65);
    if (v !== undefined && !isValidPublicKey(v)) bad(`tag ${tag.toString(16)}: not a P-256 public key`);
    return v;
  };
  const cardId = len(TAG.CARD_ID, CARD_ID_LENGTH);
  const cur = len(TAG.CURRENCY, 2);
  if (cur && readU16(cur, 0) > 999) bad('currency 0..999');
  const limit = len(TAG.LIMIT, 4);
  const balance = len(TAG.INITIAL_BALANCE, 4);
  if (balance) {
    // Checked against the limit of the same block (the host sends both in block 0).
    if (!limit || readU32(balance, 0) > readU32(limit, 0)) bad('initial balance needs the limit in the same block, and <= limit');
    if (t.mode === 'postpaid' && readU32(balance, 0) !== 0) bad('initial balance is for prepaid cards only');
  }
  const keys = [key(TAG.EDITOR_ROOT_KEY), key(TAG.ISSUER_KEY), key(TAG.SERVER_KEY)] as const;
  const consent = len(TAG.CONSENT, 5);
  if (consent && consent[0]! > 2) bad('consent mode 00..02');
  const code = len(TAG.CODE, 4, CODE_MAX_LENGTH);
  if (consent && consent[0] !== 0 && !code) bad('consent by payment code needs the code in the same block');
  // Same order of writes as install() (ledger.ts).
  const writes: (() => void)[] = [];
  if (cardId) writes.push(() => t.cardId.set(cardId));
  if (cur) writes.push(() => t.currency.set(readU16(cur, 0)));
  if (limit) writes.push(() => t.limit.set(readU32(limit, 0)));
  if (balance) writes.push(() => t.value.set(t.mode === 'prepaid' ? readU32(balance, 0) : 0));
  const [editor, issuer, server] = keys;
  if (editor) writes.push(() => t.editorKey.set(editor));
  if (issuer) writes.push(() => t.issuerKey.set(issuer));
  if (server) writes.push(() => t.serverKey.set(server));
  if (consent) writes.push(() => (t.consentMode.set(consent[0]!), t.threshold.set(readU32(consent, 1))));
  if (code) writes.push(() => t.code.update(code.slice()));
  let seen = 0;
  MANDATORY.forEach((tag, i) => {
    if (rec.has(tag)) seen |= 1 << i;
  });
  return { writes, seen };
}
