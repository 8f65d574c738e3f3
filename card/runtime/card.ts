/**
 * The Card: persistent and transient memory, installed applets, logical channels and the ATR.
 * powerOn() → ATR, transmit(command) → response, reset(), powerOff(), tearAfterWrites(n),
 * snapshot()/restore(). Every transport wraps this one object, so in-process tests, the vpcd
 * endpoint and trace replays run identical code. transmit() never throws for any command bytes;
 * it throws only when the card is not powered or an injected tear cut the power.
 * This file holds power, parsing and routing; the rest lives by concern: channels.ts (channels
 * and selection), runtime-commands.ts (the runtime's own commands), dispatch.ts (table dispatch),
 * responder.ts (response shaping, GET RESPONSE), snapshot.ts, session.ts.
 */
import { SW } from '../../apdu-specs/status-words.js';
import { CommandApdu, decodeCla, parseCommandInto } from './apdu.js';
import type { Applet, AppletClass, AppletContext, AppletParams } from './applet.js';
import { atrLogicalChannels, parseAtr, buildAtr } from './atr.js';
import { bytesToHex, hexToBytes } from './bytes.js';
import { Channels, MAX_CHANNELS, type InstalledApplet } from './channels.js';
import { dispatch, type DispatchEnv } from './dispatch.js';
import { CardError, CardNotPoweredError, CardPowerLostError, PowerLoss } from './errors.js';
import { PersistentMemory } from './memory.js';
import { Responder } from './responder.js';
import { swBytes } from './response.js';
import { CryptoRng, SystemClock, type Clock, type Rng } from './rng.js';
import { defaultCryptoProvider, type CryptoProvider } from './crypto.js';
import { RuntimeCommands } from './runtime-commands.js';
import { SessionState } from './session.js';
import { restoreSnapshot, takeSnapshot, type CardSnapshot, type SnapshotParts } from './snapshot.js';
import { PersistentStore } from './store.js';
import {
  CARD_LIFE_CYCLE_RESTRICTING,
  LIFE_CYCLE,
  PRIVILEGE,
  REGISTRY_CELL_LENGTH,
  collectUncommitted,
  durableRegistry,
  hasPrivilege,
  isCardManager,
  isLifeCycle,
  isSelectableLifeCycle,
  privilegesOf,
  registryKey,
  type CardManager,
  type RegistryHost,
} from './registry.js';
import { cardManagerFor } from './card-manager.js';
import { TransientMemory, TransientStore } from './transient.js';

export { MAX_CHANNELS, type InstalledApplet } from './channels.js';
export type { CardSnapshot } from './snapshot.js';

const NO_BYTES = new Uint8Array(0);

/** Default ATR: T=1 only, historical bytes "cardforge". */
export const DEFAULT_ATR: Uint8Array = buildAtr([1], new TextEncoder().encode('cardforge'));

export interface CardOptions {
  atr?: Uint8Array;
  /** Override the protocol the ATR implies (a reader may negotiate it). */
  protocol?: 'T=0' | 'T=1';
  rng?: Rng;
  clock?: Clock;
  /** Crypto provider (issue 20); default: defaultCryptoProvider(), else the pure-TypeScript one. */
  crypto?: CryptoProvider;
  /**
   * The applet classes the card can instantiate at run time (GlobalPlatform's executable load
   * files, CardManager.loadFiles/install), by AppletClass.type. card/runtime knows no applet:
   * the host injects them (APPLET_REGISTRY of card/applets, plus user classes). Default: none.
   */
  appletClasses?: ReadonlyMap<string, AppletClass>;
}

export interface InstallOptions {
  aid: Uint8Array | string;
  /** Layout parameters: stored in the image, passed to the constructor. No secrets. */
  params?: AppletParams;
  /** Values for install(): keys, PINs, contents. Consumed once, never stored. */
  personalization?: unknown;
  /** Selected on channel 0 after every power-up/reset. */
  default?: boolean;
  /** GlobalPlatform privileges (3 bytes or 6 hex digits, GP CS Tables 11-7..11-9); default none. */
  privileges?: Uint8Array | string;
  /** GlobalPlatform life cycle byte (Table 11-4/11-5); default SELECTABLE (07). */
  lifeCycle?: number;
}

export class Card {
  readonly memory = new PersistentMemory();
  readonly transient = new TransientMemory();
  readonly rng: Rng;
  readonly clock: Clock;
  /** The crypto provider the applets use (undefined: the pure-TypeScript default); may be replaced. */
  crypto: CryptoProvider | undefined;
  /** The classes CardManager.install may instantiate (CardOptions.appletClasses); may be replaced. */
  appletClasses: ReadonlyMap<string, AppletClass>;
  private readonly session = new SessionState();
  private readonly installed: InstalledApplet[] = [];
  private readonly channels: Channels;
  private readonly responder: Responder;
  private readonly runtime: RuntimeCommands;
  private readonly appletEnv: DispatchEnv;
  private readonly runtimeEnv: DispatchEnv;
  private readonly registryHost: RegistryHost;
  /**
   * The one command view every command is parsed into (no object per command): handlers get it for
   * the length of their command only, which is the Handler contract.
   */
  private readonly command = new CommandApdu(NO_BYTES, 0, 0, 0, 0, NO_BYTES, 0, true, 1, false, decodeCla(0)!);
  private powered = false;
  private atrBytes: Uint8Array;
  private proto: 'T=0' | 'T=1';
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
    this.crypto = opts.crypto ?? defaultCryptoProvider();
    this.appletClasses = opts.appletClasses ?? new Map();
    const selectable = (i: number): boolean => {
      const cell = this.memory.cells.get(registryKey(this.installed[i]!.aidHex));
      if (cell !== undefined && !isSelectableLifeCycle(cell[0]!)) return false;
      // The card life cycle its issuer security domain keeps (GP CS 2.3.1 §5.1.1.4-5): CARD_LOCKED
      // lets only the ISD and applications with the Final Application privilege be selected,
      // TERMINATED only the ISD (for GET DATA).
      const manager = this.cardLifeCycleKeeper();
      if (manager === undefined || manager.index === i) return true;
      if (manager.lifeCycle === CARD_LIFE_CYCLE_RESTRICTING.CARD_LOCKED) return cell !== undefined && hasPrivilege(cell.subarray(1), PRIVILEGE.FINAL_APPLICATION);
      return manager.lifeCycle !== CARD_LIFE_CYCLE_RESTRICTING.TERMINATED;
    };
    this.channels = new Channels(this.channelLimit, this.installed, this.memory, this.transient, selectable);
    this.registryHost = {
      memory: this.memory,
      installed: this.installed,
      freeTransient: (aidHex) => {
        for (const key of [...this.transient.cells.keys()]) if (this.transient.cells.get(key)!.owner === aidHex) this.transient.cells.delete(key);
      },
      appletClasses: () => this.appletClasses,
      instantiate: (cls, aid, params, privileges) => this.create(cls, aid, params, false, Uint8Array.of(0, ...privileges)),
      selectedAnywhere: (i) => this.channels.selectedAnywhere(i),
      removedAt: (i) => this.channels.removedAt(i),
    };
    this.responder = new Responder(() => this.proto === 'T=0', () => this.memory.writesInCommand);
    this.runtime = new RuntimeCommands(this.channels, this.responder);
    const protocol = (): 'T=0' | 'T=1' => this.proto;
    const refused = (sw: number): Uint8Array => {
      this.responder.pending = null;
      return swBytes(sw);
    };
    this.appletEnv = { memory: this.memory, protocol, refused, respond: (apdu, reply) => this.responder.shape(apdu, reply) };
    this.runtimeEnv = { memory: this.memory, protocol, refused, respond: (apdu, reply) => this.runtime.respond(apdu, reply) };
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

  /**
   * Create the instance without running install() (used when loading an image); its registry entry
   * is committed at once (life cycle and privileges from opts), which is not a counted write.
   */
  instantiate(cls: AppletClass, opts: InstallOptions): InstalledApplet {
    const aid = typeof opts.aid === 'string' ? hexToBytes(opts.aid) : opts.aid.slice();
    const privileges = privilegesOf('privileges', opts.privileges);
    const lifeCycle = opts.lifeCycle ?? LIFE_CYCLE.SELECTABLE;
    if (!isLifeCycle(lifeCycle)) throw new RangeError(`"lifeCycle" expected a GlobalPlatform life cycle coding (GP CS Table 11-4/11-5), got ${String(lifeCycle)}`);
    return this.create(cls, aid, opts.params ?? {}, opts.default === true, Uint8Array.of(lifeCycle, ...privileges));
  }

  private create(cls: AppletClass, aid: Uint8Array, params: AppletParams, isDefault: boolean, registry: Uint8Array): InstalledApplet {
    if (aid.length < 5 || aid.length > 16) throw new RangeError(`"aid" expected 5..16 bytes, got ${aid.length}`);
    const aidHex = bytesToHex(aid);
    if (this.installed.some((a) => a.aidHex === aidHex)) throw new RangeError(`an applet with AID ${aidHex} is already installed`);
    if (isDefault && this.installed.some((a) => a.isDefault)) throw new RangeError('a default applet is already installed');
    const ctx = this.contextFor(aid, aidHex, cls.type);
    this.memory.allocate(registryKey(aidHex), REGISTRY_CELL_LENGTH, registry);
    let applet: Applet;
    try {
      applet = new cls(ctx, params);
    } catch (e) {
      // A constructor that refuses leaves no trace: the cells it allocated so far go too.
      for (const key of [...this.memory.cells.keys()]) if (key.startsWith(`${aidHex}/`)) this.memory.cells.delete(key);
      this.memory.cells.delete(registryKey(aidHex));
      this.registryHost.freeTransient(aidHex);
      throw e;
    }
    const inst: InstalledApplet = { aid, aidHex, type: cls.type, params, isDefault, applet };
    this.installed.push(inst);
    return inst;
  }

  /**
   * The registry's durable view of an installed instance (GP CS §11.1.1–11.1.2): life cycle and
   * privileges as the next power-up leaves them, or undefined when it has no committed entry.
   */
  registryOf(aid: Uint8Array | string): { lifeCycle: number; privileges: Uint8Array } | undefined {
    const hex = typeof aid === 'string' ? aid.toLowerCase() : bytesToHex(aid);
    if (!this.installed.some((a) => a.aidHex === hex)) return undefined;
    const cell = durableRegistry(this.registryHost, hex);
    if (cell === undefined || cell[0] === 0) return undefined;
    return { lifeCycle: cell[0]!, privileges: cell.slice(1) };
  }

  /** The committed card-manager instance (the ISD) that keeps the card life cycle, and that life cycle. */
  private cardLifeCycleKeeper(): { index: number; lifeCycle: number } | undefined {
    for (let i = 0; i < this.installed.length; i++) {
      const inst = this.installed[i]!;
      const keeper = inst.applet.cardLifeCycle;
      if (keeper === undefined) continue;
      const cell = this.memory.cells.get(registryKey(inst.aidHex));
      if (cell === undefined || cell[0] === 0 || !isCardManager(cell.subarray(1))) continue;
      return { index: i, lifeCycle: keeper.call(inst.applet) };
    }
    return undefined;
  }

  private contextFor(aid: Uint8Array, aidHex: string, type: string): AppletContext {
    const mem = this.memory;
    const provider = (): CryptoProvider | undefined => this.crypto;
    const host = this.registryHost;
    let manager: CardManager | undefined;
    return {
      aid,
      get crypto(): CryptoProvider | undefined {
        return provider();
      },
      get cardManager(): CardManager | undefined {
        const cell = mem.cells.get(registryKey(aidHex));
        if (cell === undefined || cell[0] === 0 || !isCardManager(cell.subarray(1))) return undefined;
        return (manager ??= cardManagerFor(host, aidHex));
      },
      persistent: new PersistentStore(mem, aidHex),
      transient: new TransientStore(this.transient, aidHex),
      rng: this.rng,
      clock: this.clock,
      session: this.session.viewFor(type),
      protocol: () => this.proto,
      channel: () => this.channels.current,
      stateChanged: () => {
        this.responder.stateChanged = true;
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
    // Instances whose registry entry is not committed (a torn install or delete) go now.
    collectUncommitted(this.registryHost);
    this.transient.clearAll();
    this.session.clear();
    this.responder.pending = null;
    this.channels.closeAll();
    this.powered = true;
    this.channels.selectDefault();
    return this.atr;
  }

  /** Warm reset: the same card-side effects as a power cycle. */
  reset(): Uint8Array {
    return this.powerOn();
  }

  powerOff(): void {
    this.powered = false;
    this.responder.pending = null;
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
    } finally {
      // The view must not keep the caller's command (a PIN, a key) past the command.
      const view = this.command as { bytes: Uint8Array; data: Uint8Array };
      view.bytes = NO_BYTES;
      view.data = NO_BYTES;
    }
    // An applet that swallowed the PowerLoss cannot answer: the power is gone.
    if (this.memory.torn) return this.powerLost();
    this.memory.disarmTear();
    return out;
  }

  private powerLost(): never {
    this.powered = false;
    this.responder.pending = null;
    this.memory.disarmTear();
    throw new CardPowerLostError(this.memory.tornAfter);
  }

  private process(bytes: Uint8Array): Uint8Array {
    // A command that failed after signalling a change must not lend the signal to the next one.
    this.responder.stateChanged = false;
    const apdu = this.command;
    try {
      parseCommandInto(apdu, bytes);
    } catch (e) {
      this.responder.pending = null;
      if (e instanceof CardError) return swBytes(e.sw);
      throw e;
    }
    const ch = apdu.claInfo.channel;
    this.channels.current = ch;
    if (!this.channels.isOpen(ch)) {
      this.responder.pending = null;
      return swBytes(SW.LOGICAL_CHANNEL_NOT_SUPPORTED);
    }
    // One look-up in the runtime's table serves the GET RESPONSE test, the route and the dispatch.
    const own = this.runtime.commands.lookup(apdu.claInfo.base, apdu.ins);
    if (!this.runtime.keepsPending(own)) this.responder.pending = null;
    const route = this.runtime.route(apdu, own);
    if (typeof route === 'number') return swBytes(route);
    if (route === 'runtime') return dispatch(this.runtime, apdu, this.runtimeEnv, own);
    const selected = this.channels.selectedOn(ch);
    if (!selected) return swBytes(SW.APPLET_SELECT_FAILED);
    return dispatch(selected.applet, apdu, this.appletEnv);
  }

  // ---- snapshots ----

  private get parts(): SnapshotParts {
    return {
      memory: this.memory,
      transient: this.transient,
      channels: this.channels,
      responder: this.responder,
      session: this.session,
      rng: this.rng,
      clock: this.clock,
      installed: this.installed,
    };
  }

  snapshot(): CardSnapshot {
    return takeSnapshot(this.parts, this.powered);
  }

  restore(s: CardSnapshot): void {
    restoreSnapshot(this.parts, s);
    this.powered = s.powered;
  }

  /** Which applet is selected on a channel (for tools and tests). */
  selectedOn(channel: number): InstalledApplet | null | undefined {
    return this.channels.selectedOn(channel);
  }
}
