/**
 * The card's registry of applet instances (GlobalPlatform Card Specification 2.3.1 §5.3, §6.6,
 * §11.1.1–11.1.2: the GlobalPlatform Registry's AID, life cycle state and privileges of each
 * application), persistent and tear-safe, and the privileged capability that changes it at run time
 * (CardManager: INSTALL [for install and make selectable], DELETE, SET STATUS of a security domain;
 * implemented in card-manager.ts).
 *
 * Each instance has one runtime-owned persistent cell, "@registry/<aid hex>", of four bytes:
 * life cycle (Table 11-4/11-5) ‖ privileges (Tables 11-7..11-9). Its first byte is the commit
 * record: 00 — never a GlobalPlatform life cycle — means "no entry". A run-time install allocates
 * the instance's cells, runs its install() (personalization), then writes the life cycle byte: one
 * atomic write, the commit point. A delete writes 00 over it (the commit point), then frees the
 * instance's cells. A tear before the commit leaves cells no entry owns; the next power-up (after
 * the transaction rollback) frees them, so a tear at any write leaves the old registry or the new
 * one, never half an instance (test/runtime/registry.test.ts sweeps every point).
 *
 * Instances created with the card image (Card.install / Card.instantiate) get their cell already
 * committed at allocation (SELECTABLE, the privileges given), which is not a counted write: images
 * and tear sweeps of cards that never use the registry are what they were.
 */
import type { AppletClass, AppletParams } from './applet.js';
import { CardError } from './errors.js';

/** Prefix of the registry cells in PersistentMemory (no instance AID, which is hex, starts with it). */
export const REGISTRY_CELL_PREFIX = '@registry/';
/** Bytes of a registry cell: life cycle, privileges (3). */
export const REGISTRY_CELL_LENGTH = 4;

/** GP CS 2.3.1 Tables 11-4 and 11-5: application and security domain life cycle codings. */
export const LIFE_CYCLE = Object.freeze({
  INSTALLED: 0x03,
  SELECTABLE: 0x07,
  /** Security domains (Table 11-5); an application's own states keep b1–b3 set (07 | b4–b7). */
  PERSONALIZED: 0x0f,
  /** b8: LOCKED, the other bits keep the state it was locked from (§5.3.1.3). */
  LOCKED_BIT: 0x80,
} as const);

/** The card life cycle states that restrict selection (GP CS 2.3.1 Table 11-6; kept by the ISD: Applet.cardLifeCycle). */
export const CARD_LIFE_CYCLE_RESTRICTING = Object.freeze({ CARD_LOCKED: 0x7f, TERMINATED: 0xff } as const);

/** GP CS 2.3.1 Tables 11-7..11-9: privilege bits as [byte index, mask]. */
export const PRIVILEGE = Object.freeze({
  SECURITY_DOMAIN: [0, 0x80],
  DAP_VERIFICATION: [0, 0xc0],
  DELEGATED_MANAGEMENT: [0, 0xa0],
  CARD_LOCK: [0, 0x10],
  CARD_TERMINATE: [0, 0x08],
  CARD_RESET: [0, 0x04],
  CVM_MANAGEMENT: [0, 0x02],
  MANDATED_DAP_VERIFICATION: [0, 0xc1],
  TRUSTED_PATH: [1, 0x80],
  AUTHORIZED_MANAGEMENT: [1, 0x40],
  TOKEN_MANAGEMENT: [1, 0x20],
  GLOBAL_DELETE: [1, 0x10],
  GLOBAL_LOCK: [1, 0x08],
  GLOBAL_REGISTRY: [1, 0x04],
  FINAL_APPLICATION: [1, 0x02],
  GLOBAL_SERVICE: [1, 0x01],
  RECEIPT_GENERATION: [2, 0x80],
  CIPHERED_LOAD_FILE_DATA_BLOCK: [2, 0x40],
  CONTACTLESS_ACTIVATION: [2, 0x20],
  CONTACTLESS_SELF_ACTIVATION: [2, 0x10],
} as const satisfies Record<string, readonly [number, number]>);

/** Whether 3-byte `privileges` hold privilege `p` (every bit of its mask). */
export function hasPrivilege(privileges: Uint8Array, p: readonly [number, number]): boolean {
  return ((privileges[p[0]] ?? 0) & p[1]) === p[1];
}

/**
 * The privileges that hand an instance the CardManager: a security domain with Authorized
 * Management (GP CS 2.3.1 §6.6: manages card content without tokens — the Issuer Security Domain).
 */
export const CARD_MANAGER_PRIVILEGES = [PRIVILEGE.SECURITY_DOMAIN, PRIVILEGE.AUTHORIZED_MANAGEMENT] as const;

export function isCardManager(privileges: Uint8Array): boolean {
  return CARD_MANAGER_PRIVILEGES.every((p) => hasPrivilege(privileges, p));
}

/**
 * A life cycle byte GP CS 2.3.1 Table 11-4/11-5 allows: b1 b2 set; unlocked either INSTALLED (03)
 * or b3 set (SELECTABLE and the application-specific/PERSONALIZED states); LOCKED is b8 over one of those.
 */
export function isLifeCycle(value: number): boolean {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) return false;
  const base = value & 0x7f;
  if ((base & 0x03) !== 0x03) return false;
  return base === LIFE_CYCLE.INSTALLED || (base & 0x04) !== 0;
}

/** Selectable explicitly or implicitly: not LOCKED, not merely INSTALLED (§5.3.1.1, §5.3.1.3). */
export function isSelectableLifeCycle(value: number): boolean {
  return isLifeCycle(value) && (value & LIFE_CYCLE.LOCKED_BIT) === 0 && value !== LIFE_CYCLE.INSTALLED;
}

/** Parse privileges given as 3 bytes or 6 hex digits; throws RangeError naming `name`. */
export function privilegesOf(name: string, value: Uint8Array | string | undefined): Uint8Array {
  if (value === undefined) return new Uint8Array(3);
  if (typeof value === 'string') {
    if (!/^[0-9a-fA-F]{6}$/.test(value)) throw new RangeError(`"${name}" expected 3 bytes as 6 hex digits (GP CS Table 11-7..11-9), got ${JSON.stringify(value)}`);
    const out = new Uint8Array(3);
    for (let i = 0; i < 3; i++) out[i] = parseInt(value.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  if (!(value instanceof Uint8Array) || value.length !== 3) {
    throw new RangeError(`"${name}" expected 3 bytes (GP CS Table 11-7..11-9), got ${value instanceof Uint8Array ? `${value.length} bytes` : typeof value}`);
  }
  return value.slice();
}

/** One entry of the registry as CardManager reports it (copies: changing them changes nothing). */
export interface RegistryEntry {
  readonly aid: Uint8Array;
  readonly aidHex: string;
  /** The applet class (executable load file) it is an instance of. */
  readonly type: string;
  readonly lifeCycle: number;
  readonly privileges: Uint8Array;
  readonly isDefault: boolean;
  readonly params: AppletParams;
}

/** An applet class the card can instantiate (GP's executable load file with its one module). */
export interface ExecutableLoadFile {
  readonly type: string;
  /** AppletClass.layout (default 1). */
  readonly layout: number;
  /** AppletClass.loadFileAid / moduleAid when the class declares them (apdu-specs/aids.ts). */
  readonly loadFileAid?: Uint8Array;
  readonly moduleAid?: Uint8Array;
}

export interface InstallRequest {
  /** The applet class, by AppletClass.type. */
  readonly type: string;
  readonly aid: Uint8Array;
  /** 3 bytes; default none. */
  readonly privileges?: Uint8Array;
  /** Layout parameters (kept in the registry and the image); default {}. */
  readonly params?: AppletParams;
  /** Given to the instance's install() once, never stored by the runtime. */
  readonly personalization?: unknown;
  /** INSTALLED (03, [for install]) or a selectable state (07, [for install and make selectable]); default 07. */
  readonly lifeCycle?: number;
}

export type CardManagerErrorCode =
  | 'UNKNOWN_CLASS'
  | 'AID_EXISTS'
  | 'NOT_FOUND'
  | 'BAD_AID'
  | 'BAD_PRIVILEGES'
  | 'BAD_LIFE_CYCLE'
  | 'BAD_PARAMS'
  | 'SELECTED'
  | 'SELF'
  | 'IN_TRANSACTION'
  | 'INSTALL_FAILED'
  | 'NOT_PERSONALIZABLE'
  | 'LOCKED';

/**
 * A refused CardManager request: nothing changed. A CardError, so an applet that lets it through
 * answers its status word (GP CS 2.3.1 Tables 11-26 DELETE / 11-55 INSTALL error conditions).
 */
export class CardManagerError extends CardError {
  constructor(readonly code: CardManagerErrorCode, sw: number, message: string) {
    super(sw, message);
    this.name = 'CardManagerError';
  }
}

/**
 * The capability to change the registry, handed (AppletContext.cardManager) only to an instance
 * whose privileges include CARD_MANAGER_PRIVILEGES. Every change is one atomic, tear-safe step;
 * a refused request throws CardManagerError and changes nothing. No request may run while a
 * transaction is open (the registry's commit record is never part of an applet's transaction).
 */
export interface CardManager {
  /** Every committed instance, in registry order. */
  instances(): RegistryEntry[];
  instance(aid: Uint8Array): RegistryEntry | undefined;
  /** The applet classes the card can instantiate (injected: CardOptions.appletClasses). */
  loadFiles(): ExecutableLoadFile[];
  /** Create and personalize an instance, committed by one write; returns its entry. */
  install(request: InstallRequest): RegistryEntry;
  /** Remove an instance and its persistent fields (not the caller itself, not a selected one). */
  delete(aid: Uint8Array): void;
  /**
   * Remove several instances in one atomic step (GP DELETE of a load file "and related objects"):
   * all of them or, on any refusal or tear, none.
   */
  deleteAll(aids: readonly Uint8Array[]): void;
  /** Set an instance's life cycle byte (Table 11-4/11-5 coding; the transition rules are the caller's). */
  setLifeCycle(aid: Uint8Array, lifeCycle: number): void;
  /**
   * Hand personalization data to an instance (its Applet.processData: GP STORE DATA after INSTALL
   * [for personalization]) and return its response data. Its tear safety is the instance's own (its
   * transactions); its CardError passes through with its SW. Refused for a LOCKED instance or one
   * without processData.
   */
  processData(aid: Uint8Array, data: Uint8Array): Uint8Array;
}

/** What the registry needs of the card (card.ts gives it; the registry owns no card state of its own). */
export interface RegistryHost {
  readonly memory: {
    readonly cells: Map<string, Uint8Array>;
    readonly inTransaction: boolean;
    /** An injected tear fired: the command is unwinding, the power-up rolls back. */
    readonly torn: boolean;
    writeByte(cell: Uint8Array, key: string, offset: number, value: number): void;
    begin(): void;
    commit(): void;
    abort(): void;
    journalEntries(): readonly { readonly key: string; readonly offset: number; readonly before: Uint8Array }[] | null;
  };
  /** Free everything the instance owns in RAM (transient cells). */
  freeTransient(aidHex: string): void;
  readonly installed: RegistryInstance[];
  appletClasses(): ReadonlyMap<string, AppletClass>;
  /** Create an instance with an uncommitted registry cell (life cycle 00). */
  instantiate(cls: AppletClass, aid: Uint8Array, params: AppletParams, privileges: Uint8Array): RegistryInstance;
  /** Channels selecting the instance at `index` (to refuse a delete). */
  selectedAnywhere(index: number): boolean;
  /** The instance at `index` left the list: the channels' indices above it move down. */
  removedAt(index: number): void;
}

/** The parts of an installed instance the registry uses (card/runtime/channels.ts InstalledApplet). */
export interface RegistryInstance {
  readonly aid: Uint8Array;
  readonly aidHex: string;
  readonly type: string;
  readonly params: AppletParams;
  readonly isDefault: boolean;
  readonly applet: { install(personalization: unknown): void; processData?(data: Uint8Array): Uint8Array | void };
}

export function registryKey(aidHex: string): string {
  return REGISTRY_CELL_PREFIX + aidHex;
}

/** The registry cell of an instance (allocated with it). */
export function registryCell(host: Pick<RegistryHost, 'memory'>, aidHex: string): Uint8Array {
  const cell = host.memory.cells.get(registryKey(aidHex));
  if (!cell) throw new Error(`instance ${aidHex} has no registry cell`);
  return cell;
}

/**
 * The registry cell's durable contents: the cell with the open transaction's before-images of it
 * undone (what the next power-up leaves; only the runtime's own multi-instance delete journals
 * registry cells).
 */
export function durableRegistry(host: Pick<RegistryHost, 'memory'>, aidHex: string): Uint8Array | undefined {
  const key = registryKey(aidHex);
  const cell = host.memory.cells.get(key);
  if (cell === undefined) return undefined;
  const out = cell.slice();
  const j = host.memory.journalEntries();
  if (j !== null) {
    for (let i = j.length - 1; i >= 0; i--) if (j[i]!.key === key) out.set(j[i]!.before, j[i]!.offset);
  }
  return out;
}

/** Whether the instance's entry is committed (its life cycle byte is not 00). */
export function isCommitted(host: Pick<RegistryHost, 'memory'>, aidHex: string): boolean {
  const cell = host.memory.cells.get(registryKey(aidHex));
  return cell !== undefined && cell[0] !== 0;
}

/** Drop the instance at `index` from the list and free all its storage (no counted writes). */
export function removeInstance(host: RegistryHost, index: number): void {
  const inst = host.installed[index]!;
  const prefix = `${inst.aidHex}/`;
  for (const key of [...host.memory.cells.keys()]) if (key.startsWith(prefix)) host.memory.cells.delete(key);
  host.memory.cells.delete(registryKey(inst.aidHex));
  host.freeTransient(inst.aidHex);
  host.installed.splice(index, 1);
  host.removedAt(index);
}

/**
 * Power-up (after the journal rollback): free every instance whose entry is not committed — a
 * torn install, or a delete torn after its commit record. Returns how many were collected.
 */
export function collectUncommitted(host: RegistryHost): number {
  let n = 0;
  for (let i = host.installed.length - 1; i >= 0; i--) {
    if (!isCommitted(host, host.installed[i]!.aidHex)) {
      removeInstance(host, i);
      n++;
    }
  }
  return n;
}
