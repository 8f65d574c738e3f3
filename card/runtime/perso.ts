/**
 * Personalization helpers shared by applets (GlobalPlatform-style STORE DATA, cardforge's
 * PERSO_STORE_DATA): the strict record parser, the "factory" install argument of a blank applet,
 * and the gate that answers 6985 to every other command until the applet is personalized.
 * They live in the runtime because applets may not import each other.
 */
import { SW } from '../../apdu-specs/status-words.js';
import { PERSO_P1, PERSO_STORE_DATA } from '../../apdu-specs/personalization.js';
import { CardError } from './errors.js';
import { CommandTable, type AppletContext, type Handler, type Reply } from './applet.js';
import type { CommandSpec } from '../../apdu-specs/types.js';
import type { CommandApdu } from './apdu.js';
import type { PBool } from './store.js';
import { readTlvAt, TlvSyntaxError, type TlvItem } from './tlv.js';

/**
 * PERSO_STORE_DATA records: strict BER-TLV (tlv.ts) of one-byte tags and short lengths, no repeated
 * tag; any defect is 6A80.
 */
export function parsePersoTlv(data: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let o = 0;
  while (o < data.length) {
    let r: { item: TlvItem; next: number };
    try {
      r = readTlvAt(data, o, PERSO_TLV);
    } catch (e) {
      if (e instanceof TlvSyntaxError) throw new CardError(SW.WRONG_DATA, `TLV at offset ${e.problem.start}: ${e.problem.kind}`);
      throw e;
    }
    const tag = r.item.tag;
    if (out.has(tag)) throw new CardError(SW.WRONG_DATA, `TLV ${tag.toString(16)} repeated`);
    out.set(tag, r.item.value);
    o = r.next;
  }
  return out;
}

const PERSO_TLV = { oneByteTags: true, shortLengths: true } as const;

/** The install() argument of a blank applet: exactly `{ factory: … }`. */
export function isFactoryInstall(p: unknown): p is { factory: unknown } {
  return typeof p === 'object' && p !== null && Object.keys(p).length === 1 && 'factory' in p;
}

/**
 * The command table of an applet gated by its blank state: PERSO_STORE_DATA is added, and every
 * other command answers 6985 while blank — the table's guard, which the dispatcher runs after the
 * class, INS and length checks and before the P1-P2 check, so a blank applet answers 6985 whatever
 * P1-P2 and the declarations may be checked by the dispatcher. Both callbacks are read at dispatch
 * (tables are built before the persistent handles exist).
 */
export function personalizedTable(
  specs: readonly CommandSpec[],
  isBlank: () => boolean,
  storeData: Handler,
  handlers: { readonly [name: string]: Handler },
): CommandTable {
  return new CommandTable(specs, { ...handlers, PERSO_STORE_DATA: storeData }, {
    guard: (spec) => {
      if (spec.name !== PERSO_STORE_DATA.name && isBlank()) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'not personalized');
    },
  });
}


export interface PersoBlockCheck {
  /** Every record checked before the first write: the writes to make and the mandatory records present (bit mask). */
  readonly writes: readonly (() => void)[];
  readonly seen: number;
}

/**
 * The block sequence of an applet's PERSO_STORE_DATA: a persistent blank flag, blocks numbered
 * from 0 in P2 and sent in order in one session (RAM), P1 = last block or not, an authorisation
 * the caller checks (e.g. ADM1 verified in this session), each block checked whole and written in
 * ONE transaction, the last block completing the applet (keys generated, blank flag cleared) in
 * that same transaction. A tear therefore leaves the applet as before or as after each block.
 */
export interface PersoRules {
  /**
   * The issuer's authorisation in this session, the applet's own predicate (the payment and ledger
   * applets read the SIM-owned session fact ADM1_VERIFIED): the runtime knows no PIN or fact.
   */
  authorised(): boolean;
  /** Every record checked before the first write: the writes and the mandatory records present. */
  check(records: Map<number, Uint8Array>): PersoBlockCheck;
  /** Number of mandatory records (bits of `seen`) the last block must have completed. */
  readonly mandatory: number;
  /** What to tell the host when a mandatory record is missing at the last block. */
  readonly missing: string;
  /** Last block, inside its transaction: finish the applet (e.g. generate its key pair). */
  complete(): void;
}

export class PersoBlocks {
  private readonly blankFlag: PBool;
  /** RAM: [0] next block, [1] 1 once block 0 was accepted, [2] mandatory records seen so far. */
  private readonly seq: Uint8Array;

  constructor(private readonly ctx: AppletContext, private readonly rules: PersoRules) {
    this.blankFlag = ctx.persistent.bool('perso.blank');
    this.seq = ctx.transient.bytes('perso.seq', 3, 'deselect');
  }

  get blank(): boolean {
    return this.blankFlag.get();
  }

  /** install({ factory }): the applet starts blank. */
  factory(): void {
    this.blankFlag.set(true);
  }

  /** The PERSO_STORE_DATA handler. */
  storeData(apdu: CommandApdu): Reply {
    const rules = this.rules;
    // P1 is 10 or 90: the dispatcher refused any other (PERSO_STORE_DATA's declaration).
    const last = apdu.p1 === PERSO_P1.LAST_BLOCK;
    if (!this.blank) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'already personalized');
    if (!rules.authorised()) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, 'personalization not authorised (VERIFY ADM1 first)');
    const expected = this.seq[1] === 1 ? this.seq[0]! : 0;
    if (apdu.p2 !== expected) throw new CardError(SW.INCORRECT_P1P2, `block ${apdu.p2}, expected ${expected}`);
    const { writes, seen } = rules.check(parsePersoTlv(apdu.data));
    const all = (apdu.p2 === 0 ? 0 : this.seq[2]!) | seen;
    if (last && all !== (1 << rules.mandatory) - 1) throw new CardError(SW.WRONG_DATA, rules.missing);
    this.ctx.beginTransaction();
    for (const w of writes) w();
    if (last) {
      rules.complete();
      this.blankFlag.set(false);
    }
    this.ctx.commitTransaction();
    this.seq[0] = (apdu.p2 + 1) & 0xff;
    this.seq[1] = 1;
    this.seq[2] = all;
    return {};
  }
}
