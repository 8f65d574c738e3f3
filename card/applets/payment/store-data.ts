/**
 * Personalization of the payment applet over APDUs (issue 8, through the ISD since issue 21):
 * STORE DATA forwarded by the Issuer Security Domain (processData; DGI coding
 * apdu-specs/personalization.ts PERSO_DGI, records PAYMENT_PERSO_TAGS in apdu-specs/payment.ts).
 * - Blank state: install({ factory: {} }) allocates the layout (params) and sets the persistent
 *   "blank" flag; nothing else — no codes, no keys. While blank every other command answers 6985.
 * - Authorisation: the ISD's secure channel (INSTALL [for personalization] + STORE DATA with at
 *   least C-MAC); codes, credentials and symmetric keys (isPaymentPersoSecretTag) only in DGIs
 *   encrypted with the DEK. The applet's own PERSO_STORE_DATA answers 6982.
 * - Blocks in order from 00 (P2), each checked whole before the first write and applied in ONE
 *   transaction; the last block (P1 90) also generates the card's P-256 key pair from the card's
 *   RNG and clears "blank" in the same transaction: a tear leaves the applet blank-or-complete.
 *   Mandatory records (card id, codes, issuer key) must have come in this run; refused (6985)
 *   once personalized.
 * The writes are the same runtime calls as install() (payment.ts personalize()), and the flag is
 * false on the offline path without a write, so both paths give the same persistent memory.
 */
import { isPaymentPersoSecretTag, PAYMENT_PERSO_TAGS as TAG } from '../../../apdu-specs/payment.js';
import { SW } from '../../../apdu-specs/status-words.js';
import type { CommandSpec } from '../../../apdu-specs/types.js';
import { CardError, PersoBlocks, isFactoryInstall, personalizedTable, type CommandTable, type AppletContext, type Handler, type OwnerPin, type PBool, type PBytes, type PU32, type PVarBytes } from '../../runtime/index.js';
import { isValidPublicKey } from '../../algorithms/p256.js';
import { CARD_NUMBER_DIGITS } from '../../protocol/payment.js';
import { CARD_ID_LENGTH, CREDENTIAL_MAX_LENGTH, ID_MAX_LENGTH, PAYMENT_CODE_LENGTH, UNBLOCK_CODE_LENGTH } from './types.js';

/** The applet's persistent handles the personalization writes (the same ones install() writes). */
export interface PaymentPersoTarget {
  readonly cardId: PVarBytes;
  readonly paymentCode: OwnerPin;
  readonly unblockCode: OwnerPin;
  readonly macKey: PBytes;
  readonly macKeySet: PBool;
  readonly issuerKey: PBytes;
  readonly authKey: PBytes;
  readonly authKeySet: PBool;
  readonly userIds: readonly PVarBytes[];
  readonly credentials: readonly OwnerPin[];
  readonly deviceId: PVarBytes;
  readonly tokenLifetime: PU32;
  readonly requireId: PBool;
  readonly counter: PU32;
  readonly cardNumber: PVarBytes;
  readonly numberKey: PBytes;
  /** On-card key generation (payment.ts install()). */
  generateKeys(): void;
}

/** install() argument of the blank state: exactly { factory: {} }. */
export function isPaymentFactory(p: unknown): boolean {
  return isFactoryInstall(p);
}

/** The table of `specs` gated by the blank state (6985 while blank), plus PERSO_STORE_DATA; `perso` read at dispatch. */
export function paymentTable(specs: readonly CommandSpec[], perso: () => PaymentStoreData, handlers: { readonly [name: string]: Handler }): CommandTable {
  return personalizedTable(specs, () => perso().blank, (a) => perso().storeData(a), handlers);
}

const u32 = (v: Uint8Array): number => ((v[0]! << 24) >>> 0) + (v[1]! << 16) + (v[2]! << 8) + v[3]!;
const MANDATORY = [TAG.CARD_ID, TAG.PAYMENT_CODE, TAG.UNBLOCK_CODE, TAG.ISSUER_PUBLIC_KEY] as const;

/** PERSO_STORE_DATA of the payment applet: the shared block sequence with this applet's records. */
export class PaymentStoreData extends PersoBlocks {
  constructor(ctx: AppletContext, t: PaymentPersoTarget) {
    super(ctx, { secret: isPaymentPersoSecretTag, check: (rec) => checkPaymentRecords(t, rec), mandatory: MANDATORY.length, missing: 'card id, codes and issuer key are mandatory', complete: () => t.generateKeys() });
  }
}
function checkPaymentRecords(t: PaymentPersoTarget, rec: Map<number, Uint8Array>): { writes: (() => void)[]; seen: number } {
  const writes: (() => void)[] = [];
  const bad = (what: string): never => {
    throw new CardError(SW.WRONG_DATA, what);
  };
  const len = (tag: number, min: number, max: number): Uint8Array | undefined => {
    const v = rec.get(tag);
    if (v !== undefined && (v.length < min || v.length > max)) bad(`tag ${tag.toString(16)}: ${min}..${max} bytes expected`);
    return v;
  };
  const key = (tag: number): Uint8Array | undefined => {
    const v = len(tag, 65, 65);
    if (v !== undefined && !isValidPublicKey(v)) bad(`tag ${tag.toString(16)}: not a P-256 public key`);
    return v;
  };
  for (const tag of rec.keys()) {
    const user = (tag & 0xf0) === TAG.USER_BASE;
    if (!user && !Object.values<number>(TAG).includes(tag)) bad(`unknown tag ${tag.toString(16)}`);
    if (user && (tag & 0x0f) >= t.credentials.length) throw new CardError(SW.NOT_ENOUGH_MEMORY, 'user slot beyond params.maxUsers');
  }
  const cardId = len(TAG.CARD_ID, CARD_ID_LENGTH.min, CARD_ID_LENGTH.max);
  const code = len(TAG.PAYMENT_CODE, PAYMENT_CODE_LENGTH.min, PAYMENT_CODE_LENGTH.max);
  const unblock = len(TAG.UNBLOCK_CODE, UNBLOCK_CODE_LENGTH, UNBLOCK_CODE_LENGTH);
  const mac = len(TAG.MAC_KEY, 16, 16);
  const issuer = key(TAG.ISSUER_PUBLIC_KEY);
  const auth = key(TAG.AUTH_SERVER_PUBLIC_KEY);
  const device = len(TAG.DEVICE_ID, 1, ID_MAX_LENGTH);
  const life = len(TAG.TOKEN_LIFETIME, 4, 4);
  if (life && (u32(life) < 1 || u32(life) > 86400 * 31)) bad('token lifetime 1..2678400 s');
  const req = len(TAG.REQUIRE_IDENTIFICATION, 1, 1);
  if (req && req[0]! > 1) bad('identification flag 00/01');
  const counter = len(TAG.INITIAL_COUNTER, 4, 4);
  const number = len(TAG.CARD_NUMBER, CARD_NUMBER_DIGITS.min, CARD_NUMBER_DIGITS.max);
  const numberKey = len(TAG.CARD_NUMBER_KEY, 16, 16);
  if ((number === undefined) !== (numberKey === undefined)) bad('card number and its key go together');
  if (number && number.some((d) => d < 0x30 || d > 0x39)) bad('card number: ASCII digits');
  // Same order of writes as install() (payment.ts personalize()).
  if (cardId) writes.push(() => t.cardId.set(cardId));
  if (code) writes.push(() => t.paymentCode.update(code.slice()));
  if (unblock) writes.push(() => t.unblockCode.update(unblock.slice()));
  if (mac) writes.push(() => (t.macKey.set(mac), t.macKeySet.set(true)));
  if (issuer) writes.push(() => t.issuerKey.set(issuer));
  if (auth) writes.push(() => (t.authKey.set(auth), t.authKeySet.set(true)));
  for (const [tag, v] of rec) {
    if ((tag & 0xf0) !== TAG.USER_BASE) continue;
    const idLen = v[0] ?? 0;
    const id = v.subarray(1, 1 + idLen);
    const cred = v.subarray(1 + idLen);
    if (idLen < 1 || idLen > ID_MAX_LENGTH || id.length !== idLen || cred.length < 1 || cred.length > CREDENTIAL_MAX_LENGTH) bad(`user ${tag & 0x0f}: len ‖ id (1..32) ‖ credential (1..16)`);
    const slot = tag & 0x0f;
    writes.push(() => (t.userIds[slot]!.set(id), t.credentials[slot]!.update(cred.slice())));
  }
  if (device) writes.push(() => t.deviceId.set(device));
  if (life) writes.push(() => t.tokenLifetime.set(u32(life)));
  if (req) writes.push(() => t.requireId.set(req[0] === 1));
  if (counter) writes.push(() => t.counter.set(u32(counter)));
  if (number && numberKey) writes.push(() => (t.numberKey.set(numberKey), t.cardNumber.set(number)));
  let seen = 0;
  MANDATORY.forEach((tag, i) => {
    if (rec.has(tag)) seen |= 1 << i;
  });
  return { writes, seen };
}
