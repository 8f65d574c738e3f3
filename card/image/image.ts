/**
 * Card image format: the card's persistent memory, installed applets and ATR as versioned JSON.
 * Pure serialize/parse (no file I/O in card/). The image holds what the card holds — keys the card
 * stores are in it, as on a real chip's EEPROM — and the open transaction's journal, so an image
 * written mid-transaction rolls back at the next power-up. Parsing is strict: every problem is an
 * ImageError naming the field (JSON path) and what is wrong.
 *
 * Version 3 (issue 17): each applet instance carries its named fields (its cells, named without the
 * instance AID) and the layout version of its class (AppletClass.layout, default 1), and journal
 * entries name the applet (AID) and field. A release that changes an applet's cells bumps its
 * layout and gives AppletClass.migrateLayout; the loader rolls back that instance's open
 * transaction (as the next power-up would), migrates its fields and checks the result against the
 * cells the class allocates. A layout newer than the class is refused (written by a newer
 * cardforge). Versions 1 and 2 stored raw cell keys ("<aid>/<cell>"): they load as layout 1 (split
 * by instance AID), with a warning, and are written as version 3 at their next save.
 *
 * Integrity (version ≥ 2, issue 14: 1,005 of 3,000 single-bit flips loaded as another card, e.g.
 * CHV1 enabled 01→03): `digest` is "sha256:" + SHA-256 (FIPS 180-4) of the canonical JSON of the
 * image without its digest field — keys sorted at every level, no whitespace, strings as
 * JSON.stringify writes them — so any change to a value, a key or a hex digit's case is caught,
 * and reformatting the file (whitespace, key order) is not. The structural checks run first (a
 * damaged field is named), the digest next, layout migrations last (applet code never sees
 * corrupt bytes). It detects corruption, not a forger: whoever edits the file can recompute it
 * (use an encrypted image for that). Version 1 images (no digest) still load, with a warning.
 *
 * The registry (issue 21, card/runtime/registry.ts): `applets` lists the committed instances,
 * those installed at run time included, and leaves out deleted ones and any a tear left
 * uncommitted. An instance whose GlobalPlatform life cycle is not SELECTABLE (07), or which has
 * privileges, carries `lifeCycle` (number) and `privileges` (6 hex digits); an instance without
 * either is written as before, so images of cards that never used the registry are unchanged and
 * version 3 images without the keys load as SELECTABLE with no privileges (no version bump).
 */
import { sha256 } from '../algorithms/index.js';
import {
  Card,
  LIFE_CYCLE,
  REGISTRY_CELL_PREFIX,
  isLifeCycle,
  type AppletClass,
  type AppletParams,
  type Clock,
  type InstalledApplet,
  type JournalEntry,
  type LayoutFields,
  type Rng,
} from '../runtime/index.js';
import { bytesToHex, hexToBytes } from '../runtime/bytes.js';

export const IMAGE_FORMAT = 'cardforge-card-image';
export const IMAGE_VERSION = 3;

/** One applet instance in a version 3 image. */
export interface ImageApplet {
  type: string;
  /** Instance AID, hex. */
  aid: string;
  default: boolean;
  params: AppletParams;
  /** The layout version of the applet class that wrote `fields` (AppletClass.layout). */
  layout: number;
  /** Field (cell name without the instance AID) → hex contents, sorted by name. */
  fields: Record<string, string>;
  /** GlobalPlatform life cycle (GP CS Table 11-4/11-5); absent: SELECTABLE (07). */
  lifeCycle?: number;
  /** GlobalPlatform privileges, 6 hex digits (Tables 11-7..11-9); absent: none. */
  privileges?: string;
}

/** A before-image of the open transaction (version 3): which applet's field, where, what it held. */
export interface ImageJournalEntry {
  aid: string;
  field: string;
  offset: number;
  before: string;
}

export interface CardImageV3 {
  format: typeof IMAGE_FORMAT;
  version: 3;
  /** "sha256:" + hex SHA-256 of canonicalJson(image without digest). */
  digest: string;
  atr: string;
  protocol: 'T=0' | 'T=1';
  applets: ImageApplet[];
  /** The open transaction's before-images, in write order (null when none is open). */
  journal: ImageJournalEntry[] | null;
}

/** The current image layout. */
export type CardImage = CardImageV3;

/** The version 2 layout (read only): raw cell keys, no per-applet layout. */
export interface CardImageV2 {
  format: typeof IMAGE_FORMAT;
  version: 2;
  digest: string;
  atr: string;
  protocol: 'T=0' | 'T=1';
  applets: { type: string; aid: string; default: boolean; params: AppletParams }[];
  /** Cell key ("<aid hex>/<cell name>") → hex contents, sorted by key. */
  persistent: Record<string, string>;
  /** The open transaction's before-images (null when none is open). */
  journal: { key: string; offset: number; before: string }[] | null;
}

/** The version 1 layout (read only): version 2 without a digest. */
export type CardImageV1 = Omit<CardImageV2, 'version' | 'digest'> & { version: 1 };

export type ImageErrorCode = 'IMAGE_SYNTAX' | 'IMAGE_FORMAT' | 'IMAGE_VERSION' | 'IMAGE_FIELD' | 'IMAGE_APPLET_UNKNOWN' | 'IMAGE_INCONSISTENT' | 'IMAGE_DIGEST' | 'IMAGE_LAYOUT';

export class ImageError extends Error {
  constructor(readonly code: ImageErrorCode, readonly field: string, readonly problem: string) {
    super(field ? `${field}: ${problem}` : problem);
    this.name = 'ImageError';
  }
}

/** Canonical JSON: object keys sorted (UTF-16 code units) at every level, no whitespace. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The digest field's value for an image object (its own digest field, if any, left out). */
export function imageDigest(image: object): string {
  const rest: Record<string, unknown> = { ...(image as Record<string, unknown>) };
  delete rest.digest;
  return `sha256:${bytesToHex(sha256(new TextEncoder().encode(canonicalJson(rest))))}`;
}

/** An applet class's layout version (AppletClass.layout; 1 when it declares none). */
export function appletLayout(cls: AppletClass): number {
  const v = cls.layout ?? 1;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`applet type "${cls.type}": static "layout" expected an integer >= 1, got ${String(v)}`);
  return v;
}

/** The instance owning a cell key "<aid hex>/<name>", and the field name. */
function ownerOf(applets: readonly InstalledApplet[], key: string): { index: number; field: string } | undefined {
  const slash = key.indexOf('/');
  if (slash < 0) return undefined;
  const index = applets.findIndex((a) => a.aidHex === key.slice(0, slash));
  return index < 0 ? undefined : { index, field: key.slice(slash + 1) };
}

/** The image's content (no digest: that belongs to the serialized file, see serializeImage). */
export function imageOf(card: Card): Omit<CardImageV3, 'digest'> {
  // Committed registry entries only: a deleted instance, or one a tear left uncommitted, is not
  // on the card any more (its cells go at the next power-up), so neither are its cells or journal.
  const installed = card.applets.filter((a) => card.registryOf(a.aid) !== undefined);
  const fields: Record<string, string>[] = installed.map(() => ({}));
  for (const key of [...card.memory.cells.keys()].sort()) {
    if (key.startsWith(REGISTRY_CELL_PREFIX)) continue;
    const o = ownerOf(installed, key);
    if (!o) {
      if (ownerOf(card.applets, key)) continue;
      throw new Error(`imageOf: persistent cell "${key}" belongs to no installed applet`);
    }
    fields[o.index]![o.field] = bytesToHex(card.memory.cells.get(key)!);
  }
  // Before-images of registry cells (the runtime's own multi-instance delete) are not fields:
  // registryOf above already reads the registry as their rollback leaves it.
  const j = card.memory.journalEntries();
  const journal = j === null ? null : j.flatMap((e) => {
    const o = ownerOf(installed, e.key);
    return o ? [{ aid: installed[o.index]!.aidHex, field: o.field, offset: e.offset, before: bytesToHex(e.before) }] : [];
  });
  return {
    format: IMAGE_FORMAT,
    version: IMAGE_VERSION,
    atr: bytesToHex(card.atr),
    protocol: card.protocol,
    applets: installed.map((a, i) => {
      const r = card.registryOf(a.aid)!;
      const privileges = bytesToHex(r.privileges);
      return {
        type: a.type,
        aid: a.aidHex,
        default: a.isDefault,
        params: a.params,
        layout: appletLayout(a.applet.constructor as unknown as AppletClass),
        fields: fields[i]!,
        ...(r.lifeCycle !== LIFE_CYCLE.SELECTABLE ? { lifeCycle: r.lifeCycle } : {}),
        ...(privileges !== '000000' ? { privileges } : {}),
      };
    }),
    journal: journal !== null && journal.length === 0 && j!.length > 0 ? null : journal,
  };
}

/** The image file's text: the content with its digest (after the version, for the reader). */
export function serializeImage(card: Card): string {
  const { format, version, ...body } = imageOf(card);
  const image: CardImageV3 = { format, version, digest: imageDigest({ format, version, ...body }), ...body };
  return JSON.stringify(image, null, 2) + '\n';
}

export interface ParseImageOptions {
  registry: ReadonlyMap<string, AppletClass>;
  /** Told about what loads but deserves a word (an image in an older format, rewritten at the next save). */
  onWarning?: (message: string) => void;
  rng?: Rng;
  clock?: Clock;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hexField(v: unknown, field: string): Uint8Array {
  if (typeof v !== 'string') throw new ImageError('IMAGE_FIELD', field, `expected a hex string, got ${v === null ? 'null' : typeof v}`);
  try {
    return hexToBytes(v);
  } catch (e) {
    throw new ImageError('IMAGE_FIELD', field, (e as Error).message.replace(/^hexToBytes: /, ''));
  }
}

/** Refuse keys outside `allowed` (version 3 is strict about names: a typo is not ignored). */
function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], at: (k: string) => string, what: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new ImageError('IMAGE_FIELD', at(k), `unknown ${what} (expected ${allowed.join(', ')}): written by a newer cardforge, or edited by hand`);
  }
}

const V3_KEYS = ['format', 'version', 'digest', 'atr', 'protocol', 'applets', 'journal'] as const;
const V3_APPLET_KEYS = ['type', 'aid', 'default', 'params', 'layout', 'fields', 'lifeCycle', 'privileges'] as const;
const V3_JOURNAL_KEYS = ['aid', 'field', 'offset', 'before'] as const;

/** One field as read from the image, with the JSON path that names it in errors. */
interface ReadField {
  bytes: Uint8Array;
  path: string;
}

/** One applet instance as read: its class's current cells are allocated on the card already. */
interface ReadApplet {
  path: string;
  cls: AppletClass;
  inst: InstalledApplet;
  /** The image's layout for it, and the class's. */
  layout: number;
  current: number;
  fields: Map<string, ReadField>;
  /** The cells the class allocated for this instance, by field name. */
  cells: Map<string, Uint8Array>;
  /** Where a missing field would be (the format's own path). */
  missingPath: (field: string) => string;
}

interface ReadJournalEntry {
  applet: number;
  field: string;
  offset: number;
  before: Uint8Array;
}

/** Parse image text into a powered-off Card. Throws ImageError; never returns a half-built card. */
export function parseImage(text: string, opts: ParseImageOptions): Card {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ImageError('IMAGE_SYNTAX', '', `not valid JSON (${(e as Error).message}); the file is truncated or corrupt`);
  }
  if (!isObject(raw)) throw new ImageError('IMAGE_FORMAT', '', 'expected a JSON object');
  if (raw.format !== IMAGE_FORMAT) throw new ImageError('IMAGE_FORMAT', 'format', `expected "${IMAGE_FORMAT}", got ${JSON.stringify(raw.format)}: not a cardforge card image`);
  if (typeof raw.version !== 'number' || !Number.isInteger(raw.version)) throw new ImageError('IMAGE_FIELD', 'version', `expected an integer, got ${JSON.stringify(raw.version)}`);
  if (raw.version > IMAGE_VERSION) {
    throw new ImageError('IMAGE_VERSION', 'version', `image version ${raw.version} is newer than this cardforge understands (${IMAGE_VERSION}); upgrade cardforge`);
  }
  if (raw.version < 1) throw new ImageError('IMAGE_VERSION', 'version', `unknown image version ${raw.version}`);
  const version = raw.version;
  if (version === 1 && 'digest' in raw) throw new ImageError('IMAGE_FIELD', 'digest', 'a version 1 image has no digest (version changed?)');
  if (version >= 2 && (typeof raw.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(raw.digest))) {
    throw new ImageError('IMAGE_FIELD', 'digest', `expected "sha256:" and 64 lower-case hex digits, got ${JSON.stringify(raw.digest)}`);
  }
  if (version >= 3) onlyKeys(raw, V3_KEYS, (k) => k, 'field');
  const atr = hexField(raw.atr, 'atr');
  if (raw.protocol !== 'T=0' && raw.protocol !== 'T=1') throw new ImageError('IMAGE_FIELD', 'protocol', `expected "T=0" or "T=1", got ${JSON.stringify(raw.protocol)}`);
  let card: Card;
  try {
    card = new Card({ atr, protocol: raw.protocol, appletClasses: opts.registry, ...(opts.rng ? { rng: opts.rng } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
  } catch (e) {
    throw new ImageError('IMAGE_FIELD', 'atr', (e as Error).message);
  }

  // 1. Applets (their current cells allocated) and the fields the image holds for each.
  if (!Array.isArray(raw.applets)) throw new ImageError('IMAGE_FIELD', 'applets', 'expected an array');
  const applets: ReadApplet[] = raw.applets.map((a: unknown, i: number) => readApplet(card, a, `applets[${i}]`, version, opts.registry));
  if (version < 3) readLegacyCells(raw.persistent, card, applets);

  // 2. Fields of the applets at their class's layout: exactly the cells, each at its size.
  for (const a of applets) if (a.layout === a.current) checkFields(a, a.fields, '');
  let journal = version >= 3 ? readJournalV3(raw.journal, applets) : readLegacyJournal(raw.journal, card, applets);

  // 3. Integrity, before any applet code (a migration) sees the bytes.
  if (version === 1) {
    opts.onWarning?.('version 1 image without a digest: loaded, but corruption cannot be detected in it; it is written as version 3 (with a digest, named fields per applet) at its next save');
  } else {
    if (imageDigest(raw) !== raw.digest) {
      throw new ImageError('IMAGE_DIGEST', 'digest', 'the content does not match its SHA-256 digest: the file is corrupt (a flipped bit, a bad copy) or was edited by hand');
    }
    if (version === 2) opts.onWarning?.('version 2 image (raw memory cells): loaded; it is written as version 3 (named fields per applet, with layout versions) at its next save');
  }

  // 4. Older layouts: roll back the instance's part of the open transaction, then migrate.
  for (const [index, a] of applets.entries()) {
    if (a.layout === a.current) continue;
    const old: LayoutFields = {};
    for (const [name, f] of a.fields) old[name] = f.bytes.slice();
    if (journal !== null) {
      for (let k = journal.length - 1; k >= 0; k--) {
        const e = journal[k]!;
        if (e.applet === index) old[e.field]!.set(e.before, e.offset);
      }
      journal = journal.filter((e) => e.applet !== index);
    }
    const migrate = a.cls.migrateLayout;
    if (typeof migrate !== 'function') {
      throw new ImageError('IMAGE_LAYOUT', `${a.path}.layout`, `layout ${a.layout} of applet type "${a.cls.type}" is older than this cardforge's (${a.current}) and the applet class has no migrateLayout: load the image with the release that wrote it, or give the class a migration from layout ${a.layout}`);
    }
    let migrated: LayoutFields;
    try {
      migrated = migrate.call(a.cls, a.layout, old, a.inst.params);
    } catch (e) {
      throw new ImageError('IMAGE_LAYOUT', `${a.path}.layout`, `migrating applet type "${a.cls.type}" from layout ${a.layout} to ${a.current} failed: ${(e as Error).message}`);
    }
    if (!isObject(migrated)) throw new ImageError('IMAGE_LAYOUT', `${a.path}.layout`, `migrating applet type "${a.cls.type}" from layout ${a.layout} to ${a.current} gave no fields`);
    const fields = new Map<string, ReadField>();
    for (const [name, bytes] of Object.entries(migrated)) {
      if (!(bytes instanceof Uint8Array)) throw new ImageError('IMAGE_LAYOUT', `${a.path}.fields["${name}"]`, `migrating applet type "${a.cls.type}" from layout ${a.layout} to ${a.current} gave no bytes for this field`);
      fields.set(name, { bytes, path: `${a.path}.fields["${name}"]` });
    }
    checkFields(a, fields, `after migrating applet type "${a.cls.type}" from layout ${a.layout} to ${a.current}: `, (name) => `${a.path}.fields["${name}"]`);
    a.fields = fields;
  }

  // 5. Into the card's memory, and the open transaction (what is left of it) into its journal.
  for (const a of applets) for (const [name, f] of a.fields) card.memory.cells.get(`${a.inst.aidHex}/${name}`)!.set(f.bytes);
  // The cells changed in place, not through write(): caches keyed on the generation must see it.
  card.memory.generation++;
  if (journal !== null) {
    const entries: JournalEntry[] = journal.map((e) => ({ key: `${applets[e.applet]!.inst.aidHex}/${e.field}`, offset: e.offset, before: e.before }));
    card.memory.restoreJournal(entries);
  }
  return card;
}

function readApplet(card: Card, a: unknown, f: string, version: number, registry: ReadonlyMap<string, AppletClass>): ReadApplet {
  if (!isObject(a)) throw new ImageError('IMAGE_FIELD', f, 'expected an object');
  if (version >= 3) onlyKeys(a, V3_APPLET_KEYS, (k) => `${f}.${k}`, 'field of an applet');
  if (typeof a.type !== 'string') throw new ImageError('IMAGE_FIELD', `${f}.type`, 'expected a string');
  const cls = registry.get(a.type);
  if (!cls) throw new ImageError('IMAGE_APPLET_UNKNOWN', `${f}.type`, `unknown applet type "${a.type}" (known: ${[...registry.keys()].join(', ')})`);
  const aid = hexField(a.aid, `${f}.aid`);
  if (typeof a.default !== 'boolean') throw new ImageError('IMAGE_FIELD', `${f}.default`, 'expected true or false');
  if (!isObject(a.params)) throw new ImageError('IMAGE_FIELD', `${f}.params`, 'expected an object');
  const current = appletLayout(cls);
  let layout = 1; // versions 1 and 2 predate layout versions: their cells are every applet's layout 1
  if (version >= 3) {
    if (typeof a.layout !== 'number' || !Number.isInteger(a.layout) || a.layout < 1) throw new ImageError('IMAGE_FIELD', `${f}.layout`, `expected an integer >= 1, got ${JSON.stringify(a.layout)}`);
    layout = a.layout;
  }
  if (layout > current) {
    throw new ImageError('IMAGE_LAYOUT', `${f}.layout`, `layout ${layout} of applet type "${cls.type}" is newer than this cardforge's (${current}): the image was written by a newer cardforge; upgrade cardforge (an older release cannot know the newer fields)`);
  }
  let lifeCycle: number = LIFE_CYCLE.SELECTABLE;
  let privileges = '000000';
  if (version >= 3 && a.lifeCycle !== undefined) {
    if (typeof a.lifeCycle !== 'number' || !isLifeCycle(a.lifeCycle)) {
      throw new ImageError('IMAGE_FIELD', `${f}.lifeCycle`, `expected a GlobalPlatform life cycle byte (GP CS Table 11-4/11-5, e.g. 3 INSTALLED, 7 SELECTABLE, 135 LOCKED), got ${JSON.stringify(a.lifeCycle)}`);
    }
    lifeCycle = a.lifeCycle;
  }
  if (version >= 3 && a.privileges !== undefined) {
    if (typeof a.privileges !== 'string' || !/^[0-9a-f]{6}$/.test(a.privileges)) {
      throw new ImageError('IMAGE_FIELD', `${f}.privileges`, `expected 6 lower-case hex digits (GP CS Tables 11-7..11-9), got ${JSON.stringify(a.privileges)}`);
    }
    privileges = a.privileges;
  }
  let inst: InstalledApplet;
  try {
    inst = card.instantiate(cls, { aid, params: a.params, default: a.default, lifeCycle, privileges });
  } catch (e) {
    throw new ImageError('IMAGE_INCONSISTENT', f, (e as Error).message);
  }
  const fields = new Map<string, ReadField>();
  if (version >= 3) {
    if (!isObject(a.fields)) throw new ImageError('IMAGE_FIELD', `${f}.fields`, 'expected an object of field name → hex');
    for (const [name, hex] of Object.entries(a.fields)) {
      const path = `${f}.fields["${name}"]`;
      fields.set(name, { bytes: hexField(hex, path), path });
    }
  }
  const cells = new Map<string, Uint8Array>();
  const prefix = `${inst.aidHex}/`;
  for (const [key, cell] of card.memory.cells) if (key.startsWith(prefix)) cells.set(key.slice(prefix.length), cell);
  const missingPath = version >= 3 ? (name: string) => `${f}.fields["${name}"]` : (name: string) => `persistent["${prefix}${name}"]`;
  return { path: f, cls, inst, layout, current, fields, cells, missingPath };
}

/** The fields must be exactly the instance's cells, each at its size. */
function checkFields(a: ReadApplet, fields: ReadonlyMap<string, ReadField>, context: string, missingPath = a.missingPath): void {
  for (const [name, f] of fields) {
    const cell = a.cells.get(name);
    if (!cell) throw new ImageError('IMAGE_INCONSISTENT', f.path, `${context}unknown field: applet type "${a.cls.type}" (layout ${a.current}) has no field "${name}" (image from another applet version? the layout says ${a.layout})`);
    if (f.bytes.length !== cell.length) throw new ImageError('IMAGE_INCONSISTENT', f.path, `${context}wrong size: expected ${cell.length} bytes, got ${f.bytes.length}`);
  }
  for (const name of a.cells.keys()) {
    if (!fields.has(name)) throw new ImageError('IMAGE_INCONSISTENT', missingPath(name), `${context}missing field: the image does not hold "${name}" of applet type "${a.cls.type}" (truncated or edited image)`);
  }
}

function readJournalV3(v: unknown, applets: readonly ReadApplet[]): ReadJournalEntry[] | null {
  if (v === null) return null;
  if (!Array.isArray(v)) throw new ImageError('IMAGE_FIELD', 'journal', 'expected null or an array');
  return v.map((e: unknown, i: number) => {
    const f = `journal[${i}]`;
    if (!isObject(e)) throw new ImageError('IMAGE_FIELD', f, 'expected {aid, field, offset, before}');
    onlyKeys(e, V3_JOURNAL_KEYS, (k) => `${f}.${k}`, 'field of a journal entry');
    const aid = bytesToHex(hexField(e.aid, `${f}.aid`));
    const applet = applets.findIndex((a) => a.inst.aidHex === aid);
    if (applet < 0) throw new ImageError('IMAGE_INCONSISTENT', `${f}.aid`, `no applet in the image has AID ${aid}`);
    if (typeof e.field !== 'string') throw new ImageError('IMAGE_FIELD', `${f}.field`, 'expected a field name');
    const field = applets[applet]!.fields.get(e.field);
    if (!field) throw new ImageError('IMAGE_INCONSISTENT', `${f}.field`, `applet ${aid} has no field "${e.field}" in the image`);
    return fitEntry(f, applet, e.field, field.bytes.length, e.offset, hexField(e.before, `${f}.before`));
  });
}

function fitEntry(f: string, applet: number, field: string, length: number, offset: unknown, before: Uint8Array): ReadJournalEntry {
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset + before.length > length) {
    throw new ImageError('IMAGE_INCONSISTENT', f, `entry does not fit field "${field}" (${length} bytes): offset ${JSON.stringify(offset)}, ${before.length} bytes`);
  }
  return { applet, field, offset, before };
}

/** Versions 1 and 2: `persistent` holds "<aid hex>/<cell name>" keys; each goes to its instance. */
function readLegacyCells(v: unknown, card: Card, applets: ReadApplet[]): void {
  if (!isObject(v)) throw new ImageError('IMAGE_FIELD', 'persistent', 'expected an object of cell → hex');
  for (const [key, hex] of Object.entries(v)) {
    const path = `persistent["${key}"]`;
    const o = ownerOf(card.applets, key);
    if (!o) throw new ImageError('IMAGE_INCONSISTENT', path, 'no installed applet declares this cell (its key does not start with an applet\'s AID)');
    applets[o.index]!.fields.set(o.field, { bytes: hexField(hex, path), path });
  }
}

function readLegacyJournal(v: unknown, card: Card, applets: readonly ReadApplet[]): ReadJournalEntry[] | null {
  if (v === null) return null;
  if (!Array.isArray(v)) throw new ImageError('IMAGE_FIELD', 'journal', 'expected null or an array');
  return v.map((e: unknown, i: number) => {
    const f = `journal[${i}]`;
    if (!isObject(e) || typeof e.key !== 'string' || typeof e.offset !== 'number') throw new ImageError('IMAGE_FIELD', f, 'expected {key, offset, before}');
    const before = hexField(e.before, `${f}.before`);
    const o = ownerOf(card.applets, e.key);
    const field = o && applets[o.index]!.fields.get(o.field);
    if (!o || !field) throw new ImageError('IMAGE_INCONSISTENT', f, `entry does not fit cell "${e.key}" (no such cell in the image)`);
    return fitEntry(f, o.index, o.field, field.bytes.length, e.offset, before);
  });
}
