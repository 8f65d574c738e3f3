/**
 * The card's registry of applet instances (GlobalPlatform Card Specification 2.3.1 §5.3, §6.6,
 * §11.1.1–11.1.2: the GlobalPlatform Registry's AID, life cycle state and privileges of each
 * application), persistent and tear-safe, and the privileged capability that changes it at run time
 * (CardManager: INSTALL [for install and make selectable], DELETE, SET STATUS of a security domain).
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
import { SW } from '../../apdu-specs/status-words.js';
import type { AppletClass, AppletParams } from './applet.js';
import { bytesToHex } from './bytes.js';
import { CardError, PowerLoss } from './errors.js';

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
  | 'INSTALL_FAILED';

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
  /** Set an instance's life cycle byte (Table 11-4/11-5 coding; the transition rules are the caller's). */
  setLifeCycle(aid: Uint8Array, lifeCycle: number): void;
}

/** What the registry needs of the card (card.ts gives it; the registry owns no card state of its own). */
export interface RegistryHost {
  readonly memory: {
    readonly cells: Map<string, Uint8Array>;
    readonly inTransaction: boolean;
    writeByte(cell: Uint8Array, key: string, offset: number, value: number): void;
    abort(): void;
    generation: number;
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
  readonly applet: { install(personalization: unknown): void };
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
  host.memory.generation++;
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

function entryOf(host: RegistryHost, inst: RegistryInstance): RegistryEntry {
  const cell = registryCell(host, inst.aidHex);
  return {
    aid: inst.aid.slice(),
    aidHex: inst.aidHex,
    type: inst.type,
    lifeCycle: cell[0]!,
    privileges: cell.slice(1, 4),
    isDefault: inst.isDefault,
    params: inst.params,
  };
}

function layoutOf(cls: AppletClass): number {
  return cls.layout ?? 1;
}

/** A JSON value made of plain objects, arrays, strings, finite numbers, booleans and null (the image keeps params). */
function isJsonValue(v: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJsonValue(x, depth + 1));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v as object).every((x) => isJsonValue(x, depth + 1));
  return false;
}

/** The CardManager of the instance `self` (its AID hex): the runtime gives it only to card managers. */
export function cardManagerFor(host: RegistryHost, self: string): CardManager {
  const find = (aid: Uint8Array): number => {
    if (!(aid instanceof Uint8Array)) throw new CardManagerError('BAD_AID', SW.WRONG_DATA, `"aid" expected Uint8Array, got ${typeof aid}`);
    const hex = bytesToHex(aid);
    return host.installed.findIndex((a) => a.aidHex === hex && isCommitted(host, hex));
  };
  const noTransaction = (what: string): void => {
    if (host.memory.inTransaction) throw new CardManagerError('IN_TRANSACTION', SW.CONDITIONS_NOT_SATISFIED, `${what} while a transaction is open: commit or abort it first`);
  };
  const existing = (aid: Uint8Array): number => {
    const i = find(aid);
    if (i < 0) throw new CardManagerError('NOT_FOUND', SW.REFERENCE_DATA_NOT_FOUND, `no instance with AID ${bytesToHex(aid)} in the registry`);
    return i;
  };
  return {
    instances: () => host.installed.filter((a) => isCommitted(host, a.aidHex)).map((a) => entryOf(host, a)),
    instance: (aid) => {
      const i = find(aid);
      return i < 0 ? undefined : entryOf(host, host.installed[i]!);
    },
    loadFiles: () =>
      [...host.appletClasses().values()].map((cls) => {
        return {
          type: cls.type,
          layout: layoutOf(cls),
          ...(cls.loadFileAid instanceof Uint8Array ? { loadFileAid: cls.loadFileAid.slice() } : {}),
          ...(cls.moduleAid instanceof Uint8Array ? { moduleAid: cls.moduleAid.slice() } : {}),
        };
      }),
    install: (req) => {
      noTransaction('INSTALL');
      const cls = host.appletClasses().get(req.type);
      if (!cls) {
        throw new CardManagerError('UNKNOWN_CLASS', SW.REFERENCE_DATA_NOT_FOUND, `no applet class "${req.type}" on this card (executable load files: ${[...host.appletClasses().keys()].join(', ') || 'none'})`);
      }
      if (!(req.aid instanceof Uint8Array) || req.aid.length < 5 || req.aid.length > 16) {
        throw new CardManagerError('BAD_AID', SW.WRONG_DATA, `"aid" expected 5..16 bytes, got ${req.aid instanceof Uint8Array ? req.aid.length : typeof req.aid}`);
      }
      const aidHex = bytesToHex(req.aid);
      if (host.installed.some((a) => a.aidHex === aidHex)) throw new CardManagerError('AID_EXISTS', SW.WRONG_DATA, `an instance with AID ${aidHex} is already in the registry`);
      let privileges: Uint8Array;
      try {
        privileges = privilegesOf('privileges', req.privileges);
      } catch (e) {
        throw new CardManagerError('BAD_PRIVILEGES', SW.WRONG_DATA, (e as Error).message);
      }
      const lifeCycle = req.lifeCycle ?? LIFE_CYCLE.SELECTABLE;
      if (!isLifeCycle(lifeCycle) || (lifeCycle & LIFE_CYCLE.LOCKED_BIT) !== 0) {
        throw new CardManagerError('BAD_LIFE_CYCLE', SW.WRONG_DATA, `"lifeCycle" expected INSTALLED (03) or a selectable state (07 | application bits), got ${String(lifeCycle)}`);
      }
      const params = req.params ?? {};
      if (!isJsonValue(params) || Array.isArray(params) || params === null || typeof params !== 'object') {
        throw new CardManagerError('BAD_PARAMS', SW.WRONG_DATA, '"params" expected a plain JSON object (the image keeps it)');
      }
      let inst: RegistryInstance;
      try {
        inst = host.instantiate(cls, req.aid.slice(), params, privileges);
      } catch (e) {
        if (e instanceof PowerLoss) throw e;
        // The constructor may have allocated some cells before it threw: free them.
        const at = host.installed.findIndex((a) => a.aidHex === aidHex);
        if (at >= 0) removeInstance(host, at);
        else for (const key of [...host.memory.cells.keys()]) if (key.startsWith(`${aidHex}/`) || key === registryKey(aidHex)) host.memory.cells.delete(key);
        host.freeTransient(aidHex);
        throw new CardManagerError('INSTALL_FAILED', e instanceof CardError ? e.sw : SW.WRONG_DATA, `applet class "${cls.type}" refused the instance: ${(e as Error).message}`);
      }
      try {
        inst.applet.install(req.personalization ?? {});
        if (host.memory.inTransaction) throw new Error('install() left a transaction open');
      } catch (e) {
        if (e instanceof PowerLoss) throw e; // the power-up frees the uncommitted instance
        if (host.memory.inTransaction) host.memory.abort(); // its before-images name the cells about to go
        removeInstance(host, host.installed.indexOf(inst));
        throw new CardManagerError('INSTALL_FAILED', e instanceof CardError ? e.sw : SW.WRONG_DATA, `install of ${cls.type} ${aidHex} failed: ${(e as Error).message}`);
      }
      // The commit record: one atomic write.
      host.memory.writeByte(registryCell(host, aidHex), registryKey(aidHex), 0, lifeCycle);
      return entryOf(host, inst);
    },
    delete: (aid) => {
      noTransaction('DELETE');
      const i = existing(aid);
      const inst = host.installed[i]!;
      if (inst.aidHex === self) throw new CardManagerError('SELF', SW.CONDITIONS_NOT_SATISFIED, `instance ${self} cannot delete itself`);
      if (host.selectedAnywhere(i)) throw new CardManagerError('SELECTED', SW.CONDITIONS_NOT_SATISFIED, `instance ${inst.aidHex} is selected on a logical channel: deselect it first`);
      // The commit record: one atomic write; then the storage goes (not counted writes).
      host.memory.writeByte(registryCell(host, inst.aidHex), registryKey(inst.aidHex), 0, 0);
      removeInstance(host, i);
    },
    setLifeCycle: (aid, lifeCycle) => {
      noTransaction('SET STATUS');
      const i = existing(aid);
      if (!isLifeCycle(lifeCycle)) throw new CardManagerError('BAD_LIFE_CYCLE', SW.WRONG_DATA, `"lifeCycle" expected a GP CS Table 11-4/11-5 coding, got ${String(lifeCycle)}`);
      const hex = host.installed[i]!.aidHex;
      host.memory.writeByte(registryCell(host, hex), registryKey(hex), 0, lifeCycle);
    },
  };
}
