/**
 * The ISD's static keys: a fixed table of slots, each three persistent cells — `keys/N/info`
 * (used, KVN, key id, key type), `keys/N/length` and `keys/N/value` (32 bytes, zero-padded; the
 * ".../value" + ".../length" naming the secret scans of the fuzz oracle and the trace checks know).
 * A PUT KEY or a DELETE of keys writes the changed slots in one transaction (a tear leaves the old
 * table or the new one). Key values never leave this module except to the secure channel and
 * PUT KEY's checks; no command returns them (the key information template lists id, version, type
 * and length only).
 */
import { SW } from '../../../apdu-specs/status-words.js';
import { CardError, equalBytes, type PBytes, type PersistentStore, type PU8 } from '../../runtime/index.js';
import { KEY_TYPE, type KeyInfo } from './data.js';

export const KEY_SLOTS = 12;
const VALUE = 32;

export interface StoredKey extends KeyInfo {
  readonly value: Uint8Array;
}

interface Slot {
  readonly info: PBytes;
  readonly length: PU8;
  readonly value: PBytes;
}

export class KeyTable {
  private readonly slots: Slot[] = [];

  constructor(store: PersistentStore) {
    for (let i = 0; i < KEY_SLOTS; i++) {
      const s = store.scope(`keys/${i}`);
      this.slots.push({ info: s.bytes('info', 4), length: s.u8('length'), value: s.bytes('value', VALUE) });
    }
  }

  /** Every stored key, in slot order (the order they were put). */
  list(): StoredKey[] {
    const out: StoredKey[] = [];
    for (const s of this.slots) {
      const info = s.info.view();
      if (info[0] !== 1) continue;
      const length = s.length.get();
      out.push({ kvn: info[1]!, kid: info[2]!, type: info[3]!, length, value: s.value.read(0, length) });
    }
    return out;
  }
  /** Key versions in slot order, each once. */
  versions(): number[] {
    return [...new Set(this.list().map((k) => k.kvn))];
  }

  /**
   * The secure channel key set (ENC id 1, MAC id 2, DEK id 3) of a version; 00 = the first version
   * stored (GP CS v2.3.1 §E.5.1.3 / Amendment D §7.1.1.3: "first available key version").
   * Undefined when the version is missing or incomplete.
   */
  keySet(kvn: number): { readonly kvn: number; readonly type: number; readonly enc: Uint8Array; readonly mac: Uint8Array; readonly dek: Uint8Array } | undefined {
    const keys = this.list();
    const version = kvn === 0 ? keys.find((k) => k.kid >= 1 && k.kid <= 3)?.kvn : kvn;
    if (version === undefined) return undefined;
    const of = (kid: number): StoredKey | undefined => keys.find((k) => k.kvn === version && k.kid === kid);
    const [enc, mac, dek] = [of(1), of(2), of(3)];
    if (!enc || !mac || !dek || enc.type !== mac.type || enc.type !== dek.type) return undefined;
    if (enc.type === KEY_TYPE.DES && [enc, mac, dek].some((k) => k.length !== 16)) return undefined;
    if (enc.type === KEY_TYPE.AES && [enc, mac, dek].some((k) => k.length !== 16)) return undefined;
    return { kvn: version, type: enc.type, enc: enc.value, mac: mac.value, dek: dek.value };
  }

  /**
   * The table after replacing / adding keys: `replaceKvn` 0 adds a new version `kvn` (6A80 when it
   * exists), else the keys of version `replaceKvn` with the same ids are replaced by version `kvn`
   * (6A88 when that version does not exist). 6A84 when the table is full.
   */
  withKeys(replaceKvn: number, kvn: number, keys: readonly StoredKey[]): StoredKey[] {
    const list = this.list();
    let next: StoredKey[];
    if (replaceKvn === 0) {
      if (list.some((k) => k.kvn === kvn)) throw new CardError(SW.WRONG_DATA, `key version ${hex(kvn)} exists: replace it (P1 = its version)`);
      next = [...list, ...keys];
    } else {
      if (!list.some((k) => k.kvn === replaceKvn)) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, `no key version ${hex(replaceKvn)}`);
      if (replaceKvn !== kvn && list.some((k) => k.kvn === kvn)) throw new CardError(SW.WRONG_DATA, `key version ${hex(kvn)} exists`);
      const ids = new Set(keys.map((k) => k.kid));
      // The keys of the old version keep their place; replaced ids take the new version and value.
      next = list.map((k) => (k.kvn === replaceKvn && ids.has(k.kid) ? keys.find((n) => n.kid === k.kid)! : k));
      for (const k of keys) if (!list.some((o) => o.kvn === replaceKvn && o.kid === k.kid)) next.push(k);
      // The other keys of the replaced version move to the new version with it.
      next = next.map((k) => (k.kvn === replaceKvn ? { ...k, kvn } : k));
    }
    return checkTable(next);
  }

  /** The table without the keys matching (kid and/or kvn given); 6A88 when none matches. */
  without(kid: number | undefined, kvn: number | undefined): StoredKey[] {
    const list = this.list();
    const hit = (k: StoredKey): boolean => (kid === undefined || k.kid === kid) && (kvn === undefined || k.kvn === kvn);
    if (!list.some(hit)) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no key matches');
    return list.filter((k) => !hit(k));
  }

  /**
   * Write a table made by withKeys / without (or install's): the slots that change, each cell one
   * write. The caller holds a transaction around it when more than one cell may change.
   */
  write(keys: readonly StoredKey[]): void {
    checkTable(keys);
    this.slots.forEach((s, i) => {
      const k = keys[i];
      const info = k ? Uint8Array.of(1, k.kvn, k.kid, k.type) : new Uint8Array(4);
      const value = new Uint8Array(VALUE);
      if (k) value.set(k.value);
      if (!equalBytes(s.info.view(), info)) s.info.set(info);
      if (s.length.get() !== (k?.value.length ?? 0)) s.length.set(k?.value.length ?? 0);
      if (!equalBytes(s.value.view(), value)) s.value.set(value);
    });
  }
}

/** A table that fits: at most KEY_SLOTS keys of at most 32 bytes (6A84 / 6A80 otherwise). */
export function checkTable<T extends readonly StoredKey[]>(keys: T): T {
  if (keys.length > KEY_SLOTS) throw new CardError(SW.NOT_ENOUGH_MEMORY, `the ISD holds ${KEY_SLOTS} keys`);
  for (const k of keys) if (k.value.length > VALUE) throw new CardError(SW.WRONG_DATA, `key of ${k.value.length} bytes: at most ${VALUE}`);
  return keys;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0').toUpperCase();
}
