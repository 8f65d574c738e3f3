/**
 * Personalization of the payment applet over APDUs (issue 8): PERSO_STORE_DATA (block coding
 * apdu-specs/personalization.ts, records PAYMENT_PERSO_TAGS in apdu-specs/payment.ts).
 * - Blank state: install({ factory: {} }) allocates the layout (params) and sets the persistent
 *   "blank" flag; nothing else — no codes, no keys. While blank every other command answers 6985.
 * - Authorisation: the SIM/USIM applet's ADM1 verified in this session (session fact
 *   ADM1_VERIFIED, apdu-specs/session-facts.ts), 6982 otherwise. Applets never import each other,
 *   so the SIM states the fact through the runtime and this applet reads it; the bureau that holds
 *   ADM1 is the issuer's bureau. A card without the SIM applet is personalized offline only.
 * - Blocks in order from 00 (P2), each checked whole before the first write and applied in ONE
 *   transaction; the last block (P1 90) also generates the card's P-256 key pair from the card's
 *   RNG and clears "blank" in the same transaction: a tear leaves the applet blank-or-complete.
 *   Mandatory records (card id, codes, issuer key) must have come in this run; refused (6985)
 *   once personalized.
 * The writes are the same runtime calls as install() (payment.ts personalize()), and the flag is
 * false on the offline path without a write, so both paths give the same persistent memory.
 */
import { PERSO_P1 } from '../../../apdu-specs/personalization.js';
import { PAYMENT_PERSO_TAGS as TAG } from '../../../apdu-specs/payment.js';
import { SESSION_FACTS } from '../../../apdu-specs/session-facts.js';
import { SW } from '../../../apdu-specs/status-words.js';
import { CardError, type AppletContext, type CommandApdu, type Handler, type OwnerPin, type PBool, type PBytes, type PU32, type PVarBytes, type Reply } from '../../runtime/index.js';
import { isValidPublicKey } from '../../algorithms/p256.js';
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
  /** On-card key generation (payment.ts install()). */
  generateKeys(): void;
}

/** install() argument of the blank state: exactly { factory: {} }. */
export function isPaymentFactory(p: unknown): boolean {
  return typeof p === 'object' && p !== null && Object.keys(p).length === 1 && 'factory' in p;
}

/** Strict BER-TLV (one-byte tags, short lengths, no repeats); 6A80 on any defect. */
export function parsePersoTlv(data: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let o = 0;
  while (o < data.length) {
    if (o + 2 > data.length) throw new CardError(SW.WRONG_DATA, 'truncated TLV');
    const tag = data[o]!;
    const len = data[o + 1]!;
    if (len > 0x7f || o + 2 + len > data.length) throw new CardError(SW.WRONG_DATA, `TLV ${tag.toString(16)} length`);
    if (out.has(tag)) throw new CardError(SW.WRONG_DATA, `TLV ${tag.toString(16)} repeated`);
    out.set(tag, data.subarray(o + 2, o + 2 + len));
    o += 2 + len;
  }
  return out;
}

/**
 * The applet's handlers gated by the blank state: each answers 6985 while blank, and
 * PERSO_STORE_DATA is added. `perso` is read at dispatch (the table is built before the handles).
 */
export function untilPersonalized(perso: () => PaymentStoreData, handlers: { readonly [name: string]: Handler }): { [name: string]: Handler } {
  const out: { [name: string]: Handler } = {};
  for (const [name, h] of Object.entries(handlers)) {
    out[name] = (a) => {
      if (perso().blank) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'not personalized');
      return h(a);
    };
  }
  out.PERSO_STORE_DATA = (a) => perso().storeData(a);
  return out;
}

const u32 = (v: Uint8Array): number => ((v[0]! << 24) >>> 0) + (v[1]! << 16) + (v[2]! << 8) + v[3]!;
const MANDATORY = [TAG.CARD_ID, TAG.PAYMENT_CODE, TAG.UNBLOCK_CODE, TAG.ISSUER_PUBLIC_KEY] as const;

export class PaymentStoreData {
  private readonly blankFlag: PBool;
  /** RAM: [0] next block, [1] 1 once block 0 was accepted, [2] mandatory records seen (bit i = MANDATORY[i]). */
  private readonly seq: Uint8Array;

  constructor(private readonly ctx: AppletContext, private readonly t: PaymentPersoTarget) {
    this.blankFlag = ctx.persistent.bool('perso.blank');
    this.seq = ctx.transient.bytes('perso.seq', 3, 'deselect');
  }

  get blank(): boolean {
    return this.blankFlag.get();
  }

  factory(): void {
    this.blankFlag.set(true);
  }

  storeData(apdu: CommandApdu): Reply {
    const last = apdu.p1 === PERSO_P1.LAST_BLOCK;
    if (!last && apdu.p1 !== PERSO_P1.MORE_BLOCKS) throw new CardError(SW.INCORRECT_P1P2);
    if (!this.blank) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'already personalized');
    if (this.ctx.session.get(SESSION_FACTS.ADM1_VERIFIED) !== '1') throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, 'VERIFY ADM1 (SIM applet) first');
    const expected = this.seq[1] === 1 ? this.seq[0]! : 0;
    if (apdu.p2 !== expected) throw new CardError(SW.INCORRECT_P1P2, `block ${apdu.p2}, expected ${expected}`);
    const rec = parsePersoTlv(apdu.data);
    const { writes, seen } = this.check(rec);
    const had = apdu.p2 === 0 ? 0 : this.seq[2]!;
    const all = had | seen;
    if (last && all !== (1 << MANDATORY.length) - 1) throw new CardError(SW.WRONG_DATA, 'card id, codes and issuer key are mandatory');
    this.ctx.beginTransaction();
    for (const w of writes) w();
    if (last) {
      this.t.generateKeys();
      this.blankFlag.set(false);
    }
    this.ctx.commitTransaction();
    this.seq[0] = (apdu.p2 + 1) & 0xff;
    this.seq[1] = 1;
    this.seq[2] = all;
    return {};
  }

  /** Every record checked before the first write; returns the writes and the mandatory ones present. */
  private check(rec: Map<number, Uint8Array>): { writes: (() => void)[]; seen: number } {
    const t = this.t;
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
    let seen = 0;
    MANDATORY.forEach((tag, i) => {
      if (rec.has(tag)) seen |= 1 << i;
    });
    return { writes, seen };
  }
}
