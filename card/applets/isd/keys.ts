/**
 * The ISD's static keys: a fixed table of slots in one persistent cell, so a PUT KEY or a DELETE of
 * keys is one write of the whole table (a tear leaves the old table or the new one). A slot is
 * used(1) ‖ KVN(1) ‖ key id(1) ‖ key type(1) ‖ length(1) ‖ value(32, zero-padded). Key values
 * never leave this module except to the secure channel and PUT KEY's checks; no command returns
 * them (the key information template lists id, version, type and length only).
 */
import { SW } from '../../../apdu-specs/status-words.js';
import { CardError, type PBytes, type PersistentStore } from '../../runtime/index.js';
import { KEY_TYPE, type KeyInfo } from './data.js';

export const KEY_SLOTS = 12;
const SLOT = 5 + 32;

export interface StoredKey extends KeyInfo {
  readonly value: Uint8Array;
}

export class KeyTable {
  private readonly cell: PBytes;

  constructor(store: PersistentStore) {
    this.cell = store.bytes('keys', KEY_SLOTS * SLOT);
  }

  /** Every stored key, in slot order (the order they were put). */
  list(): StoredKey[] {
    const c = this.cell.view();
    const out: StoredKey[] = [];
    for (let i = 0; i < KEY_SLOTS; i++) {
      const o = i * SLOT;
      if (c[o] !== 1) continue;
      const length = c[o + 4]!;
      out.push({ kvn: c[o + 1]!, kid: c[o + 2]!, type: c[o + 3]!, length, value: c.slice(o + 5, o + 5 + length) });
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
  withKeys(replaceKvn: number, kvn: number, keys: readonly StoredKey[]): Uint8Array {
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
    return encodeTable(next);
  }

  /** The table without the keys matching (kid and/or kvn given); 6A88 when none matches. */
  without(kid: number | undefined, kvn: number | undefined): Uint8Array {
    const list = this.list();
    const hit = (k: StoredKey): boolean => (kid === undefined || k.kid === kid) && (kvn === undefined || k.kvn === kvn);
    if (!list.some(hit)) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no key matches');
    return encodeTable(list.filter((k) => !hit(k)));
  }

  /** Write a table made by withKeys / without (one write). */
  write(table: Uint8Array): void {
    this.cell.set(table);
  }
}

export function encodeTable(keys: readonly StoredKey[]): Uint8Array {
  if (keys.length > KEY_SLOTS) throw new CardError(SW.NOT_ENOUGH_MEMORY, `the ISD holds ${KEY_SLOTS} keys`);
  const t = new Uint8Array(KEY_SLOTS * SLOT);
  keys.forEach((k, i) => {
    if (k.value.length > 32) throw new CardError(SW.WRONG_DATA, `key of ${k.value.length} bytes: at most 32`);
    const o = i * SLOT;
    t.set([1, k.kvn, k.kid, k.type, k.value.length], o);
    t.set(k.value, o + 5);
  });
  return t;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0').toUpperCase();
}
