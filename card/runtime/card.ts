/**
 * The Card: persistent and transient memory, installed applets, logical channels and the ATR.
 * powerOn() → ATR, transmit(command) → response, reset(), powerOff(), tearAfterWrites(n),
 * snapshot()/restore(). Every transport wraps this one object, so in-process tests, the vpcd
 * endpoint and trace replays run identical code. transmit() never throws for any command bytes;
 * it throws only when the card is not powered or an injected tear cut the power.
 */
import { SW } from '../../apdu-specs/status-words.js';
import { RUNTIME_COMMANDS } from '../../apdu-specs/iso7816.js';
import { CommandApdu, parseCommand } from './apdu.js';
import { Applet, CommandTable, paramsRefused, type AppletClass, type AppletContext, type AppletParams, type Reply, type SessionFacts } from './applet.js';
import { atrLogicalChannels, parseAtr, buildAtr } from './atr.js';
import { bytesToHex, hexToBytes } from './bytes.js';
import { CardError, CardNotPoweredError, CardPowerLostError, PowerLoss } from './errors.js';
import { PersistentMemory, type JournalEntry } from './memory.js';
import { deliver, getResponse, swBytes, type Pending } from './response.js';
import { CryptoRng, SeededRng, SystemClock, VirtualClock, type Clock, type Rng } from './rng.js';
import { PersistentStore } from './store.js';
import { TransientMemory, TransientStore } from './transient.js';

export const MAX_CHANNELS = 20;
/** Default ATR: T=1 only, historical bytes "cardforge". */
export const DEFAULT_ATR: Uint8Array = buildAtr([1], new TextEncoder().encode('cardforge'));

export interface CardOptions {
  atr?: Uint8Array;
  /** Override the protocol the ATR implies (a reader may negotiate it). */
  protocol?: 'T=0' | 'T=1';
  rng?: Rng;
  clock?: Clock;
}

export interface InstallOptions {
  aid: Uint8Array | string;
  /** Layout parameters: stored in the image, passed to the constructor. No secrets. */
  params?: AppletParams;
  /** Values for install(): keys, PINs, contents. Consumed once, never stored. */
  personalization?: unknown;
  /** Selected on channel 0 after every power-up/reset. */
  default?: boolean;
}

export interface InstalledApplet {
  readonly aid: Uint8Array;
  readonly aidHex: string;
  readonly type: string;
  readonly params: AppletParams;
  readonly isDefault: boolean;
  readonly applet: Applet;
}

/** Channel state: undefined = closed, null = open with no applet, else the applet's index. */
type ChannelState = number | null | undefined;

export interface CardSnapshot {
  readonly persistent: ReadonlyMap<string, Uint8Array>;
  readonly journal: readonly JournalEntry[] | null;
  readonly transient: ReadonlyMap<string, Uint8Array>;
  readonly channels: readonly ChannelState[];
  readonly pending: Pending | null;
  readonly powered: boolean;
  readonly session: ReadonlyMap<string, string>;
  readonly rng?: [Uint8Array, Uint8Array];
  readonly clock?: number;
}

class Session implements SessionFacts {
  readonly map = new Map<string, string>();
  get(k: string): string | undefined {
    return this.map.get(k);
  }
  set(k: string, v: string): void {
    this.map.set(k, v);
  }
  has(k: string): boolean {
    return this.map.has(k);
  }
}

const RUNTIME_TABLE_SPECS = RUNTIME_COMMANDS;

export class Card {
  readonly memory = new PersistentMemory();
  readonly transient = new TransientMemory();
  readonly rng: Rng;
  readonly clock: Clock;
  private readonly session = new Session();
  private readonly installed: InstalledApplet[] = [];
  private channels: ChannelState[] = [];
  private pending: Pending | null = null;
  /**
   * Set by a runtime command or an applet (ctx.stateChanged()) that changed card state other than
   * persistent memory: no 6Cxx after it. Cleared when each command starts.
   */
  private stateChanged = false;
  /** The logical channel of the command (or selection) in progress: AppletContext.channel(). */
  private currentChannel = 0;
  private powered = false;
  private atrBytes: Uint8Array;
  private proto: 'T=0' | 'T=1';
  private readonly runtimeTable: CommandTable;
  /** Logical channels 0..channelLimit-1 exist (the ATR's card capabilities). */
  readonly channelLimit: number;

  constructor(opts: CardOptions = {}) {
    this.atrBytes = (opts.atr ?? DEFAULT_ATR).slice();
    const info = parseAtr(this.atrBytes);
    this.proto = opts.protocol ?? (info.defaultProtocol === 1 ? 'T=1' : 'T=0');
    // The channels the ATR announces, as a real card has them (a clone of a 4-channel card answers
    // the fifth MANAGE CHANNEL open with 6A81 as the card did); "8 or more" or silence: all 20.
    this.channelLimit = Math.min(MAX_CHANNELS, atrLogicalChannels(info.historical) ?? MAX_CHANNELS);
    this.rng = opts.rng ?? new CryptoRng();
    this.clock = opts.clock ?? new SystemClock();
    // Runtime-owned commands share the table machinery; their handlers are methods of this class.
    const h = (): Reply => ({});
    this.runtimeTable = new CommandTable(RUNTIME_TABLE_SPECS, Object.fromEntries(RUNTIME_TABLE_SPECS.map((s) => [s.name, h])));
    this.closeAllChannels();
  }

  get atr(): Uint8Array {
    return this.atrBytes.slice();
  }

  get protocol(): 'T=0' | 'T=1' {
    return this.proto;
  }

  set protocol(p: 'T=0' | 'T=1') {
    this.proto = p;
  }

  get isPowered(): boolean {
    return this.powered;
  }

  /** Bumped on every durable persistent change: the host saves the image when it moves. */
  get generation(): number {
    return this.memory.generation;
  }

  get applets(): readonly InstalledApplet[] {
    return this.installed;
  }

  /** Install an applet instance under an AID; runs its install(personalization). */
  install(cls: AppletClass, opts: InstallOptions): Applet {
    const inst = this.instantiate(cls, opts);
    inst.applet.install(opts.personalization ?? {});
    return inst.applet;
  }

  /** Create the instance without running install() (used when loading an image). */
  instantiate(cls: AppletClass, opts: InstallOptions): InstalledApplet {
    const aid = typeof opts.aid === 'string' ? hexToBytes(opts.aid) : opts.aid.slice();
    if (aid.length < 5 || aid.length > 16) throw new RangeError(`"aid" expected 5..16 bytes, got ${aid.length}`);
    const aidHex = bytesToHex(aid);
    if (this.installed.some((a) => a.aidHex === aidHex)) throw new RangeError(`an applet with AID ${aidHex} is already installed`);
    if (opts.default && this.installed.some((a) => a.isDefault)) throw new RangeError('a default applet is already installed');
    const ctx = this.contextFor(aid, aidHex);
    const params = opts.params ?? {};
    const applet = new cls(ctx, params);
    const inst: InstalledApplet = { aid, aidHex, type: cls.type, params, isDefault: opts.default === true, applet };
    this.installed.push(inst);
    return inst;
  }

  private contextFor(aid: Uint8Array, aidHex: string): AppletContext {
    const mem = this.memory;
    return {
      aid,
      persistent: new PersistentStore(mem, aidHex),
      transient: new TransientStore(this.transient, aidHex),
      rng: this.rng,
      clock: this.clock,
      session: this.session,
      protocol: () => this.proto,
      channel: () => this.currentChannel,
      stateChanged: () => {
        this.stateChanged = true;
      },
      beginTransaction: () => mem.begin(),
      commitTransaction: () => mem.commit(),
      abortTransaction: () => mem.abort(),
      inTransaction: () => mem.inTransaction,
    };
  }

  /** Cold power-up: roll back an interrupted transaction, clear RAM, select the default applet. */
  powerOn(): Uint8Array {
    this.memory.clearTear();
    this.memory.disarmTear();
    this.memory.rollback();
    this.transient.clearAll();
    this.session.map.clear();
    this.pending = null;
    this.closeAllChannels();
    this.powered = true;
    this.currentChannel = 0;
    const def = this.installed.findIndex((a) => a.isDefault);
    if (def >= 0) {
      try {
        this.installed[def]!.applet.select(null);
        this.channels[0] = def;
      } catch (e) {
        if (e instanceof PowerLoss) throw e;
        this.channels[0] = null;
      }
    }
    return this.atr;
  }

  /** Warm reset: the same card-side effects as a power cycle. */
  reset(): Uint8Array {
    return this.powerOn();
  }

  powerOff(): void {
    this.powered = false;
    this.pending = null;
  }

  /** Cut the power right after the n-th persistent write of the next command. */
  tearAfterWrites(n: number): void {
    this.memory.armTear(n);
  }

  transmit(command: Uint8Array): Uint8Array {
    if (!this.powered) throw new CardNotPoweredError();
    this.memory.startCommand();
    let out: Uint8Array;
    try {
      out = this.process(command);
    } catch (e) {
      if (e instanceof PowerLoss || this.memory.torn) return this.powerLost();
      throw e;
    }
    // An applet that swallowed the PowerLoss cannot answer: the power is gone.
    if (this.memory.torn) return this.powerLost();
    this.memory.disarmTear();
    return out;
  }

  private powerLost(): never {
    this.powered = false;
    this.pending = null;
    this.memory.disarmTear();
    throw new CardPowerLostError(this.memory.tornAfter);
  }

  private process(bytes: Uint8Array): Uint8Array {
    // A command that failed after signalling a change must not lend the signal to the next one.
    this.stateChanged = false;
    let apdu: CommandApdu;
    try {
      apdu = parseCommand(bytes);
    } catch (e) {
      this.pending = null;
      if (e instanceof CardError) return swBytes(e.sw);
      throw e;
    }
    const ch = apdu.claInfo.channel;
    this.currentChannel = ch;
    const base = apdu.claInfo.base;
    const gsm = base === 0xa0;
    if (this.channels[ch] === undefined) {
      this.pending = null;
      return swBytes(SW.LOGICAL_CHANNEL_NOT_SUPPORTED);
    }
    // Runtime-owned commands.
    if (apdu.ins === 0xc0 && (base === 0x00 || gsm)) return this.getResponseCmd(apdu, gsm);
    this.pending = null;
    if (apdu.ins === 0x70 && base === 0x00) return this.runtimeCommand(apdu, () => this.manageChannel(apdu));
    if (apdu.ins === 0xa4 && base === 0x00 && apdu.p1 === 0x04) {
      const r = this.selectByName(apdu);
      if (r !== undefined) return r;
    }
    const idx = this.channels[ch];
    if (idx === null || idx === undefined) return swBytes(SW.APPLET_SELECT_FAILED);
    return this.dispatch(this.installed[idx]!.applet, apdu);
  }

  /**
   * ISO/IEC 7816-3 §12.2.2, TS 102.221 §7.3.1.1, TS 51.011 §9.1: on T=0 (and always in class A0,
   * whose commands carry P3) a case-1 command travels as CLA INS P1 P2 00. A command declared
   * case 1 and not case 2 is read so; one declared both ways (STATUS, MANAGE CHANNEL) keeps the
   * case-2 reading and its handler decides by P1-P2 (apdu.p3Zero).
   */
  private transportCase(apdu: CommandApdu, cases: number): CommandApdu {
    if (apdu.apduCase !== 2 || !apdu.p3Zero || (cases & (1 << 1)) === 0 || (cases & (1 << 2)) !== 0) return apdu;
    return this.proto === 'T=0' || apdu.claInfo.base === 0xa0 ? apdu.asCase1() : apdu;
  }

  private dispatch(applet: Applet, apdu: CommandApdu): Uint8Array {
    const info = apdu.claInfo;
    const found = applet.commands.lookup(info.base, apdu.ins);
    if (typeof found === 'number') return swBytes(found);
    if (info.sm !== 0 && !applet.secureMessaging) return swBytes(SW.SECURE_MESSAGING_NOT_SUPPORTED);
    if (info.chaining && !applet.commandChaining) return swBytes(SW.COMMAND_CHAINING_NOT_SUPPORTED);
    if (apdu.extended && !applet.extendedLength) return swBytes(SW.WRONG_LENGTH);
    apdu = this.transportCase(apdu, found.cases);
    if (!caseAllowed(found.cases, apdu.apduCase)) return swBytes(SW.WRONG_LENGTH);
    const refused = paramsRefused(found, apdu);
    if (refused !== undefined) return swBytes(refused);
    let reply: Reply | void;
    try {
      reply = found.handler(apdu);
    } catch (e) {
      return swBytes(this.afterFailure(e));
    } finally {
      // Java Card: a transaction still open when process() returns is aborted.
      if (this.memory.inTransaction && !this.memory.torn) this.memory.abort();
    }
    return this.shape(apdu, reply ?? EMPTY_REPLY);
  }

  private afterFailure(e: unknown): number {
    if (e instanceof PowerLoss || this.memory.torn) throw e instanceof PowerLoss ? e : new PowerLoss();
    if (e instanceof CardError) return e.sw;
    return SW.NO_PRECISE_DIAGNOSIS;
  }

  private shape(apdu: CommandApdu, reply: Reply): Uint8Array {
    const changed = this.stateChanged;
    this.stateChanged = false;
    return this.shapeReply(apdu, reply, changed);
  }

  private shapeReply(apdu: CommandApdu, reply: Reply, stateChanged: boolean): Uint8Array {
    const data = reply.data ?? EMPTY;
    const sw = reply.sw ?? 0x9000;
    const gsm = apdu.claInfo.base === 0xa0;
    let r = deliver(apdu.claInfo.channel, data, sw, apdu.ne, this.proto === 'T=0', gsm, !apdu.extended, apdu.apduCase, reply.prefix === true);
    // 6Cxx means "not done, resend with Le=xx"; a command that already changed persistent memory
    // must not say that (its result would be lost and a resend would act twice): hold the data
    // behind 61xx/9Fxx instead. Found by test/fuzz (SIGN TRANSACTION, DEBIT, EXPORT with short Le).
    // The same holds for a state change outside persistent memory (a logical channel opened by
    // MANAGE CHANNEL, an approval in RAM consumed: ctx.stateChanged()).
    if (data.length > 0 && r.response.length === 2 && r.pending === null && (this.memory.writesInCommand > 0 || stateChanged)) {
      r = { response: Uint8Array.of(gsm ? 0x9f : 0x61, data.length >= 256 ? 0 : data.length), pending: { channel: apdu.claInfo.channel, data, sw } };
    }
    this.pending = r.pending;
    return r.response;
  }

  /** Case checks from the runtime's own declarations, then the runtime handler. */
  private runtimeCommand(apdu: CommandApdu, run: () => Reply): Uint8Array {
    const found = this.runtimeTable.lookup(apdu.claInfo.base, apdu.ins);
    if (typeof found === 'number') return swBytes(found);
    if (apdu.extended || !caseAllowed(found.cases, apdu.apduCase)) return swBytes(SW.WRONG_LENGTH);
    if (apdu.claInfo.sm !== 0) return swBytes(SW.SECURE_MESSAGING_NOT_SUPPORTED);
    if (apdu.claInfo.chaining) return swBytes(SW.COMMAND_CHAINING_NOT_SUPPORTED);
    const refused = paramsRefused(found, apdu);
    if (refused !== undefined) return swBytes(refused);
    let reply: Reply;
    try {
      reply = run();
    } catch (e) {
      return swBytes(this.afterFailure(e));
    }
    return this.shape(apdu, reply);
  }

  private getResponseCmd(apdu: CommandApdu, gsm: boolean): Uint8Array {
    const found = this.runtimeTable.lookup(apdu.claInfo.base, apdu.ins);
    if (typeof found === 'number' || apdu.extended || !caseAllowed(found.cases, apdu.apduCase)) {
      this.pending = null;
      return swBytes(typeof found === 'number' ? found : SW.WRONG_LENGTH);
    }
    // Class A0 answers with the TS 51.011 §9.4.6 family: 6B00 for P1-P2 (the declaration's), 6F00
    // (technical problem, no diagnosis) when nothing is held; the ISO classes with 6A86 and 6985.
    const refused = paramsRefused(found, apdu);
    if (refused !== undefined) return swBytes(refused);
    const p = this.pending;
    if (p === null || p.channel !== apdu.claInfo.channel) {
      this.pending = null;
      return swBytes(gsm ? SW.NO_PRECISE_DIAGNOSIS : SW.CONDITIONS_NOT_SATISFIED);
    }
    const r = getResponse(p, apdu.ne, this.proto === 'T=0', gsm);
    this.pending = r.pending;
    return r.response;
  }

  // ---- logical channels (ISO/IEC 7816-4 §11.1.2) ----

  private closeAllChannels(): void {
    this.channels = new Array<ChannelState>(MAX_CHANNELS).fill(undefined);
    this.channels[0] = null;
  }

  /**
   * MANAGE CHANNEL (ISO/IEC 7816-4 §11.1.2; TS 102.221 §11.1.17). The forms without response
   * data are case 1, which a T=0 terminal sends with P3=00 ('00 70 80 01 00', '00 70 00 02 00').
   * Opening with P2=00 returns the channel number (Le=01); sent with P3=00 on T=0 (Le=256), the
   * channel is opened and its number held behind 6101 rather than lost to a 6C01.
   */
  private manageChannel(apdu: CommandApdu): Reply {
    const origin = apdu.claInfo.channel;
    const case1 = apdu.apduCase === 1 || apdu.p3Zero;
    if (apdu.p1 === 0x00) {
      let target = apdu.p2;
      if (target === 0) {
        if (apdu.apduCase !== 2) throw new CardError(SW.WRONG_LENGTH, 'MANAGE CHANNEL open with P2=00 needs Le=01');
        target = this.channels.findIndex((c, i) => i > 0 && i < this.channelLimit && c === undefined);
        if (target < 0) throw new CardError(SW.FUNCTION_NOT_SUPPORTED, 'no logical channel available');
      } else {
        if (!case1) throw new CardError(SW.WRONG_LENGTH);
        if (target >= MAX_CHANNELS) throw new CardError(SW.INCORRECT_P1P2, `channel ${target} outside 1..${MAX_CHANNELS - 1}`);
        if (target >= this.channelLimit) throw new CardError(SW.LOGICAL_CHANNEL_NOT_SUPPORTED, `this card has ${this.channelLimit} logical channels`);
        if (this.channels[target] !== undefined) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, `channel ${target} already open`);
      }
      this.channels[target] = null;
      this.stateChanged = true;
      // From the basic channel the default applet is selected; from channel n, n's applet (if it
      // may be), which then starts from channel n's selection (TS 102.221 §11.1.17.2).
      const from = origin === 0 ? this.installed.findIndex((a) => a.isDefault) : (this.channels[origin] ?? -1);
      if (from >= 0) {
        try {
          this.trySelect(target, from, null, origin === 0 ? undefined : origin);
        } catch (e) {
          // The channel opens anyway, with no applet selected (JC 3 RE §4.2.2).
          if (!(e instanceof CardError)) throw e;
          this.channels[target] = null;
        }
      }
      return apdu.p2 === 0 ? { data: Uint8Array.of(target) } : {};
    }
    if (apdu.p1 === 0x80) {
      if (!case1) throw new CardError(SW.WRONG_LENGTH);
      const target = apdu.p2 === 0 ? origin : apdu.p2;
      if (target === 0) throw new CardError(SW.INCORRECT_P1P2, 'the basic channel cannot be closed');
      if (target >= MAX_CHANNELS) throw new CardError(SW.INCORRECT_P1P2);
      if (this.channels[target] === undefined) throw new CardError(SW.LOGICAL_CHANNEL_NOT_SUPPORTED, `channel ${target} is not open`);
      this.deselectOn(target);
      this.channels[target] = undefined;
      return {};
    }
    throw new CardError(SW.INCORRECT_P1P2);
  }

  private activeElsewhere(idx: number, channel: number): boolean {
    return this.channels.some((c, i) => i !== channel && c === idx);
  }

  private deselectOn(channel: number): void {
    const idx = this.channels[channel];
    if (idx === null || idx === undefined) return;
    const inst = this.installed[idx]!;
    this.channels[channel] = null;
    const outer = this.currentChannel;
    this.currentChannel = channel;
    try {
      inst.applet.deselect();
    } catch (e) {
      if (e instanceof PowerLoss) throw e;
    } finally {
      this.currentChannel = outer;
    }
    if (!this.activeElsewhere(idx, channel)) this.transient.clearOnDeselect(inst.aidHex);
  }

  /** Select applet idx on a channel; returns the applet's reply, or throws CardError. */
  private trySelect(channel: number, idx: number, apdu: CommandApdu | null, origin?: number): Reply {
    const inst = this.installed[idx]!;
    if (!inst.applet.multiSelectable && this.activeElsewhere(idx, channel)) {
      throw new CardError(SW.CONDITIONS_NOT_SATISFIED, `applet ${inst.aidHex} is active on another channel and not multi-selectable`);
    }
    this.deselectOn(channel);
    let reply: Reply | void;
    const outer = this.currentChannel;
    this.currentChannel = channel;
    try {
      reply = inst.applet.select(apdu, origin);
    } catch (e) {
      if (e instanceof PowerLoss) throw e;
      throw e instanceof CardError ? e : new CardError(SW.APPLET_SELECT_FAILED);
    } finally {
      this.currentChannel = outer;
      if (this.memory.inTransaction && !this.memory.torn) this.memory.abort();
    }
    this.channels[channel] = idx;
    return reply ?? EMPTY_REPLY;
  }

  /**
   * SELECT by DF name: the runtime answers when an installed applet's AID matches (full or
   * right-truncated, first or next occurrence). Otherwise undefined: the SELECT goes to the
   * current applet if it handles SELECT (e.g. an ADF in a file system), else 6A82.
   */
  private selectByName(apdu: CommandApdu): Uint8Array | undefined {
    const ch = apdu.claInfo.channel;
    const occurrence = apdu.p2 & 0x03;
    const current = this.channels[ch];
    const currentApplet = current === null || current === undefined ? undefined : this.installed[current]!.applet;
    const forward = currentApplet?.commands.handles(0x00, 0xa4) === true;
    if (occurrence === 0x01 || occurrence === 0x03 || (apdu.p2 & 0xf0) !== 0) {
      return forward ? undefined : swBytes(SW.INCORRECT_P1P2);
    }
    const name = apdu.data;
    let idx = -1;
    if (name.length === 0) {
      idx = this.installed.findIndex((a) => a.isDefault);
    } else {
      const start = occurrence === 0x02 && current !== null && current !== undefined ? current + 1 : 0;
      for (let i = start; i < this.installed.length; i++) {
        if (startsWith(this.installed[i]!.aid, name)) {
          idx = i;
          break;
        }
      }
    }
    // No such applet: the current applet's file system may know the name; an applet that does not
    // speak the interindustry class at all (a classic GSM SIM) makes the card answer 6E00.
    if (idx < 0) return forward ? undefined : swBytes(currentApplet?.commands.lookup(0x00, 0xa4) === SW.CLA_NOT_SUPPORTED ? SW.CLA_NOT_SUPPORTED : SW.FILE_NOT_FOUND);
    return this.runtimeCommand(apdu, () => {
      const reply = this.trySelect(ch, idx, apdu);
      return (apdu.p2 & 0x0c) === 0x0c ? { sw: reply.sw } : reply;
    });
  }

  // ---- snapshots ----

  snapshot(): CardSnapshot {
    const persistent = new Map<string, Uint8Array>();
    for (const [k, v] of this.memory.cells) persistent.set(k, v.slice());
    const transient = new Map<string, Uint8Array>();
    for (const [k, v] of this.transient.cells) transient.set(k, v.data.slice());
    const j = this.memory.journalEntries();
    return {
      persistent,
      journal: j === null ? null : j.map((e) => ({ key: e.key, offset: e.offset, before: e.before.slice() })),
      transient,
      channels: this.channels.slice(),
      pending: this.pending === null ? null : { ...this.pending, data: this.pending.data.slice() },
      powered: this.powered,
      session: new Map(this.session.map),
      ...(this.rng instanceof SeededRng ? { rng: this.rng.save() } : {}),
      ...(this.clock instanceof VirtualClock ? { clock: this.clock.now() } : {}),
    };
  }

  restore(s: CardSnapshot): void {
    for (const [k, v] of s.persistent) {
      const cell = this.memory.cells.get(k);
      if (!cell || cell.length !== v.length) throw new Error(`snapshot does not fit this card (cell ${k})`);
      cell.set(v);
    }
    for (const [k, v] of s.transient) this.transient.cells.get(k)?.data.set(v);
    this.memory.restoreJournal(s.journal);
    this.memory.clearTear();
    this.memory.disarmTear();
    this.memory.generation++;
    this.channels = s.channels.slice();
    this.pending = s.pending === null ? null : { ...s.pending, data: s.pending.data.slice() };
    this.powered = s.powered;
    this.session.map.clear();
    for (const [k, v] of s.session) this.session.map.set(k, v);
    if (s.rng && this.rng instanceof SeededRng) this.rng.load(s.rng);
    if (s.clock !== undefined && this.clock instanceof VirtualClock) this.clock.set(s.clock);
  }

  /** Which applet is selected on a channel (for tools and tests). */
  selectedOn(channel: number): InstalledApplet | null | undefined {
    const c = this.channels[channel];
    return c === undefined ? undefined : c === null ? null : this.installed[c]!;
  }
}

const EMPTY = new Uint8Array(0);
const EMPTY_REPLY: Reply = {};

function caseAllowed(mask: number, c: number): boolean {
  // A case-4 command may arrive without Le (T=0 readers never send it): accept it as case 3 form.
  return (mask & (1 << c)) !== 0 || (c === 3 && (mask & (1 << 4)) !== 0);
}

function startsWith(aid: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > aid.length) return false;
  for (let i = 0; i < prefix.length; i++) if (aid[i] !== prefix[i]) return false;
  return true;
}
