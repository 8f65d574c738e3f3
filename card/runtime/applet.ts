/**
 * The applet model (Java Card style): an applet is installed under an AID with parameters,
 * selected / deselected per logical channel, and processes the commands it declares.
 * Commands are declared in apdu-specs/ and bound to handlers in a CommandTable; the dispatcher
 * answers 6E00 / 6D00 / 6700 from the table, then the applet's guard (a blank applet: 6985), then a
 * P1-P2 the declaration does not accept with the declared SW (paramsRefused), before a handler runs, so handlers only see well-formed commands of
 * their declared case and parameters. A handler returns a Reply or throws CardError.
 */
import type { CommandSpec, ClassPattern, ApduCase } from '../../apdu-specs/types.js';
import { SW } from '../../apdu-specs/status-words.js';
import { p1p2Refusal, p1p2RefusalCheck, p1p2Sw, type P1P2Check } from '../../apdu-specs/p1p2.js';
import type { CommandApdu } from './apdu.js';
import { CardError } from './errors.js';
import type { PersistentStore } from './store.js';
import type { TransientStore } from './transient.js';
import type { Rng, Clock } from './rng.js';
import type { CryptoProvider } from './crypto.js';
import type { SessionFacts } from './session.js';
import type { CardManager } from './registry.js';

export interface Reply {
  readonly data?: Uint8Array;
  /** Defaults to 9000. */
  readonly sw?: number;
  /**
   * Class A0 only: a P3 shorter than the data returns its first P3 bytes instead of 67xx (TS 51.011
   * §9.2.2 STATUS: "the first P3 bytes of the response"). GET RESPONSE does so by itself.
   */
  readonly prefix?: boolean;
}

/**
 * A command's handler. `spec` is the declaration the dispatcher matched (the table entry's), so a
 * handler whose P1-P2 declaration is `checkedBy: 'handler'` checks it with checkParams(apdu, spec)
 * at the point its other checks leave for it. `apdu` is the card's one command view, refilled for
 * every command (no object per APDU), and `apdu.data` a view of the caller's command bytes: use
 * them during the command, copy what must outlive it (`apdu.data.slice()`).
 */
export type Handler = (apdu: CommandApdu, spec: CommandSpec) => Reply | void;

/** JSON-serializable install parameters (kept in the card image). */
export type AppletParams = { readonly [key: string]: unknown };

export interface AppletContext {
  readonly aid: Uint8Array;
  readonly persistent: PersistentStore;
  readonly transient: TransientStore;
  readonly rng: Rng;
  readonly clock: Clock;
  /**
   * The card's crypto provider (issue 20), or undefined for the pure-TypeScript default: applets
   * reach it through cryptoOf(ctx) of card/algorithms/provider.ts.
   */
  readonly crypto?: CryptoProvider | undefined;
  /**
   * The capability to install, delete and set the life cycle of instances at run time
   * (card/runtime/registry.ts): present only while this instance's registry privileges include
   * Security Domain and Authorized Management (an Issuer Security Domain), else undefined.
   */
  readonly cardManager?: CardManager | undefined;
  /** Card-wide session facts: read any, set only those this applet's type owns (apdu-specs/session-facts.ts). */
  readonly session: SessionFacts;
  /** 'T=0' or 'T=1', as the ATR decided. */
  readonly protocol: () => 'T=0' | 'T=1';
  /**
   * The logical channel (0..19) of the command being processed, or of the selection in progress
   * (javacard.framework.APDU.getCLAChannel / JCSystem.getAssignedChannel): a multi-selectable
   * applet keeps its per-channel state (current file, record pointer) by it.
   */
  readonly channel: () => number;
  /**
   * The command in progress changed state that is not persistent memory (consumed a one-shot
   * approval in RAM, opened something): a resend would not act the same, so the runtime holds its
   * response data behind 61xx instead of answering 6Cxx ("resend with Le=xx"), as it does on its
   * own after a persistent write.
   */
  stateChanged(): void;
  beginTransaction(): void;
  commitTransaction(): void;
  abortTransaction(): void;
  readonly inTransaction: () => boolean;
}

export abstract class Applet {
  abstract readonly commands: CommandTable;
  /** javacardx.apdu.ExtendedLength: whether extended-length APDUs may reach this applet. */
  readonly extendedLength: boolean = false;
  /** javacard.framework.MultiSelectable: whether it may be selected on two channels at once. */
  readonly multiSelectable: boolean = false;
  readonly secureMessaging: boolean = false;
  readonly commandChaining: boolean = false;

  /**
   * `params` is the applet's layout (which files, how many records…): kept in the card image and
   * given again when the image is loaded, so allocation is the same. Never put secrets in params.
   */
  constructor(protected readonly ctx: AppletContext, _params: AppletParams = {}) {}

  /**
   * Called once when the applet is installed (not when a card image is loaded) with the
   * personalization values (keys, PINs, file contents); writes them to persistent memory. The
   * personalization object itself is not kept anywhere.
   */
  install(_personalization: unknown): void {}

  /**
   * Selection on ctx.channel(): return FCI data, or throw CardError to refuse (the channel then
   * has no applet). `apdu` is null at power-up and MANAGE CHANNEL; `origin` is set when MANAGE
   * CHANNEL opened the channel from another non-basic channel where this applet is selected, whose
   * state the new channel starts from (TS 102.221 §11.1.17.2).
   */
  select(_apdu: CommandApdu | null, _origin?: number): Reply | void {}

  /** Deselection on ctx.channel() (SELECT of another applet there, or MANAGE CHANNEL close). */
  deselect(): void {}

  /**
   * GlobalPlatform's Application.processData (GP CS 2.3.1 §11.11, STORE DATA after INSTALL [for
   * personalization]): data the application's security domain forwards to it, unwrapped from the
   * secure channel (CardManager.processData). Return the response data, or throw CardError to answer
   * with its SW. An applet without it cannot be personalized through a security domain.
   */
  processData?(data: Uint8Array): Uint8Array | void;

  /**
   * The card life cycle (GP CS 2.3.1 §5.1, Table 11-6 coding), for the security domain that keeps
   * it: the runtime asks the card-manager instance (the ISD) and, while it is CARD_LOCKED (7F),
   * lets only that instance and applications with the Final Application privilege be selected,
   * while TERMINATED (FF) only that instance.
   */
  cardLifeCycle?(): number;

  /**
   * Whether this applet hosts an application named `name` (a DF name / AID, full or right-truncated)
   * that is not an applet instance of its own — a UICC's ADF.USIM / ADF.ISIM inside the SIM
   * applet's file system. When the channel's current applet does not take the SELECT (the ISD,
   * another applet), the runtime selects the hosting applet on the channel and passes it the
   * SELECT, as a UICC selects an ADF whatever application is current (TS 102.221 §11.1.1).
   * Default: none.
   */
  hostsApplication(_name: Uint8Array): boolean {
    return false;
  }
}

/** An applet instance's persistent fields by name (cell name without the instance AID) → contents. */
export type LayoutFields = Record<string, Uint8Array>;

export interface AppletClass {
  /** Stable type name stored in card images, e.g. "cardforge.loopback". */
  readonly type: string;
  /**
   * Version of the applet's persistent-field layout (names and sizes of the cells it allocates),
   * stored per instance in card images; default 1. Bump it when a release renames, resizes, adds
   * or drops a cell, and give `migrateLayout` so images written with an older layout still load.
   */
  readonly layout?: number;
  /**
   * Turn an image's fields written with layout `from` (< `layout`) into the current layout's
   * fields — exactly the cells the constructor allocates for `params`, each at its size; the
   * loader checks that and names any field that does not fit. Called after the open transaction's
   * before-images of this instance are rolled back (as the next power-up would do), with fields
   * that are the loader's copies (free to reuse in the result). Without it, an older layout is
   * refused.
   */
  migrateLayout?(from: number, fields: LayoutFields, params: AppletParams): LayoutFields;
  /**
   * GlobalPlatform AIDs of the class as an executable load file and its module (GET STATUS,
   * INSTALL [for install]); constants of apdu-specs/aids.ts. Optional: CardManager.loadFiles
   * reports them when given.
   */
  readonly loadFileAid?: Uint8Array;
  readonly moduleAid?: Uint8Array;
  new (ctx: AppletContext, params: AppletParams): Applet;
}

export interface TableEntry {
  readonly spec: CommandSpec;
  readonly handler: Handler;
  readonly cases: number; // bit mask of allowed cases (1 << case)
}

export type Lookup = TableEntry | number;

/**
 * A state check of the applet the dispatcher runs after the class, INS and length checks and before
 * the P1-P2 check: throws CardError to answer (the not-personalized gate, perso.ts: 6985 on a blank
 * applet), else returns to go on.
 */
export type CommandGuard = (spec: CommandSpec) => void;

export interface CommandTableOptions {
  /**
   * Commands whose class the applet does not otherwise speak — another INS in that class answers
   * 6E00 (class not supported) rather than 6D00 (a classic SIM takes cardforge's class-80
   * personalization STORE DATA, yet answers any other class-80 command 6E00 as TS 51.011 §9.4.6
   * has it).
   */
  readonly soleCommands?: readonly string[];
  /** Checked before P1-P2 and the handler (CommandGuard). */
  readonly guard?: CommandGuard;
}

/**
 * The dispatcher's P1-P2 check, after the class, INS and case checks: the SW the command's
 * declaration (CommandSpec.p1p2) gives a P1-P2 it does not accept — 6A86, 6B00 in class A0, or the
 * declared one — or undefined to run the handler (accepted, not declared, or checked by the handler).
 */
export function paramsRefused(entry: TableEntry, apdu: Pick<CommandApdu, 'p1' | 'p2'>): number | undefined {
  const { p1, p2 } = apdu;
  // A table's own entry carries the check compiled once (apdu-specs p1p2RefusalCheck), for bytes.
  const check = (entry as Partial<CompiledEntry>).refusal;
  return check !== undefined && (p1 & 0xff) === p1 && (p2 & 0xff) === p2 ? check(p1, p2) : p1p2Refusal(entry.spec, p1, p2);
}

/** A CommandTable's entry: the declaration's P1-P2 check compiled with it. */
interface CompiledEntry extends TableEntry {
  readonly refusal: P1P2Check;
}

/** Slots of the (base class, INS) index: 00, 80 and the 32 proprietary classes A0..BF that keep their own base. */
const SLOTS = 34;

function baseSlot(base: number): number {
  if (base === 0x00) return 0;
  if (base === 0x80) return 1;
  return base >= 0xa0 && base <= 0xbf ? base - 0x9e : -1;
}

/**
 * The handler's P1-P2 check, at the point it chooses (a declaration `checkedBy: 'handler'`, whose
 * data-length or state checks answer first): throws CardError with the declared SW — 6A86, 6B00 in
 * class A0, or the declaration's own — when no form of the declaration accepts P1-P2. State the
 * declaration cannot say (a record past the log, a slot past the layout) stays the handler's.
 */
export function checkParams(apdu: Pick<CommandApdu, 'p1' | 'p2'>, spec: CommandSpec): void {
  const sw = p1p2Sw(spec, apdu.p1, apdu.p2);
  if (sw !== undefined) throw new CardError(sw, `P1-P2 ${((apdu.p1 << 8) | apdu.p2).toString(16).padStart(4, '0')} not accepted by ${spec.name}`);
}

function matches(p: ClassPattern, base: number): boolean {
  return (base & p.mask) === p.value;
}

/**
 * Dispatch table: declarations from apdu-specs bound one-to-one to handlers. Binding a spec
 * without a handler, or a handler without a spec, is an error at construction.
 */
export class CommandTable {
  private readonly byIns: (TableEntry[] | undefined)[] = new Array(256);
  private readonly patterns: ClassPattern[] = [];
  /**
   * lookup()'s answers by (base class slot, INS), filled on first use: two array reads per command
   * instead of a walk over the INS's entries and the class patterns.
   */
  private readonly index: ((Lookup | undefined)[] | undefined)[] = new Array<(Lookup | undefined)[] | undefined>(SLOTS).fill(undefined);
  readonly specs: readonly CommandSpec[];
  /** The applet's state check before P1-P2 (CommandTableOptions.guard), if any. */
  readonly guard: CommandGuard | undefined;

  constructor(specs: readonly CommandSpec[], handlers: { readonly [name: string]: Handler }, opts: CommandTableOptions = {}) {
    this.specs = specs;
    this.guard = opts.guard;
    const names = new Set<string>();
    for (const spec of specs) {
      const handler = handlers[spec.name];
      if (!handler) throw new Error(`command ${spec.name} is declared but has no handler`);
      names.add(spec.name);
      let mask = 0;
      for (const c of spec.cases as readonly ApduCase[]) mask |= 1 << c;
      const entry: CompiledEntry = { spec, handler, cases: mask, refusal: p1p2RefusalCheck(spec) };
      (this.byIns[spec.ins] ??= []).push(entry);
      const sole = opts.soleCommands?.includes(spec.name) === true;
      if (!sole && !this.patterns.some((p) => p.value === spec.cla.value && p.mask === spec.cla.mask)) this.patterns.push(spec.cla);
    }
    for (const name of Object.keys(handlers)) if (!names.has(name)) throw new Error(`handler ${name} has no declaration in apdu-specs`);
  }

  /** The entry for (base class, INS), or the SW to answer: 6E00 unknown class, 6D00 unknown INS. */
  lookup(base: number, ins: number): Lookup {
    const slot = baseSlot(base);
    if (slot < 0 || (ins & 0xff) !== ins) return this.search(base, ins);
    // A row of 256 per base class, made when the class is first seen (most tables see 00 and 80).
    const row = (this.index[slot] ??= new Array<Lookup | undefined>(256).fill(undefined));
    const hit = row[ins];
    return hit !== undefined ? hit : (row[ins] = this.search(base, ins));
  }

  private search(base: number, ins: number): Lookup {
    const list = this.byIns[ins];
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const e = list[i]!;
        if ((base & e.spec.cla.mask) === e.spec.cla.value) return e;
      }
    }
    for (const p of this.patterns) if (matches(p, base)) return SW.INS_NOT_SUPPORTED;
    return SW.CLA_NOT_SUPPORTED;
  }

  handles(base: number, ins: number): boolean {
    return typeof this.lookup(base, ins) !== 'number';
  }
}
