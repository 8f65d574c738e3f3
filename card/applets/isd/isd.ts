/**
 * The Issuer Security Domain (GlobalPlatform Card Specification v2.3.1; SCP03: Amendment D), issue
 * 21: the applet card-management tools (GlobalPlatformPro, pySim-shell) select under
 * A000000151000000. Commands: apdu-specs/globalplatform.ts (one declaration per command drives
 * dispatch, decoding and docs). Data objects: data.ts; keys: keys.ts; secure channel: channel.ts.
 *
 * Choices where GP leaves them to the card:
 * - Static keys of a new ISD: the well-known test keys 404142…4F for ENC (id 1), MAC (id 2) and DEK
 *   (id 3), twice: an AES-128 set at key version 30 (SCP03; 30..3F is the range pySim-shell's
 *   establish_scp03 accepts) stored first, so INITIALIZE UPDATE with P1 = 00 ("first available")
 *   opens SCP03, and a DES set at key version 20 (SCP02; GPC_GUI_010 reserves 20..2F for SCP02).
 * - Authentication retry limit: AUTH_TRIES (10). GP makes it card-specific; 10 consecutive wrong
 *   host cryptograms (or wrong EXTERNAL AUTHENTICATE C-MACs) is what JCOP-style test cards are
 *   commonly reported to allow, enough for a developer's mistakes and few enough for a guessing
 *   attacker. The counter is persistent, decremented before the check (a tear cannot give a free
 *   try) and reset by a successful EXTERNAL AUTHENTICATE; at 0 INITIALIZE UPDATE answers 6983.
 * - SCP02 sequence counter: incremented after each successful EXTERNAL AUTHENTICATE (§E.4.1).
 *   SCP03 card challenge counter: incremented by each INITIALIZE UPDATE before it is used.
 * - Content management (GET STATUS, SET STATUS, PUT KEY, STORE DATA, DELETE, INSTALL, LOAD) needs an
 *   authenticated session (6982 otherwise); GET DATA does not (tools read CPLC and card data first).
 * - Applications and load files (GET STATUS 40/20/10, SET STATUS 40, INSTALL [for install] and
 *   [for make selectable], [for personalization] with the STORE DATA it routes to the application
 *   (CardManager.processData), DELETE of an instance) go through the runtime's CardManager capability,
 *   which the runtime hands only to an instance installed with the Security Domain and Authorized
 *   Management privileges (installIsd does); without it they answer 6A81. Instances start in their
 *   factory (blank) state with the default layout; INSTALL's C9 application parameters are not
 *   interpreted. SET STATUS 60 (supplementary security domains), INSTALL [for load] /
 *   [for extradition] / [for registry update] and LOAD answer 6A81: cardforge has no SSDs and runs
 *   no Java Card bytecode.
 * - INSTALL [for personalization] + STORE DATA (issue 21): the blocks go to the application's
 *   processData (CardManager.processData) in DGI format, under a session with C-MAC at least;
 *   secret DGIs come in "encrypted data" commands (P1 b7b6 = 11) whose values the ISD decrypts
 *   with the DEK, as EMV CPS personalization does. C-DECRYPTION is not required: the secrets are
 *   DEK-encrypted end to end already, the rest (ids, public keys, limits) is not confidential and
 *   the C-MAC protects all of it; a host may add C-DECRYPTION (level 03) on top.
 * - GET STATUS pages at STATUS_PAGE bytes of entries (room for the R-MAC and R-ENC padding in a
 *   256-byte answer): 6310 asks for the next page with P2 b1 set.
 */
import { SW } from '../../../apdu-specs/status-words.js';
import { GLOBALPLATFORM_COMMANDS, GP_TAGS } from '../../../apdu-specs/globalplatform.js';
import { GP_STORE_DATA_P1 } from '../../../apdu-specs/personalization.js';
import { aesDecryptCbc, gpKeyCheckValue, unpad80 } from '../../algorithms/index.js';
import {
  Applet,
  CardError,
  CommandTable,
  checkParams,
  concat,
  encodeTlv,
  equalBytes,
  hexToBytes,
  readU24,
  u24,
  CardManagerError,
  encodeDgis,
  parseDgis,
  storeDataCommand,
  type AppletContext,
  type CardManager,
  type AppletParams,
  type CommandApdu,
  type Handler,
  type PBytes,
  type PU16,
  type PU8,
  type PVarBytes,
  type Reply,
} from '../../runtime/index.js';
import type { CommandSpec } from '../../../apdu-specs/types.js';
import {
  APP_LIFE_CYCLE,
  CARD_LIFE_CYCLE,
  CPLC_LENGTH,
  KEY_TYPE,
  PRIVILEGE_BYTE1,
  SCP03_I,
  cardData,
  cardTransitionAllowed,
  cplcObject,
  defaultCplc,
  isCardLifeCycle,
  keyInformationTemplate,
  selectFci,
} from './data.js';
import { KeyTable, type StoredKey } from './keys.js';
import { encodeEntry, loadFiles, parseInstall, parseSearch, statusEntries, type StatusEntry } from './content.js';
import { LEVEL, SCP02_LEVELS, SCP03_LEVELS, SESSION_BYTES, SecureChannel } from './channel.js';

/** Consecutive failed authentications before INITIALIZE UPDATE is refused (see the header). */
export const AUTH_TRIES = 10;
/** The well-known GlobalPlatform test key (GPPro's and pySim's default). */
export const TEST_KEY_HEX = '404142434445464748494a4b4c4d4e4f';
export const SCP03_DEFAULT_KVN = 0x30;
export const SCP02_DEFAULT_KVN = 0x20;

const IIN_MAX = 16;
/** Bytes of GET STATUS entries per answer (see the header). */
export const STATUS_PAGE = 200;
const KDD_LENGTH = 10;

export interface IsdKey {
  readonly kvn: number;
  /** 1 ENC, 2 MAC, 3 DEK for a secure channel key set. */
  readonly kid: number;
  readonly type: 'aes' | 'des';
  readonly value: Uint8Array;
}

export interface IsdPersonalization {
  /** Card life cycle state to start in: a GP coding (01, 07, 0F, 7F, FF); default 0F SECURED. */
  readonly lifeCycle?: number;
  /** Static keys; default: the test keys as AES set 30 and DES set 20. */
  readonly keys?: readonly IsdKey[];
  readonly cplc?: Uint8Array;
  readonly iin?: Uint8Array;
  readonly cin?: Uint8Array;
  /** Key diversification data (10 bytes) of INITIALIZE UPDATE and GET DATA CF; default zeros. */
  readonly keyDiversificationData?: Uint8Array;
  /** The ISD is the card's default applet (its privileges then include Card Reset). */
  readonly defaultSelected?: boolean;
  /**
   * Start values of the SCP02 sequence counter (0..FFFF) and of the SCP03 card challenge counter
   * (0..FFFFFE; the next INITIALIZE UPDATE uses it + 1): a clone of a real card's state. Default 0.
   */
  readonly counters?: { readonly scp02?: number; readonly scp03?: number };
}

/** The default key table: the test keys as SCP03 set 30 (first) and SCP02 set 20. */
export function defaultIsdKeys(): IsdKey[] {
  const k = hexToBytes(TEST_KEY_HEX);
  return [
    ...[1, 2, 3].map((kid): IsdKey => ({ kvn: SCP03_DEFAULT_KVN, kid, type: 'aes', value: k })),
    ...[1, 2, 3].map((kid): IsdKey => ({ kvn: SCP02_DEFAULT_KVN, kid, type: 'des', value: k })),
  ];
}

export class IsdApplet extends Applet {
  static readonly type = 'cardforge.isd';
  override readonly secureMessaging = true;

  private readonly lifeCycle: PU8;
  private readonly tries: PU8;
  private readonly seq: PU16;
  private readonly counter: PBytes;
  private readonly privileges: PU8;
  private readonly cplc: PBytes;
  private readonly kdd: PBytes;
  private readonly iin: PVarBytes;
  private readonly cin: PVarBytes;
  private readonly keys: KeyTable;
  private readonly channel: SecureChannel;
  /** STORE DATA: the block number expected next (transient). */
  private readonly storeBlock: Uint8Array;
  /** INSTALL [for personalization]: [0] AID length (0: STORE DATA is the ISD's own), then the AID (transient). */
  private readonly persoTarget: Uint8Array;
  /** GET STATUS paging: [0] the P1 being paged (0: none), [1] the next entry's index (transient). */
  private readonly statusNext: Uint8Array;

  readonly commands: CommandTable;

  /** The card life cycle this ISD keeps (the runtime restricts selection while CARD_LOCKED / TERMINATED). */
  override cardLifeCycle(): number {
    return this.lifeCycle.get();
  }

  constructor(ctx: AppletContext, params: AppletParams = {}) {
    super(ctx, params);
    const s = ctx.persistent;
    this.lifeCycle = s.u8('life-cycle');
    this.tries = s.u8('tries');
    this.seq = s.u16('scp02-sequence');
    this.counter = s.bytes('scp03-counter', 3);
    this.privileges = s.u8('privileges');
    this.cplc = s.bytes('cplc', CPLC_LENGTH);
    this.kdd = s.bytes('key-diversification-data', KDD_LENGTH);
    this.iin = s.varBytes('iin', IIN_MAX);
    this.cin = s.varBytes('cin', IIN_MAX);
    this.keys = new KeyTable(s);
    this.channel = new SecureChannel(ctx.transient.bytes('session', SESSION_BYTES), ctx.aid);
    this.storeBlock = ctx.transient.bytes('store-block', 1);
    this.persoTarget = ctx.transient.bytes('perso-target', 17);
    this.statusNext = ctx.transient.bytes('status-next', 2);
    const h = (fn: (data: Uint8Array, apdu: CommandApdu) => Reply | void, auth = true): Handler => (apdu, spec) => this.run(apdu, spec, auth, fn);
    const unsupported = (what: string) => h(() => {
      throw new CardError(SW.FUNCTION_NOT_SUPPORTED, what);
    });
    this.commands = new CommandTable(GLOBALPLATFORM_COMMANDS, {
      INITIALIZE_UPDATE: (apdu, spec) => this.initializeUpdate(apdu, spec),
      EXTERNAL_AUTHENTICATE: (apdu, spec) => this.externalAuthenticate(apdu, spec),
      GP_GET_DATA: h((_d, apdu) => this.getData(apdu), false),
      GET_DATA: h((_d, apdu) => this.getData(apdu), false),
      GET_STATUS: h((d, apdu) => this.getStatus(d, apdu)),
      SET_STATUS: h((d, apdu) => this.setStatus(d, apdu)),
      PUT_KEY: h((d, apdu) => this.putKey(d, apdu)),
      STORE_DATA: h((d, apdu) => this.storeData(d, apdu)),
      DELETE: h((d, apdu) => this.delete(d, apdu)),
      INSTALL: h((d, apdu) => this.installFor(d, apdu)),
      LOAD: unsupported('cardforge loads no executable load files (no Java Card bytecode)'),
    });
  }

  override install(personalization: unknown): void {
    const p = (personalization ?? {}) as IsdPersonalization;
    if (typeof p !== 'object') throw new TypeError(`"personalization" expected an object, got ${typeof p}`);
    const lc = p.lifeCycle ?? CARD_LIFE_CYCLE.SECURED;
    if (!isCardLifeCycle(lc)) throw new RangeError(`"lifeCycle" expected a GlobalPlatform card life cycle coding (01, 07, 0F, 7F, FF), got ${lc}`);
    const keys = (p.keys ?? defaultIsdKeys()).map((k, i): StoredKey => {
      if (k.type !== 'aes' && k.type !== 'des') throw new RangeError(`"keys[${i}].type" expected "aes" or "des"`);
      if (!(k.value instanceof Uint8Array) || k.value.length !== 16) throw new RangeError(`"keys[${i}].value" expected 16 bytes`);
      if (!Number.isInteger(k.kvn) || k.kvn < 1 || k.kvn > 0x7f) throw new RangeError(`"keys[${i}].kvn" expected 01..7F, got ${k.kvn}`);
      if (!Number.isInteger(k.kid) || k.kid < 1 || k.kid > 0x7f) throw new RangeError(`"keys[${i}].kid" expected 01..7F, got ${k.kid}`);
      return { kvn: k.kvn, kid: k.kid, type: k.type === 'aes' ? KEY_TYPE.AES : KEY_TYPE.DES, length: 16, value: k.value };
    });
    const cplc = p.cplc ?? defaultCplc();
    if (cplc.length !== CPLC_LENGTH) throw new RangeError(`"cplc" expected ${CPLC_LENGTH} bytes, got ${cplc.length}`);
    const kdd = p.keyDiversificationData ?? new Uint8Array(KDD_LENGTH);
    if (kdd.length !== KDD_LENGTH) throw new RangeError(`"keyDiversificationData" expected ${KDD_LENGTH} bytes, got ${kdd.length}`);
    for (const [name, v] of [['iin', p.iin], ['cin', p.cin]] as const) if (v !== undefined && v.length > IIN_MAX) throw new RangeError(`"${name}" expected at most ${IIN_MAX} bytes`);
    const scp02 = p.counters?.scp02 ?? 0;
    const scp03 = p.counters?.scp03 ?? 0;
    if (!Number.isInteger(scp02) || scp02 < 0 || scp02 > 0xffff) throw new RangeError(`"counters.scp02" expected 0..65535, got ${scp02}`);
    if (!Number.isInteger(scp03) || scp03 < 0 || scp03 > 0xfffffe) throw new RangeError(`"counters.scp03" expected 0..16777214, got ${scp03}`);
    this.lifeCycle.set(lc);
    this.tries.set(AUTH_TRIES);
    this.seq.set(scp02);
    this.counter.set(u24(scp03));
    this.keys.write(keys);
    this.cplc.set(cplc);
    this.kdd.set(kdd);
    if (p.iin) this.iin.set(p.iin);
    if (p.cin) this.cin.set(p.cin);
    this.privileges.set(PRIVILEGE_BYTE1.SECURITY_DOMAIN | PRIVILEGE_BYTE1.CARD_LOCK | PRIVILEGE_BYTE1.CARD_TERMINATE | PRIVILEGE_BYTE1.CVM_MANAGEMENT | (p.defaultSelected ? PRIVILEGE_BYTE1.CARD_RESET : 0));
  }

  override select(): Reply {
    // GP CS §10.2.3: selecting the security domain ends any secure channel session on the channel.
    this.channel.close();
    this.storeBlock[0] = 0;
    this.persoTarget.fill(0);
    this.statusNext.fill(0);
    return { data: selectFci(this.ctx.aid, this.cplc.view()) };
  }

  override deselect(): void {
    this.channel.close();
    this.persoTarget.fill(0);
  }

  /** The remaining authentication tries (for tools and tests; not readable by a command). */
  get authTriesLeft(): number {
    return this.tries.get();
  }

  // ---- the common path of a command under the secure channel ----

  private run(apdu: CommandApdu, spec: CommandSpec, auth: boolean, fn: (data: Uint8Array, apdu: CommandApdu) => Reply | void): Reply {
    // A command other than EXTERNAL AUTHENTICATE after INITIALIZE UPDATE aborts the initiation.
    if (this.channel.initiated) this.channel.close();
    // ISO-class commands (00 CA) pass plain beside a session: tools do not wrap them (pySim wraps
    // only class 8X). Proprietary-class ones are unwrapped (C-MAC, C-DECRYPTION).
    const data = apdu.claInfo.kind === 'interindustry' && apdu.claInfo.sm === 0 ? apdu.data.slice() : this.channel.unwrap(apdu);
    checkParams(apdu, spec);
    const lc = this.lifeCycle.get();
    if (lc === CARD_LIFE_CYCLE.TERMINATED && spec.name !== 'GP_GET_DATA' && spec.name !== 'GET_DATA') throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the card is TERMINATED');
    if (auth && !this.channel.authenticated) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, `${spec.name} needs an authenticated secure channel session`);
    return this.channel.wrap(fn(data, apdu) ?? {});
  }

  // ---- INITIALIZE UPDATE / EXTERNAL AUTHENTICATE ----

  private initializeUpdate(apdu: CommandApdu, spec: CommandSpec): Reply {
    this.channel.close();
    this.persoTarget.fill(0);
    if (apdu.claInfo.sm !== 0) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, 'INITIALIZE UPDATE travels without secure messaging');
    checkParams(apdu, spec);
    if (this.lifeCycle.get() === CARD_LIFE_CYCLE.TERMINATED) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the card is TERMINATED');
    if (this.tries.get() === 0) throw new CardError(SW.AUTH_METHOD_BLOCKED, 'authentication tries exhausted');
    if (apdu.data.length !== 8) throw new CardError(SW.WRONG_LENGTH, 'host challenge of 8 bytes expected (S8 mode)');
    const set = this.keys.keySet(apdu.p1);
    if (!set) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, `no secure channel key set with version ${apdu.p1.toString(16)}`);
    const hostChallenge = apdu.data.slice();
    if (set.type === KEY_TYPE.DES) return { data: this.channel.initScp02(set, this.seq.get(), hostChallenge, this.kdd.view()) };
    const next = readU24(this.counter.view()) + 1;
    if (next > 0xffffff) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'SCP03 card challenge counter exhausted');
    this.counter.set(u24(next));
    return { data: this.channel.initScp03(set, next, SCP03_I, hostChallenge, this.kdd.view()) };
  }

  private externalAuthenticate(apdu: CommandApdu, spec: CommandSpec): Reply {
    if (!this.channel.initiated) {
      this.channel.close();
      throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'EXTERNAL AUTHENTICATE without INITIALIZE UPDATE before it');
    }
    if (apdu.claInfo.sm === 0 || apdu.data.length !== 16) {
      this.channel.close();
      throw new CardError(apdu.claInfo.sm === 0 ? SW.SECURITY_STATUS_NOT_SATISFIED : SW.WRONG_LENGTH, 'EXTERNAL AUTHENTICATE carries host cryptogram and C-MAC (CLA 84)');
    }
    const levels = this.channel.scp === 2 ? SCP02_LEVELS : SCP03_LEVELS;
    if (!levels.includes(apdu.p1) || apdu.p2 !== 0) {
      this.channel.close();
      checkParams(apdu, spec);
      throw new CardError(SW.INCORRECT_P1P2, `security level ${apdu.p1.toString(16)} not available in SCP0${this.channel.scp}`);
    }
    // Count the try before checking (a tear cannot give a free one).
    const left = this.tries.get();
    this.tries.set(left - 1);
    const cryptogramOk = equalBytes(apdu.data.subarray(0, 8), this.channel.expectedHostCryptogram());
    if (!cryptogramOk) {
      this.channel.close();
      throw new CardError(SW.NV_CHANGED_WARNING, 'authentication of the host cryptogram failed');
    }
    if (!this.channel.verifyAuthenticateMac(apdu)) {
      this.channel.close();
      throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, 'wrong C-MAC on EXTERNAL AUTHENTICATE');
    }
    this.ctx.beginTransaction();
    this.tries.set(AUTH_TRIES);
    if (this.channel.scp === 2) this.seq.set((this.seq.get() + 1) & 0xffff);
    this.ctx.commitTransaction();
    this.channel.open(apdu.p1);
    return {};
  }

  // ---- GET DATA ----

  private getData(apdu: CommandApdu): Reply {
    const tag = (apdu.p1 << 8) | apdu.p2;
    switch (tag) {
      case 0x0066:
        return { data: cardData() };
      case 0x00e0:
        return { data: keyInformationTemplate(this.keys.list()) };
      case GP_TAGS.CPLC:
        return { data: cplcObject(this.cplc.view()) };
      case 0x00cf:
        return { data: encodeTlv(0xcf, this.kdd.view()) };
      case 0x0042:
      case 0x0045: {
        const v = (tag === 0x42 ? this.iin : this.cin).get();
        if (v.length === 0) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, `${tag === 0x42 ? 'IIN' : 'CIN'} not set`);
        return { data: encodeTlv(tag, v) };
      }
      default:
        throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, `no data object ${tag.toString(16)}`);
    }
  }

  // ---- GET STATUS ----

  /** The card manager, or 6A81 when this instance was not given the capability. */
  private manager(what: string): CardManager {
    const m = this.ctx.cardManager;
    if (!m) throw new CardError(SW.FUNCTION_NOT_SUPPORTED, `${what}: this ISD was installed without the Authorized Management privilege (no card manager)`);
    return m;
  }

  private ownPrivileges(): Uint8Array {
    const entry = this.ctx.cardManager?.instance(this.ctx.aid);
    return entry ? entry.privileges : Uint8Array.of(this.privileges.get(), 0, 0);
  }

  private getStatus(data: Uint8Array, apdu: CommandApdu): Reply {
    const { aid, tags } = parseSearch(data);
    const next = (apdu.p2 & 0x01) !== 0;
    const tlv = (apdu.p2 & 0x02) !== 0;
    const own = this.ctx.aid;
    let entries: StatusEntry[];
    if (apdu.p1 === 0x80) entries = [{ aid: own, lifeCycle: this.lifeCycle.get(), privileges: this.ownPrivileges() }];
    else entries = statusEntries(this.manager('GET STATUS of applications and load files'), apdu.p1, own);
    entries = entries.filter((e) => aid.length <= e.aid.length && equalBytes(e.aid.subarray(0, aid.length), aid));
    let from = 0;
    if (next) {
      if (this.statusNext[0] !== apdu.p1) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no GET STATUS to continue');
      from = this.statusNext[1]!;
    }
    this.statusNext.fill(0);
    if (entries.length === 0 || from >= entries.length) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no entry matches the search criteria');
    const parts: Uint8Array[] = [];
    let size = 0;
    let i = from;
    for (; i < entries.length; i++) {
      const e = encodeEntry(entries[i]!, tlv, tags);
      if (parts.length > 0 && size + e.length > STATUS_PAGE) break;
      parts.push(e);
      size += e.length;
    }
    if (i < entries.length) {
      this.statusNext[0] = apdu.p1;
      this.statusNext[1] = i;
      this.ctx.stateChanged();
      return { data: concat(...parts), sw: SW.MORE_DATA_AVAILABLE };
    }
    return { data: concat(...parts) };
  }

  // ---- SET STATUS ----

  private setStatus(data: Uint8Array, apdu: CommandApdu): Reply {
    if (apdu.p1 === 0x40) return this.setApplicationStatus(data, apdu.p2);
    if (apdu.p1 !== 0x80) throw new CardError(SW.FUNCTION_NOT_SUPPORTED, 'this card has no supplementary security domains (SET STATUS 60)');
    if (data.length !== 0 && !equalBytes(data, this.ctx.aid)) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'the AID is not the ISD\'s');
    const to = apdu.p2;
    if (!isCardLifeCycle(to)) throw new CardError(SW.WRONG_DATA, `${to.toString(16)} is no card life cycle state`);
    const from = this.lifeCycle.get();
    if (!cardTransitionAllowed(from, to)) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, `card life cycle ${from.toString(16)} → ${to.toString(16)} is not allowed`);
    this.lifeCycle.set(to);
    return {};
  }

  /**
   * SET STATUS 40 (GP CS §11.10.2.2, §5.3.1): P2 with b8 set locks (LOCKED over the current state),
   * P2 00 unlocks (back to the state it was locked from), P2 an application-specific state
   * (b1–b3 set, b8 clear) moves an unlocked, selectable application there. The ISD itself: 6985
   * (its state is the card's, P1 80). Illegal transitions: 6985; no such application: 6A88.
   */
  private setApplicationStatus(data: Uint8Array, p2: number): Reply {
    const m = this.manager('SET STATUS of an application');
    if (data.length < 5 || data.length > 16) throw new CardError(SW.WRONG_DATA, 'SET STATUS 40 needs the application AID (5..16 bytes)');
    if (equalBytes(data, this.ctx.aid)) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the ISD\'s life cycle is the card\'s: SET STATUS 80');
    if (this.lifeCycle.get() === CARD_LIFE_CYCLE.CARD_LOCKED) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the card is locked');
    const entry = m.instance(data);
    if (!entry) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no such application');
    const lc = entry.lifeCycle;
    const locked = (lc & APP_LIFE_CYCLE.LOCKED_BIT) !== 0;
    let to: number;
    if ((p2 & APP_LIFE_CYCLE.LOCKED_BIT) !== 0) {
      if (locked) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the application is locked already');
      to = lc | APP_LIFE_CYCLE.LOCKED_BIT;
    } else if (p2 === 0x00) {
      if (!locked) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the application is not locked');
      to = lc & ~APP_LIFE_CYCLE.LOCKED_BIT;
    } else {
      if ((p2 & 0x07) !== 0x07) throw new CardError(SW.WRONG_DATA, `${p2.toString(16)} is no application life cycle state (b1–b3 set)`);
      if (locked || lc === APP_LIFE_CYCLE.INSTALLED) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, `the application is ${locked ? 'locked' : 'not selectable'}`);
      if (p2 === lc) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the application is in that state already');
      to = p2;
    }
    m.setLifeCycle(data, to);
    return {};
  }

  // ---- INSTALL (GP CS §11.5) ----

  private installFor(data: Uint8Array, apdu: CommandApdu): Reply {
    const p1 = apdu.p1 & 0x7f;
    if (p1 === 0x20) return this.installForPersonalization(data);
    if (p1 !== 0x04 && p1 !== 0x08 && p1 !== 0x0c) throw new CardError(SW.FUNCTION_NOT_SUPPORTED, `INSTALL P1 ${apdu.p1.toString(16)}: only [for install], [for make selectable], both (04, 08, 0C) and [for personalization] (20)`);
    const lc = this.lifeCycle.get();
    if (lc === CARD_LIFE_CYCLE.CARD_LOCKED) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the card is locked');
    const m = this.manager('INSTALL');
    const req = parseInstall(data);
    if (req.app.length < 5) throw new CardError(SW.WRONG_DATA, 'application AID of 5..16 bytes expected');
    try {
      if (p1 === 0x08) {
        const entry = m.instance(req.app);
        if (!entry) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no such application');
        if (entry.lifeCycle !== APP_LIFE_CYCLE.INSTALLED) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the application is not in state INSTALLED');
        m.setLifeCycle(req.app, APP_LIFE_CYCLE.SELECTABLE);
        return { data: Uint8Array.of(0x00) };
      }
      const elf = loadFiles(m).find((f) => equalBytes(f.aid, req.elf));
      if (!elf) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no executable load file with this AID (GET STATUS 20 lists them)');
      if (req.module.length !== 0 && !equalBytes(req.module, elf.moduleAid)) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no executable module with this AID in the load file');
      if (req.privileges[1]! & 0x40 || req.privileges[0]! & 0x80) throw new CardError(SW.WRONG_DATA, 'security domain privileges are not granted to new instances');
      m.install({
        type: elf.type,
        aid: req.app.slice(),
        privileges: req.privileges,
        personalization: { factory: {} },
        lifeCycle: (p1 & 0x08) !== 0 ? APP_LIFE_CYCLE.SELECTABLE : APP_LIFE_CYCLE.INSTALLED,
      });
    } catch (e) {
      if (e instanceof CardManagerError && e.code === 'AID_EXISTS') throw new CardError(SW.CONDITIONS_NOT_SATISFIED, e.message);
      throw e;
    }
    return { data: Uint8Array.of(0x00) };
  }

  /**
   * INSTALL [for personalization] (GP CS §11.5.2.3.3, Table 11-47): 00 00 ‖ Lapp ‖ application
   * AID ‖ 00 00 00. The application must be on the card, not the ISD, not locked and selectable
   * (07 or beyond); the following STORE DATA commands of this session go to its processData until
   * the last block (P1 b8), a SELECT of the ISD or the end of the session. Nothing persistent.
   */
  private installForPersonalization(data: Uint8Array): Reply {
    if (this.lifeCycle.get() === CARD_LIFE_CYCLE.CARD_LOCKED) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the card is locked');
    const m = this.manager('INSTALL [for personalization]');
    const req = parseInstall(data);
    if (req.app.length < 5 || req.app.length > 16) throw new CardError(SW.WRONG_DATA, 'application AID of 5..16 bytes expected');
    if (equalBytes(req.app, this.ctx.aid)) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the ISD takes its own data with STORE DATA directly');
    const entry = m.instance(req.app);
    if (!entry) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no such application');
    if ((entry.lifeCycle & APP_LIFE_CYCLE.LOCKED_BIT) !== 0) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the application is locked');
    if ((entry.lifeCycle & APP_LIFE_CYCLE.SELECTABLE) !== APP_LIFE_CYCLE.SELECTABLE) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the application is not selectable (INSTALL [for make selectable] first)');
    this.persoTarget.fill(0);
    this.persoTarget[0] = req.app.length;
    this.persoTarget.set(req.app, 1);
    this.storeBlock[0] = 0;
    this.ctx.stateChanged();
    return { data: Uint8Array.of(0x00) };
  }

  /**
   * STORE DATA after INSTALL [for personalization] (GP CS §11.11.2): checked here — a session with
   * C-MAC at least, the block order — and, for an "encrypted data" block in DGI format (P1 b7b6 =
   * 11, b5b4 = 01), every DGI value decrypted with the DEK (SCP03: static DEK of the session's key
   * set, AES-CBC, zero ICV; SCP02: session DEK, TDEA-ECB; padding 80 00..), as EMV CPS
   * personalization sends keys and codes. Then the command (CLA ‖ E2 ‖ P1 ‖ P2 ‖ Lc ‖ data, as
   * GP's Application.processData gets the APDU buffer) goes to the application's processData, whose
   * answer data and refusals pass through unchanged. The last block ends the forwarding.
   */
  private forwardStoreData(data: Uint8Array, apdu: CommandApdu): Reply {
    if ((this.channel.level & LEVEL.C_MAC) === 0) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, 'personalization data needs a session with C-MAC at least');
    const m = this.manager('STORE DATA to an application');
    if (apdu.p2 !== this.storeBlock[0]) throw new CardError(SW.WRONG_DATA, `block number ${apdu.p2} where ${this.storeBlock[0]} was expected`);
    let forwarded = data;
    if ((apdu.p1 & GP_STORE_DATA_P1.ENCRYPTION_MASK) === GP_STORE_DATA_P1.ENCRYPTED) {
      if ((apdu.p1 & GP_STORE_DATA_P1.STRUCTURE_MASK) !== GP_STORE_DATA_P1.DGI) throw new CardError(SW.WRONG_DATA, 'encrypted personalization data in DGI format expected (P1 b5b4 = 01): the ISD decrypts DGI values');
      forwarded = encodeDgis(parseDgis(data).map((d) => ({ dgi: d.dgi, value: this.decryptData(d.value) })));
    }
    const target = this.persoTarget.slice(1, 1 + this.persoTarget[0]!);
    const out = m.processData(target, storeDataCommand(apdu.cla & 0xf0, { p1: apdu.p1, p2: apdu.p2, data: forwarded }));
    if ((apdu.p1 & GP_STORE_DATA_P1.LAST_BLOCK) !== 0) {
      this.persoTarget.fill(0);
      this.storeBlock[0] = 0;
    } else this.storeBlock[0] = (apdu.p2 + 1) & 0xff;
    return out.length ? { data: out } : {};
  }

  /** A DGI value encrypted with the DEK and padded 80 00.. (see forwardStoreData). */
  private decryptData(value: Uint8Array): Uint8Array {
    const bs = this.channel.scp === 3 ? 16 : 8;
    if (value.length === 0 || value.length % bs !== 0) throw new CardError(SW.WRONG_DATA, `encrypted DGI value of ${value.length} bytes: a multiple of ${bs} expected`);
    let plain: Uint8Array;
    if (this.channel.scp === 3) {
      const set = this.keys.keySet(this.channel.kvn);
      if (!set) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'the session\'s key set is gone');
      plain = aesDecryptCbc(set.dek, new Uint8Array(16), value);
    } else plain = this.channel.decryptScp02Key(value);
    const out = unpad80(plain, bs);
    if (!out) throw new CardError(SW.WRONG_DATA, 'encrypted DGI value: bad padding (wrong DEK?)');
    return out;
  }

  // ---- PUT KEY (GP CS §11.8) ----

  private putKey(data: Uint8Array, apdu: CommandApdu): Reply {
    if (this.lifeCycle.get() === CARD_LIFE_CYCLE.CARD_LOCKED) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the card is locked');
    const replace = apdu.p1 & 0x7f;
    const multiple = (apdu.p2 & 0x80) !== 0;
    let kid = apdu.p2 & 0x7f;
    if (kid === 0) throw new CardError(SW.INCORRECT_P1P2, 'key identifier 00');
    if (data.length < 1) throw new CardError(SW.WRONG_DATA, 'no new key version number');
    const kvn = data[0]!;
    if (kvn < 1 || kvn > 0x7f) throw new CardError(SW.WRONG_DATA, `new key version ${kvn.toString(16)} outside 01..7F`);
    const keys: StoredKey[] = [];
    const kcvs: Uint8Array[] = [];
    let i = 1;
    while (i < data.length) {
      if (i + 2 > data.length) throw new CardError(SW.WRONG_DATA, 'key data block cut short');
      const type = data[i]!;
      const len = data[i + 1]!;
      const block = data.subarray(i + 2, i + 2 + len);
      if (block.length !== len) throw new CardError(SW.WRONG_DATA, 'key data block cut short');
      i += 2 + len;
      const kcvLen = data[i];
      if (kcvLen === undefined) throw new CardError(SW.WRONG_DATA, 'key check value length missing');
      const kcv = data.subarray(i + 1, i + 1 + kcvLen);
      if (kcv.length !== kcvLen) throw new CardError(SW.WRONG_DATA, 'key check value cut short');
      i += 1 + kcvLen;
      if (type !== KEY_TYPE.AES && type !== KEY_TYPE.DES) throw new CardError(SW.WRONG_DATA, `key type ${type.toString(16)} not supported (80 DES, 88 AES)`);
      const value = this.decryptKey(block);
      if (value.length !== 16) throw new CardError(SW.WRONG_DATA, `key of ${value.length} bytes: 16 expected`);
      const check = gpKeyCheckValue(type, value);
      if (kcvLen !== 0 && (kcvLen !== 3 || !equalBytes(kcv, check))) throw new CardError(SW.WRONG_DATA, 'key check value does not match');
      keys.push({ kvn, kid: kid++, type, length: 16, value });
      kcvs.push(check);
    }
    if (keys.length === 0) throw new CardError(SW.WRONG_DATA, 'no key data block');
    if (!multiple && keys.length !== 1) throw new CardError(SW.WRONG_DATA, 'several keys without P2 b8 (multiple keys)');
    const table = this.keys.withKeys(replace, kvn, keys);
    this.ctx.beginTransaction();
    this.keys.write(table);
    this.ctx.commitTransaction();
    return { data: concat(Uint8Array.of(kvn), ...kcvs) };
  }

  /**
   * A key component block (GP CS §11.8.2.3, Tables 11-70/71): a multiple of the block size is the
   * encrypted key; otherwise a clear length byte precedes the encrypted, padded key. SCP02: session
   * DEK, TDEA-ECB; SCP03: static DEK of the session's key set, AES-CBC with a zero ICV.
   */
  private decryptKey(block: Uint8Array): Uint8Array {
    const scp03 = this.channel.scp === 3;
    const bs = scp03 ? 16 : 8;
    let len = block.length;
    let body = block;
    if (block.length % bs !== 0) {
      len = block[0] ?? 0;
      body = block.subarray(1);
      if (body.length % bs !== 0 || len > body.length) throw new CardError(SW.WRONG_DATA, 'key component block of a wrong length');
    }
    if (body.length === 0) throw new CardError(SW.WRONG_DATA, 'empty key component');
    let plain: Uint8Array;
    if (scp03) {
      const set = this.keys.keySet(this.channel.kvn);
      if (!set) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'the session\'s key set is gone');
      plain = aesDecryptCbc(set.dek, new Uint8Array(16), body);
    } else plain = this.channel.decryptScp02Key(body);
    return plain.slice(0, len);
  }

  // ---- STORE DATA to the ISD (GP CS §11.11) ----

  private storeData(data: Uint8Array, apdu: CommandApdu): Reply {
    if (this.persoTarget[0] !== 0) return this.forwardStoreData(data, apdu);
    const format = (apdu.p1 >> 3) & 0x03;
    const encryption = (apdu.p1 >> 5) & 0x03;
    if (encryption === 0x03) throw new CardError(SW.WRONG_DATA, 'encrypted ISD data is not supported');
    if (apdu.p2 !== this.storeBlock[0]) throw new CardError(SW.WRONG_DATA, `block number ${apdu.p2} where ${this.storeBlock[0]} was expected`);
    const records = parseStoreRecords(data, format);
    const writes: (() => void)[] = [];
    for (const [tag, v] of records) {
      switch (tag) {
        case 0x42:
        case 0x45:
          if (v.length > IIN_MAX) throw new CardError(SW.WRONG_DATA, `${tag === 0x42 ? 'IIN' : 'CIN'} longer than ${IIN_MAX} bytes`);
          writes.push(() => (tag === 0x42 ? this.iin : this.cin).set(v));
          break;
        case 0xcf:
          if (v.length !== KDD_LENGTH) throw new CardError(SW.WRONG_DATA, `key diversification data of ${v.length} bytes: ${KDD_LENGTH} expected`);
          writes.push(() => this.kdd.set(v));
          break;
        case GP_TAGS.CPLC:
          if (v.length !== CPLC_LENGTH) throw new CardError(SW.WRONG_DATA, `CPLC of ${v.length} bytes: ${CPLC_LENGTH} expected`);
          writes.push(() => this.cplc.set(v));
          break;
        default:
          throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, `the ISD stores no data object ${tag.toString(16)}`);
      }
    }
    this.ctx.beginTransaction();
    for (const w of writes) w();
    this.ctx.commitTransaction();
    this.storeBlock[0] = (apdu.p1 & 0x80) !== 0 ? 0 : (apdu.p2 + 1) & 0xff;
    return {};
  }

  // ---- DELETE (GP CS §11.2) ----

  private delete(data: Uint8Array, apdu: CommandApdu): Reply {
    let kid: number | undefined;
    let kvn: number | undefined;
    let i = 0;
    while (i < data.length) {
      const tag = data[i]!;
      const len = data[i + 1];
      if (len === undefined || i + 2 + len > data.length) throw new CardError(SW.WRONG_DATA, 'DELETE data is not TLV');
      const v = data.subarray(i + 2, i + 2 + len);
      i += 2 + len;
      if (tag === GP_TAGS.AID) return this.deleteObject(v, (apdu.p2 & 0x80) !== 0);
      if ((tag === 0xd0 || tag === 0xd2) && len === 1) {
        if (tag === 0xd0) kid = v[0]!;
        else kvn = v[0]!;
      } else throw new CardError(SW.WRONG_DATA, `DELETE data object ${tag.toString(16)} not supported`);
    }
    if (kid === undefined && kvn === undefined) throw new CardError(SW.WRONG_DATA, 'DELETE names no object');
    if (this.lifeCycle.get() === CARD_LIFE_CYCLE.CARD_LOCKED) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the card is locked');
    const table = this.keys.without(kid, kvn);
    this.ctx.beginTransaction();
    this.keys.write(table);
    this.ctx.commitTransaction();
    return { data: Uint8Array.of(0x00) };
  }

  /**
   * DELETE of an application (GP CS §11.2.2.1): its registry entry and persistent data go in one
   * step. An executable load file is in ROM and stays: without P2 80 6985; with P2 80 ("and related
   * objects") its instances go, all in one atomic step (none if one of them is selected: 6985). The
   * ISD itself, a selected application, a locked card: 6985; unknown AID: 6A88. Answers 00.
   */
  private deleteObject(aid: Uint8Array, related: boolean): Reply {
    if (equalBytes(aid, this.ctx.aid)) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the Issuer Security Domain cannot be deleted');
    if (this.lifeCycle.get() === CARD_LIFE_CYCLE.CARD_LOCKED) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'the card is locked');
    const m = this.manager('DELETE of an application');
    const elf = loadFiles(m).find((f) => equalBytes(f.aid, aid));
    if (elf) {
      if (!related) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'executable load files are in ROM: they cannot be deleted (P2 80 deletes their instances)');
      const own = this.ctx.aid;
      const instances = m.instances().filter((e) => e.type === elf.type && !equalBytes(e.aid, own));
      if (instances.length === 0) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'the load file has no instances');
      m.deleteAll(instances.map((e) => e.aid));
      return { data: Uint8Array.of(0x00) };
    }
    if (!m.instance(aid)) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no application with this AID');
    m.delete(aid);
    return { data: Uint8Array.of(0x00) };
  }
}

/** STORE DATA records: BER-TLV (format 10) or DGI (format 01: DGI(2) ‖ length(1, or FF xx xx) ‖ value). */
function parseStoreRecords(data: Uint8Array, format: number): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  let i = 0;
  while (i < data.length) {
    let tag: number;
    let len: number | undefined;
    if (format === 0x01) {
      if (i + 3 > data.length) throw new CardError(SW.WRONG_DATA, 'DGI cut short');
      tag = (data[i]! << 8) | data[i + 1]!;
      len = data[i + 2]!;
      i += 3;
      if (len === 0xff) {
        if (i + 2 > data.length) throw new CardError(SW.WRONG_DATA, 'DGI length cut short');
        len = (data[i]! << 8) | data[i + 1]!;
        i += 2;
      }
    } else if (format === 0x02) {
      tag = data[i++]!;
      if ((tag & 0x1f) === 0x1f) tag = (tag << 8) | (data[i++] ?? 0);
      len = data[i++];
      if (len === 0x81) len = data[i++];
      else if (len !== undefined && len > 0x7f) throw new CardError(SW.WRONG_DATA, 'BER length form not supported');
    } else throw new CardError(SW.WRONG_DATA, 'STORE DATA to the ISD needs the DGI or BER-TLV format (P1 b5b4)');
    if (len === undefined || i + len > data.length) throw new CardError(SW.WRONG_DATA, 'record runs past the data');
    out.push([tag, data.slice(i, i + len)]);
    i += len;
  }
  return out;
}
