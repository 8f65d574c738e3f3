/**
 * ARA-M, the Access Rule Application Master of GlobalPlatform "Secure Element Access Control"
 * (GPD_SPE_013 v1.0/v1.1): the applet a phone's Access Control Enforcer (Android's telephony
 * carrier-privilege reader and its SecureElement service) selects on a logical channel to read
 * which device applications may talk to which card applets. Commands: apdu-specs/aram.ts; data
 * objects: protocol.ts.
 *
 * What the answers follow, where GPD_SPE_013's text was not at hand:
 * - SELECT answers 9000 without data: the sysmoISIM-SJA2's ARA-M in a phone session
 *   (fixtures/real-cards/sysmoisim-sja2-gsmtap.pcapng, `02 A4 04 00 09 A0..4C 00` → 9000).
 * - No rules: GET DATA [All] answers FF40 00 with 9000. Android telephony's
 *   UiccCarrierPrivilegeRules accepts only 9000 with an FF40 payload (6A88 there is "Invalid
 *   response", rules in error); Android's SecureElement AccessRuleApplet accepts both FF40 00 and
 *   6A88; Android's own emulated ARA-M (libminradio AraM.cpp) and bertrandmartel/aram-applet
 *   return FF40 00; pySim's export of the real card (`aram_delete_all` and no rule after its
 *   GET DATA, which pySim requires to end 9000) shows the real card answered 9000 and no rule.
 * - 6A88 when GET DATA [Specific] finds no rule or GET DATA [Next] has nothing left, 6A86 for an
 *   unknown P1P2 (bertrandmartel/aram-applet); status word meanings as pySim's sw_aram table
 *   (SEAC v1.1 §4.1.2.2, §5.1.2.2): 6A80 bad data, 6A84 no room / rules changed under a paged
 *   read, 6A89 a rule with the same REF-DO exists, 6981 a command DO this ARA-M does not support.
 *
 * State: the rules (REF-AR-DOs back to back, as stored) in a bounded persistent cell with their
 * length, and an update counter; every accepted STORE DATA writes them in one transaction (a tear
 * leaves the old rules or the new ones). The refresh tag is derived, not stored: the first 8 bytes
 * of SHA-256(label ‖ counter ‖ rules) — it changes on every update (the counter), is the same after
 * an image round trip, and differs between two cards with different rules at the same count (an
 * Enforcer that caches by tag alone would otherwise keep a swapped card's rules).
 *
 * Limits: 1024 bytes of rules (ARAM_RULES_CAPACITY; ~10 Android carrier-privilege rules). One
 * STORE DATA carries what fits a short APDU (255 bytes); the Block-DO (E7) chaining of v1.1 is not
 * implemented. GET DATA [All] returns the first Ne bytes and GET DATA [Next] the rest, paged per
 * logical channel in RAM. GET DATA [Config] (DF21, v1.1) is not implemented (6A86), as on the real
 * card's v1.0 applet. STORE DATA is not gated: GP routes it through the issuer security domain's
 * secure channel, which cardforge does not model; the real card's applet (sysmocom's fork of
 * bertrandmartel/aram-applet, per pySim's `aram_lock`) accepts it until locked.
 */
import { ARAM_COMMANDS, ARAM_GET_DATA, ARAM_TAGS } from '../../../apdu-specs/aram.js';
import { SW } from '../../../apdu-specs/status-words.js';
import { sha256 } from '../../algorithms/sha256.js';
import { concat, equalBytes, readU16, readU32, u32, writeU16, writeU32 } from '../../runtime/bytes.js';
import { Applet, CardError, CommandTable, MAX_CHANNELS, type AppletContext, type AppletParams, type CommandApdu, type PBytes, type PU32, type Reply } from '../../runtime/index.js';
import { AramFormatError, duplicateRefDo, parseRefDo, parseRules, parseStoreCommand, readTlv, tlv, type RefArDo } from './protocol.js';

/** Bytes of REF-AR-DOs the applet keeps. */
export const ARAM_RULES_CAPACITY = 1024;
const HEADER = 2; // u16 length of the stored rules
const LABEL = new TextEncoder().encode('cardforge ARA-M refresh tag');
// RAM, per logical channel: [0] 1 while a GET DATA [All] is being paged, [1..3) the offset of the
// next part, [3..7) the update counter the paging started at.
const SLOT = 7;

export interface AramPersonalization {
  /** Initial rules: REF-AR-DOs back to back (the value of a Response-ALL-REF-AR-DO). */
  readonly rules?: Uint8Array;
}

export class AramApplet extends Applet {
  static readonly type = 'cardforge.aram';
  // Phones open the ARA-M on a channel of their own, beside whatever else is open.
  override readonly multiSelectable = true;
  private readonly rules: PBytes;
  private readonly updates: PU32;
  private readonly paging: Uint8Array;

  readonly commands = new CommandTable(ARAM_COMMANDS, {
    GET_DATA: (apdu) => this.getData(apdu),
    STORE_DATA: (apdu) => this.storeData(apdu),
  });

  constructor(ctx: AppletContext, params: AppletParams = {}) {
    super(ctx, params);
    this.rules = ctx.persistent.bytes('rules', HEADER + ARAM_RULES_CAPACITY);
    this.updates = ctx.persistent.u32('updates');
    this.paging = ctx.transient.bytes('paging', MAX_CHANNELS * SLOT);
  }

  override install(personalization: unknown): void {
    if (typeof personalization !== 'object' || personalization === null) throw new TypeError(`"personalization" expected an object, got ${personalization === null ? 'null' : typeof personalization}`);
    const rules = (personalization as { rules?: unknown }).rules;
    if (rules === undefined) return;
    if (!(rules instanceof Uint8Array)) throw new TypeError(`"rules" expected Uint8Array, got ${typeof rules}`);
    let list: RefArDo[];
    try {
      list = parseRules(rules);
    } catch (e) {
      if (e instanceof AramFormatError) throw new RangeError(`"rules" ${e.message}`);
      throw e;
    }
    if (duplicateRefDo(list) >= 0) throw new RangeError(`"rules" rule ${duplicateRefDo(list)} repeats the REF-DO of an earlier rule`);
    if (rules.length > ARAM_RULES_CAPACITY) throw new RangeError(`"rules" expected at most ${ARAM_RULES_CAPACITY} bytes, got ${rules.length}`);
    this.rules.set(this.cell(rules));
  }

  override select(): Reply | void {
    this.endPaging();
  }

  override deselect(): void {
    this.endPaging();
  }

  /** The stored rules (a view). */
  private stored(): Uint8Array {
    const cell = this.rules.view();
    const n = readU16(cell, 0);
    // Only STORE DATA and install() write the cell, both bounded: a longer length is a corrupt image.
    if (n > ARAM_RULES_CAPACITY) throw new CardError(SW.MEMORY_FAILURE, `stored rules claim ${n} bytes`);
    return cell.subarray(HEADER, HEADER + n);
  }

  /** The whole cell for `rules`: length, rules, zeros (deleted rules do not linger in the image). */
  private cell(rules: Uint8Array): Uint8Array {
    const out = new Uint8Array(HEADER + ARAM_RULES_CAPACITY);
    writeU16(out, 0, rules.length);
    out.set(rules, HEADER);
    return out;
  }

  private refreshTag(): Uint8Array {
    return sha256(concat(LABEL, u32(this.updates.get()), this.stored())).slice(0, 8);
  }

  // ---- GET DATA (SEAC §4.1.2) ----

  private getData(apdu: CommandApdu): Reply {
    const p1p2 = (apdu.p1 << 8) | apdu.p2;
    if (p1p2 === ARAM_GET_DATA.SPECIFIC) return this.getSpecific(apdu);
    if (apdu.data.length !== 0) throw new CardError(SW.WRONG_LENGTH, 'this GET DATA takes no data');
    if (p1p2 === ARAM_GET_DATA.REFRESH_TAG) return { data: tlv(ARAM_TAGS.RESPONSE_REFRESH_TAG_DO, this.refreshTag()) };
    const ne = apdu.ne === 0 ? 256 : apdu.ne;
    const all = tlv(ARAM_TAGS.RESPONSE_ALL_REF_AR_DO, this.stored());
    let from = 0;
    if (p1p2 === ARAM_GET_DATA.NEXT) {
      const slot = this.slot();
      if (slot[0] !== 1) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no GET DATA [All] is being paged on this channel');
      if (readU32(slot, 3) !== this.updates.get()) {
        this.endPaging();
        throw new CardError(SW.NOT_ENOUGH_MEMORY, 'the rules changed since GET DATA [All]: read them again');
      }
      from = readU16(slot, 1);
    }
    const to = Math.min(all.length, from + ne);
    // T=0 moves exactly P3 bytes: a part shorter than Ne is answered 6Cxx by the runtime and asked
    // for again with the exact length, so the paging must not move on until then.
    if (this.ctx.protocol() === 'T=0' && to - from < ne) return { data: all.slice(from, to) };
    if (to < all.length) {
      const slot = this.slot();
      slot[0] = 1;
      writeU16(slot, 1, to);
      writeU32(slot, 3, this.updates.get());
    } else this.endPaging();
    return { data: all.slice(from, to) };
  }

  private getSpecific(apdu: CommandApdu): Reply {
    if (apdu.data.length === 0) throw new CardError(SW.WRONG_LENGTH, 'GET DATA [Specific] needs a REF-DO');
    let refDo: Uint8Array;
    try {
      const [t, end] = readTlv(apdu.data, 0, 'GET DATA [Specific]');
      if (end !== apdu.data.length) throw new AramFormatError(`GET DATA [Specific]: ${apdu.data.length - end} bytes after the REF-DO`);
      parseRefDo(t, 'GET DATA [Specific]');
      refDo = t.raw;
    } catch (e) {
      if (e instanceof AramFormatError) throw new CardError(SW.WRONG_DATA, e.message);
      throw e;
    }
    const rule = parseRules(this.stored()).find((r) => equalBytes(r.refDo, refDo));
    if (!rule) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no rule for this REF-DO');
    return { data: tlv(ARAM_TAGS.RESPONSE_AR_DO, rule.arDo) };
  }

  private slot(): Uint8Array {
    const ch = this.ctx.channel();
    return this.paging.subarray(ch * SLOT, (ch + 1) * SLOT);
  }

  private endPaging(): void {
    this.slot().fill(0);
  }

  // ---- STORE DATA (SEAC §5.1) ----

  private storeData(apdu: CommandApdu): Reply {
    let cmd;
    try {
      cmd = parseStoreCommand(apdu.data);
    } catch (e) {
      if (e instanceof AramFormatError) throw new CardError(SW.WRONG_DATA, e.message);
      throw e;
    }
    const current = this.stored();
    const list = parseRules(current);
    let next: Uint8Array;
    switch (cmd.kind) {
      case 'unsupported':
        throw new CardError(SW.COMMAND_INCOMPATIBLE_WITH_FILE, `command DO '${cmd.tag.toString(16)}' is not supported by this ARA-M`);
      case 'store': {
        if (duplicateRefDo([...list, ...cmd.rules]) >= 0) throw new CardError(SW.FILE_EXISTS, 'a rule with this REF-DO exists');
        next = concat(current, ...cmd.rules.map((r) => r.raw));
        if (next.length > ARAM_RULES_CAPACITY) throw new CardError(SW.NOT_ENOUGH_MEMORY, `the rules would take ${next.length} of ${ARAM_RULES_CAPACITY} bytes`);
        break;
      }
      case 'delete-all':
        next = new Uint8Array(0);
        break;
      case 'update-refresh-tag':
        next = current;
        break;
      default: {
        const hit = (r: RefArDo): boolean =>
          cmd.kind === 'delete-aid' ? r.aidRef !== null && equalBytes(r.aidRef, cmd.aidRef) : cmd.kind === 'delete-ref' ? equalBytes(r.refDo, cmd.refDo) : equalBytes(r.raw, cmd.rule);
        const kept = list.filter((r) => !hit(r));
        if (kept.length === list.length) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no rule matches');
        next = concat(...kept.map((r) => r.raw));
      }
    }
    this.ctx.beginTransaction();
    if (!equalBytes(next, current)) this.rules.set(this.cell(next));
    this.updates.set((this.updates.get() + 1) % 0x1_0000_0000);
    this.ctx.commitTransaction();
    return {};
  }
}
