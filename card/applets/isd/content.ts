/**
 * Card content as the ISD reports and changes it (GP CS v2.3.1 §11.4 GET STATUS, §11.5 INSTALL,
 * §11.2 DELETE, §11.10 SET STATUS), over the runtime's CardManager capability (card/runtime
 * registry.ts): instances with their life cycle and privileges, and the applet classes the card can
 * instantiate — GP's executable load files (ELF), each with one executable module.
 *
 * An ELF's AID is the class's own (AppletClass.loadFileAid / moduleAid) when it declares one, else
 * derived: LOAD_FILE_AID_PREFIX ‖ the first 7 bytes of SHA-256(class type) ‖ 00 (module: ‖ 01).
 * Every ELF is in ROM (built into cardforge or registered by the host): LOADED (01), never
 * deleted by DELETE (6985).
 */
import { LOAD_FILE_AID_PREFIX } from '../../../apdu-specs/aids.js';
import { GP_TAGS } from '../../../apdu-specs/globalplatform.js';
import { SW } from '../../../apdu-specs/status-words.js';
import { sha256 } from '../../algorithms/index.js';
import { CardError, concat, encodeTlv, equalBytes, hexToBytes, type CardManager, type RegistryEntry } from '../../runtime/index.js';

/** Executable load file life cycle LOADED (GP CS Table 11-3). */
export const ELF_LOADED = 0x01;
/** Tags of the GET STATUS TLV format not in GP_TAGS' first set (Table 11-36). */
const TAG_ELF_AID = 0xc4;
const TAG_MODULE_AID = 0x84;
const TAG_ASSOCIATED_SD = 0xcc;

export interface LoadFile {
  readonly type: string;
  readonly aid: Uint8Array;
  readonly moduleAid: Uint8Array;
}

/** The card's executable load files (one per applet class the runtime may instantiate). */
export function loadFiles(manager: CardManager): LoadFile[] {
  return manager.loadFiles().map((f) => {
    const derived = concat(hexToBytes(LOAD_FILE_AID_PREFIX), sha256(new TextEncoder().encode(f.type)).subarray(0, 7));
    const aid = f.loadFileAid ?? concat(derived, Uint8Array.of(0x00));
    return { type: f.type, aid, moduleAid: f.moduleAid ?? (f.loadFileAid ? aid : concat(derived, Uint8Array.of(0x01))) };
  });
}

/** One GET STATUS entry: AID, life cycle, privileges and the TLV-only fields. */
export interface StatusEntry {
  readonly aid: Uint8Array;
  readonly lifeCycle: number;
  readonly privileges: Uint8Array;
  readonly elf?: Uint8Array;
  readonly modules?: readonly Uint8Array[];
  readonly sd?: Uint8Array;
}

/** The entries of a GET STATUS subset (P1 40 applications, 20 ELFs, 10 ELFs and modules). */
export function statusEntries(manager: CardManager, p1: number, isd: Uint8Array): StatusEntry[] {
  const files = loadFiles(manager);
  if (p1 === 0x40) {
    return manager
      .instances()
      .filter((e) => !equalBytes(e.aid, isd))
      .map((e: RegistryEntry) => {
        const elf = files.find((f) => f.type === e.type);
        return { aid: e.aid, lifeCycle: e.lifeCycle, privileges: e.privileges, sd: isd, ...(elf ? { elf: elf.aid } : {}) };
      });
  }
  return files.map((f) => ({ aid: f.aid, lifeCycle: ELF_LOADED, privileges: new Uint8Array(3), sd: isd, ...(p1 === 0x10 ? { modules: [f.moduleAid] } : {}) }));
}

/** GET STATUS search criteria (GP CS §11.4.2.2): 4F AID prefix (4F00 all) [5C tag list]. */
export function parseSearch(data: Uint8Array): { aid: Uint8Array; tags: number[] | undefined } {
  let aid: Uint8Array | undefined;
  let tags: number[] | undefined;
  let i = 0;
  while (i < data.length) {
    const tag = data[i]!;
    const len = data[i + 1];
    if (len === undefined || len > 0x7f || i + 2 + len > data.length) throw new CardError(SW.WRONG_DATA, 'search criteria are not TLV');
    const v = data.subarray(i + 2, i + 2 + len);
    i += 2 + len;
    if (tag === GP_TAGS.AID) aid = v;
    else if (tag === GP_TAGS.TAG_LIST) {
      tags = [];
      for (let j = 0; j < v.length; j++) {
        const t = v[j]!;
        if ((t & 0x1f) === 0x1f && j + 1 < v.length) tags.push((t << 8) | v[++j]!);
        else tags.push(t);
      }
    }
  }
  if (aid === undefined) throw new CardError(SW.WRONG_DATA, 'search criteria without tag 4F');
  return { aid, tags };
}

/** An entry in the legacy (P2 b2 = 0) or the TLV format (E3 template, Table 11-36), `tags` chosen. */
export function encodeEntry(e: StatusEntry, tlv: boolean, tags: readonly number[] | undefined): Uint8Array {
  if (!tlv) {
    const head = concat(Uint8Array.of(e.aid.length), e.aid, Uint8Array.of(e.lifeCycle, e.privileges[0] ?? 0));
    if (!e.modules) return head;
    return concat(head, Uint8Array.of(e.modules.length), ...e.modules.map((m) => concat(Uint8Array.of(m.length), m)));
  }
  const fields: [number, Uint8Array][] = [
    [GP_TAGS.AID, e.aid],
    [GP_TAGS.LIFE_CYCLE_STATE, Uint8Array.of(e.lifeCycle)],
    [GP_TAGS.PRIVILEGES, e.privileges],
    ...(e.elf ? [[TAG_ELF_AID, e.elf] as [number, Uint8Array]] : []),
    ...(e.modules ?? []).map((m) => [TAG_MODULE_AID, m] as [number, Uint8Array]),
    ...(e.sd ? [[TAG_ASSOCIATED_SD, e.sd] as [number, Uint8Array]] : []),
  ];
  const chosen = tags === undefined ? fields : fields.filter(([t]) => tags.includes(t));
  return encodeTlv(GP_TAGS.REGISTRY_ENTRY, concat(...chosen.map(([t, v]) => encodeTlv(t, v))));
}

/** INSTALL [for install] / [for make selectable] data (GP CS §11.5.2.3, Table 11-47). */
export interface InstallData {
  readonly elf: Uint8Array;
  readonly module: Uint8Array;
  readonly app: Uint8Array;
  readonly privileges: Uint8Array;
  readonly params: Uint8Array;
}

export function parseInstall(data: Uint8Array): InstallData {
  let i = 0;
  const field = (what: string, min: number, max: number): Uint8Array => {
    const len = data[i];
    if (len === undefined || i + 1 + len > data.length) throw new CardError(SW.WRONG_DATA, `INSTALL data cut short at the ${what}`);
    if (len < min || len > max) throw new CardError(SW.WRONG_DATA, `INSTALL ${what} of ${len} bytes (${min}..${max})`);
    const v = data.subarray(i + 1, i + 1 + len);
    i += 1 + len;
    return v;
  };
  const elf = field('load file AID', 0, 16);
  const module = field('module AID', 0, 16);
  const app = field('application AID', 0, 16);
  const privileges = field('privileges', 0, 3);
  const params = field('install parameters', 0, 255);
  field('install token', 0, 255);
  if (i !== data.length) throw new CardError(SW.WRONG_DATA, `${data.length - i} bytes after the install token`);
  if (privileges.length !== 0 && privileges.length !== 1 && privileges.length !== 3) throw new CardError(SW.WRONG_DATA, 'privileges of 1 or 3 bytes');
  const p = new Uint8Array(3);
  p.set(privileges);
  return { elf, module, app, privileges: p, params };
}
