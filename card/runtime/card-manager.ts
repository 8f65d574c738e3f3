/**
 * CardManager (card/runtime/registry.ts declares it): the registry changes an Issuer Security
 * Domain makes at run time — install, delete (one instance or several atomically), life cycle —
 * each one atomic and tear-safe, each refusal a CardManagerError that changed nothing.
 */
import { SW } from '../../apdu-specs/status-words.js';
import type { AppletClass } from './applet.js';
import { bytesToHex } from './bytes.js';
import { CardError, PowerLoss } from './errors.js';
import {
  CardManagerError,
  LIFE_CYCLE,
  isCommitted,
  isLifeCycle,
  privilegesOf,
  registryCell,
  registryKey,
  removeInstance,
  type CardManager,
  type RegistryEntry,
  type RegistryHost,
  type RegistryInstance,
} from './registry.js';

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
  /**
   * One instance: its commit record is one atomic write. Several (a load file with its related
   * instances, GP CS 2.3.1 §11.2.2.2): the records go in one transaction of the runtime's own, so a
   * tear leaves all of them or none; the storage goes after (not counted writes).
   */
  const deleteAll = (aids: readonly Uint8Array[]): void => {
    noTransaction('DELETE');
    if (!Array.isArray(aids) || aids.length === 0) throw new CardManagerError('NOT_FOUND', SW.REFERENCE_DATA_NOT_FOUND, 'no AID to delete');
    const victims: RegistryInstance[] = [];
    for (const aid of aids) {
      const inst = host.installed[existing(aid)]!;
      if (victims.includes(inst)) throw new CardManagerError('BAD_AID', SW.WRONG_DATA, `AID ${inst.aidHex} given twice`);
      if (inst.aidHex === self) throw new CardManagerError('SELF', SW.CONDITIONS_NOT_SATISFIED, `instance ${self} cannot delete itself`);
      if (host.selectedAnywhere(host.installed.indexOf(inst))) {
        throw new CardManagerError('SELECTED', SW.CONDITIONS_NOT_SATISFIED, `instance ${inst.aidHex} is selected on a logical channel: deselect it first`);
      }
      victims.push(inst);
    }
    const several = victims.length > 1;
    if (several) host.memory.begin();
    for (const inst of victims) host.memory.writeByte(registryCell(host, inst.aidHex), registryKey(inst.aidHex), 0, 0);
    if (several) host.memory.commit();
    for (const inst of victims) removeInstance(host, host.installed.indexOf(inst));
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
        // Card.instantiate freed what the refusing constructor had allocated.
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
    delete: (aid) => deleteAll([aid]),
    deleteAll: (aids) => deleteAll(aids),
    setLifeCycle: (aid, lifeCycle) => {
      noTransaction('SET STATUS');
      const i = existing(aid);
      if (!isLifeCycle(lifeCycle)) throw new CardManagerError('BAD_LIFE_CYCLE', SW.WRONG_DATA, `"lifeCycle" expected a GP CS Table 11-4/11-5 coding, got ${String(lifeCycle)}`);
      const hex = host.installed[i]!.aidHex;
      host.memory.writeByte(registryCell(host, hex), registryKey(hex), 0, lifeCycle);
    },
    processData: (aid, data) => {
      noTransaction('STORE DATA');
      if (!(data instanceof Uint8Array)) throw new CardManagerError('BAD_PARAMS', SW.WRONG_DATA, `"data" expected Uint8Array, got ${typeof data}`);
      const inst = host.installed[existing(aid)]!;
      if (registryCell(host, inst.aidHex)[0]! & LIFE_CYCLE.LOCKED_BIT) {
        throw new CardManagerError('LOCKED', SW.CONDITIONS_NOT_SATISFIED, `instance ${inst.aidHex} is LOCKED`);
      }
      const target = inst.applet;
      if (typeof target.processData !== 'function') {
        throw new CardManagerError('NOT_PERSONALIZABLE', SW.CONDITIONS_NOT_SATISFIED, `applet class "${inst.type}" takes no personalization data (no processData)`);
      }
      let out: Uint8Array | void;
      try {
        out = target.processData(data.slice());
      } finally {
        // An instance leaving its transaction open must not lend it to the security domain.
        if (host.memory.inTransaction && !host.memory.torn) host.memory.abort();
      }
      return out instanceof Uint8Array ? out.slice() : new Uint8Array(0);
    },
  };
}
