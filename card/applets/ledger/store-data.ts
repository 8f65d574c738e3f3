/**
 * Personalization of the ledger applet over APDUs (issue 8): PERSO_STORE_DATA (block coding
 * apdu-specs/personalization.ts, records LEDGER_PERSO_TAGS in apdu-specs/ledger.ts).
 * - Blank state: install({ factory: {} }) allocates the layout (params: mode, log, tickets, replay
 *   window) and sets the persistent "blank" flag, nothing else. While blank every other command
 *   answers 6985.
 * - Authorisation: the SIM/USIM applet's ADM1 verified in this session (session fact
 *   ADM1_VERIFIED), 6982 otherwise — the same gate as the payment applet (payment/store-data.ts).
 * - Blocks in order from 00, each checked whole and applied in ONE transaction; the last block
 *   also generates the card's P-256 key pair (FIPS 186-5 A.2.1, from the card's RNG) and clears
 *   "blank" in the same transaction. Mandatory over the run: card id, currency, limit, the three
 *   public keys; refused (6985) once personalized.
 * Values are written with the same runtime calls as install() (ledger.ts), so the APDU path and
 * the offline path give the same persistent memory (test/profile/apdu-seeds.test.ts).
 */
import { PERSO_P1 } from '../../../apdu-specs/personalization.js';
import { LEDGER_PERSO_TAGS as TAG } from '../../../apdu-specs/ledger.js';
import { SESSION_FACTS } from '../../../apdu-specs/session-facts.js';
import { SW } from '../../../apdu-specs/status-words.js';
import { CardError, readU16, readU32, type AppletContext, type CommandApdu, type Handler, type OwnerPin, type PBool, type PBytes, type PU16, type PU32, type PU8, type Reply } from '../../runtime/index.js';
import { isValidPublicKey } from '../../algorithms/p256.js';
import { CARD_ID_LENGTH, CODE_MAX_LENGTH, type LedgerMode } from './types.js';

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
  return typeof p === 'object' && p !== null && Object.keys(p).length === 1 && 'factory' in p;
}

function parseTlv(data: Uint8Array): Map<number, Uint8Array> {
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

/** Handlers gated by the blank state (6985 while blank), plus PERSO_STORE_DATA; `perso` read at dispatch. */
export function untilLedgerPersonalized(perso: () => LedgerStoreData, handlers: { readonly [name: string]: Handler }): { [name: string]: Handler } {
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

const MANDATORY = [TAG.CARD_ID, TAG.CURRENCY, TAG.LIMIT, TAG.EDITOR_ROOT_KEY, TAG.ISSUER_KEY, TAG.SERVER_KEY] as const;

export class LedgerStoreData {
  private readonly blankFlag: PBool;
  /** RAM: [0] next block, [1] 1 once block 0 was accepted, [2] mandatory records seen. */
  private readonly seq: Uint8Array;

  constructor(private readonly ctx: AppletContext, private readonly t: LedgerPersoTarget) {
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
    const { writes, seen } = this.check(parseTlv(apdu.data));
    const all = (apdu.p2 === 0 ? 0 : this.seq[2]!) | seen;
    if (last && all !== (1 << MANDATORY.length) - 1) throw new CardError(SW.WRONG_DATA, 'card id, currency, limit and the three keys are mandatory');
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

  private check(rec: Map<number, Uint8Array>): { writes: (() => void)[]; seen: number } {
    const t = this.t;
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
}
