/**
 * Card image format: the card's persistent memory, installed applets and ATR as versioned JSON.
 * Pure serialize/parse (no file I/O in card/). The image holds what the card holds — keys the card
 * stores are in it, as on a real chip's EEPROM — and the open transaction's journal, so an image
 * written mid-transaction rolls back at the next power-up. Parsing is strict: every problem is an
 * ImageError naming the field (JSON path) and what is wrong.
 *
 * Integrity (version 2, issue 14: 1,005 of 3,000 single-bit flips loaded as another card, e.g.
 * CHV1 enabled 01→03): `digest` is "sha256:" + SHA-256 (FIPS 180-4) of the canonical JSON of the
 * image without its digest field — keys sorted at every level, no whitespace, strings as
 * JSON.stringify writes them — so any change to a value, a key or a hex digit's case is caught,
 * and reformatting the file (whitespace, key order) is not. The structural checks run first (a
 * damaged field is named), the digest last. It detects corruption, not a forger: whoever edits the
 * file can recompute it (use an encrypted image for that). Version 1 images (no digest) still load,
 * with a warning, and are written as version 2 at their next save — a migration that needs no
 * command and loses nothing; refusing them would strand every existing image.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { Card, type AppletClass, type AppletParams, type Clock, type Rng } from '../runtime/index.js';
import { bytesToHex, hexToBytes } from '../runtime/bytes.js';

export const IMAGE_FORMAT = 'cardforge-card-image';
export const IMAGE_VERSION = 2;

export interface CardImageV2 {
  format: typeof IMAGE_FORMAT;
  version: 2;
  /** "sha256:" + hex SHA-256 of canonicalJson(image without digest). */
  digest: string;
  atr: string;
  protocol: 'T=0' | 'T=1';
  applets: { type: string; aid: string; default: boolean; params: AppletParams }[];
  /** Cell key → hex contents, sorted by key. */
  persistent: Record<string, string>;
  /** The open transaction's before-images (null when none is open). */
  journal: { key: string; offset: number; before: string }[] | null;
}

/** The version 1 layout: the same without a digest. */
export type CardImageV1 = Omit<CardImageV2, 'version' | 'digest'> & { version: 1 };

export type ImageErrorCode = 'IMAGE_SYNTAX' | 'IMAGE_FORMAT' | 'IMAGE_VERSION' | 'IMAGE_FIELD' | 'IMAGE_APPLET_UNKNOWN' | 'IMAGE_INCONSISTENT' | 'IMAGE_DIGEST';

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

/** The image's content (no digest: that belongs to the serialized file, see serializeImage). */
export function imageOf(card: Card): Omit<CardImageV2, 'digest'> {
  const persistent: Record<string, string> = {};
  for (const k of [...card.memory.cells.keys()].sort()) persistent[k] = bytesToHex(card.memory.cells.get(k)!);
  const j = card.memory.journalEntries();
  const body = {
    atr: bytesToHex(card.atr),
    protocol: card.protocol,
    applets: card.applets.map((a) => ({ type: a.type, aid: a.aidHex, default: a.isDefault, params: a.params })),
    persistent,
    journal: j === null ? null : j.map((e) => ({ key: e.key, offset: e.offset, before: bytesToHex(e.before) })),
  };
  return { format: IMAGE_FORMAT, version: IMAGE_VERSION, ...body };
}

/** The image file's text: the content with its digest (after the version, for the reader). */
export function serializeImage(card: Card): string {
  const { format, version, ...body } = imageOf(card);
  const image: CardImageV2 = { format, version, digest: imageDigest({ format, version, ...body }), ...body };
  return JSON.stringify(image, null, 2) + '\n';
}

export interface ParseImageOptions {
  registry: ReadonlyMap<string, AppletClass>;
  /** Told about what loads but deserves a word (a version 1 image without a digest). */
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
  if (raw.version === 1 && 'digest' in raw) throw new ImageError('IMAGE_FIELD', 'digest', 'a version 1 image has no digest (version changed?)');
  if (raw.version >= 2 && (typeof raw.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(raw.digest))) {
    throw new ImageError('IMAGE_FIELD', 'digest', `expected "sha256:" and 64 lower-case hex digits, got ${JSON.stringify(raw.digest)}`);
  }
  const atr = hexField(raw.atr, 'atr');
  if (raw.protocol !== 'T=0' && raw.protocol !== 'T=1') throw new ImageError('IMAGE_FIELD', 'protocol', `expected "T=0" or "T=1", got ${JSON.stringify(raw.protocol)}`);
  let card: Card;
  try {
    card = new Card({ atr, protocol: raw.protocol, ...(opts.rng ? { rng: opts.rng } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
  } catch (e) {
    throw new ImageError('IMAGE_FIELD', 'atr', (e as Error).message);
  }
  if (!Array.isArray(raw.applets)) throw new ImageError('IMAGE_FIELD', 'applets', 'expected an array');
  raw.applets.forEach((a: unknown, i: number) => {
    const f = `applets[${i}]`;
    if (!isObject(a)) throw new ImageError('IMAGE_FIELD', f, 'expected an object');
    if (typeof a.type !== 'string') throw new ImageError('IMAGE_FIELD', `${f}.type`, 'expected a string');
    const cls = opts.registry.get(a.type);
    if (!cls) throw new ImageError('IMAGE_APPLET_UNKNOWN', `${f}.type`, `unknown applet type "${a.type}" (known: ${[...opts.registry.keys()].join(', ')})`);
    const aid = hexField(a.aid, `${f}.aid`);
    if (typeof a.default !== 'boolean') throw new ImageError('IMAGE_FIELD', `${f}.default`, 'expected true or false');
    if (!isObject(a.params)) throw new ImageError('IMAGE_FIELD', `${f}.params`, 'expected an object');
    try {
      card.instantiate(cls, { aid, params: a.params, default: a.default });
    } catch (e) {
      throw new ImageError('IMAGE_INCONSISTENT', f, (e as Error).message);
    }
  });
  if (!isObject(raw.persistent)) throw new ImageError('IMAGE_FIELD', 'persistent', 'expected an object of cell → hex');
  const seen = new Set<string>();
  for (const [key, hex] of Object.entries(raw.persistent)) {
    const f = `persistent["${key}"]`;
    const cell = card.memory.cells.get(key);
    if (!cell) throw new ImageError('IMAGE_INCONSISTENT', f, 'no installed applet declares this cell (image from another applet version?)');
    const bytes = hexField(hex, f);
    if (bytes.length !== cell.length) throw new ImageError('IMAGE_INCONSISTENT', f, `expected ${cell.length} bytes, got ${bytes.length}`);
    cell.set(bytes);
    seen.add(key);
  }
  for (const key of card.memory.cells.keys()) {
    if (!seen.has(key)) throw new ImageError('IMAGE_INCONSISTENT', `persistent["${key}"]`, 'missing: the image does not hold this applet cell (truncated or edited image)');
  }
  if (raw.journal !== null) {
    if (!Array.isArray(raw.journal)) throw new ImageError('IMAGE_FIELD', 'journal', 'expected null or an array');
    const entries = raw.journal.map((e: unknown, i: number) => {
      const f = `journal[${i}]`;
      if (!isObject(e) || typeof e.key !== 'string' || typeof e.offset !== 'number') throw new ImageError('IMAGE_FIELD', f, 'expected {key, offset, before}');
      const cell = card.memory.cells.get(e.key);
      const before = hexField(e.before, `${f}.before`);
      if (!cell || !Number.isInteger(e.offset) || e.offset < 0 || e.offset + before.length > cell.length) {
        throw new ImageError('IMAGE_INCONSISTENT', f, `entry does not fit cell "${e.key}"`);
      }
      return { key: e.key, offset: e.offset, before };
    });
    card.memory.restoreJournal(entries);
  }
  if (raw.version === 1) {
    opts.onWarning?.('version 1 image without a digest: loaded, but corruption cannot be detected in it; it is written as version 2 (with a digest) at its next save');
  } else if (imageDigest(raw) !== raw.digest) {
    throw new ImageError('IMAGE_DIGEST', 'digest', 'the content does not match its SHA-256 digest: the file is corrupt (a flipped bit, a bad copy) or was edited by hand');
  }
  return card;
}
