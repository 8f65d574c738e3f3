/**
 * Card image files on disk. Saving is atomic and private (an O_EXCL temp file with a random name
 * beside the target, mode 0600, fsync, rename over the target, fsync the directory), so a process killed at any moment leaves either
 * the old or the new image, never a torn one. Loading fails with a message naming the file, the
 * field and what to do, and never writes to the file.
 */
import { closeSync, constants, fchmodSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';
import { ImageError, parseImage, serializeImage, type ParseImageOptions } from '../../card/image/index.js';
import { APPLET_REGISTRY } from '../../card/applets/index.js';
import type { Card, Clock, Rng } from '../../card/runtime/index.js';
import { ImageCryptoError, ImageKey, PASSPHRASE_ENV, decryptImageText, encryptImageText, imageKeyOf, isEncryptedImage, rememberImageKey, resolvePassphrase } from './encryption.js';
import { CardforgeError } from '../errors.js';

export type ImageFileErrorCode = 'IMAGE_NOT_FOUND' | 'IMAGE_UNREADABLE' | 'IMAGE_INVALID' | 'IMAGE_CORRUPT' | 'IMAGE_NOT_ENCRYPTED' | 'IMAGE_WRITE_FAILED' | 'IMAGE_PASSPHRASE';

export class ImageFileError extends CardforgeError<ImageFileErrorCode> {
  constructor(code: ImageFileErrorCode, readonly file: string, message: string, readonly field?: string) {
    super(code, message);
    this.name = 'ImageFileError';
  }
}

/** Saves encrypted (encryption.ts) when the card came from an encrypted image or a passphrase is given/set. */
export function saveImageFile(path: string, card: Card, opts: { passphrase?: string; midWrite?: () => void } = {}): void {
  let key = imageKeyOf(card);
  const pass = key ? undefined : (opts.passphrase ?? resolvePassphrase());
  if (pass !== undefined) rememberImageKey(card, (key = ImageKey.derive(pass)));
  const text = serializeImage(card);
  writeFileAtomic(path, key ? encryptImageText(text, key) : text, opts.midWrite ? { midWrite: opts.midWrite } : {});
}

/**
 * Atomic, private replace (issue 14: the temp name was predictable and opened without O_EXCL, so a
 * planted symlink received the image and a planted 0666 file made it world-writable):
 * a temp file with 64 random bits in its name, in the target's directory (rename is atomic only
 * within one file system), created with O_CREAT|O_EXCL|O_NOFOLLOW (fails on any existing name,
 * symlinks included), mode 0600 set on the descriptor (fchmod: no umask, no window), written,
 * fsynced, renamed over the target (a symlink or file planted there is replaced, not followed),
 * then the directory fsynced so the rename itself survives a power cut.
 */
export function writeFileAtomic(path: string, text: string, opts: { midWrite?: () => void } = {}): void {
  const dir = dirname(path);
  const tmp = join(dir, tempName(path));
  let fd: number | undefined;
  let created = false;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    created = true;
    fchmodSync(fd, 0o600);
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    // midWrite: crash-test hook (persistent-card.ts), called with half the file written.
    const half = opts.midWrite ? buf.length >> 1 : buf.length;
    while (off < half) off += writeSync(fd, buf, off, half - off);
    opts.midWrite?.();
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    created = false;
    try {
      const dfd = openSync(dir, 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch {
      // Directory fsync is not supported on every file system; the rename itself is atomic.
    }
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    // Only a temp file this call created is removed (never a name someone else planted).
    if (created) {
      try {
        unlinkSync(tmp);
      } catch {
        /* best effort */
      }
    }
    throw new ImageFileError('IMAGE_WRITE_FAILED', path, `${path}: cannot save the card image (${(e as Error).message}); check that the directory exists and is writable`);
  }
}

/** `.card.json.<16 hex>.tmp`: hidden, beside the target, unguessable. */
function tempName(path: string): string {
  return `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`;
}

/**
 * Remove temp files a killed writer left beside `path` (a SIGKILL mid-save). Call only while
 * holding the image's lock: no live writer of this image can own one then.
 */
export function removeStaleTemps(path: string): number {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let n = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^[0-9a-f]{16}\.tmp$/.test(name.slice(prefix.length))) continue;
    try {
      unlinkSync(join(dir, name)); // unlink removes a symlink itself, never its target
      n++;
    } catch {
      /* gone already */
    }
  }
  return n;
}

export interface LoadImageOptions {
  registry?: ParseImageOptions['registry'];
  /** For encrypted images; default: CARDFORGE_IMAGE_PASSPHRASE. */
  passphrase?: string;
  /**
   * With a passphrase configured a plain image is refused (a plain file dropped in place of an
   * encrypted one would otherwise load and be re-saved encrypted: laundered). --accept-plain
   * loads it anyway; it is then saved encrypted, and the warning says so.
   */
  acceptPlain?: boolean;
  /** Warnings (a version 1 or 2 image, an accepted plain image); default: one line on stderr. */
  onWarning?: (message: string) => void;
  rng?: Rng;
  clock?: Clock;
}

export function loadImageFile(path: string, opts: LoadImageOptions = {}): Card {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new ImageFileError('IMAGE_NOT_FOUND', path, `${path}: no such card image; create one with "cardforge personalize PROFILE.yaml -o ${path}" (or "cardforge image new -o ${path}" for a loopback test card)`);
    throw new ImageFileError('IMAGE_UNREADABLE', path, `${path}: cannot read the card image (${err.code ?? err.message}); check the path and its permissions`);
  }
  return loadImageText(text, path, opts);
}

/** loadImageFile after the read: `text` is the file's content, `path` names it in messages. */
export function loadImageText(text: string, path: string, opts: LoadImageOptions = {}): Card {
  const warn = opts.onWarning ?? ((m: string) => process.stderr.write(`cardforge: warning: ${m}\n`));
  const passphrase = opts.passphrase ?? resolvePassphrase();
  let key: ImageKey | undefined;
  if (isEncryptedImage(text)) {
    try {
      ({ text, key } = decryptImageText(text, passphrase, path));
    } catch (e) {
      if (e instanceof ImageCryptoError) throw new ImageFileError(e.code === 'IMAGE_ENVELOPE_INVALID' ? 'IMAGE_INVALID' : 'IMAGE_PASSPHRASE', path, e.message);
      throw e;
    }
  } else if (passphrase !== undefined) {
    if (!opts.acceptPlain) {
      throw new ImageFileError('IMAGE_NOT_ENCRYPTED', path, `${path}: the card image is not encrypted, but an image passphrase is set (${PASSPHRASE_ENV} or --passphrase-file): a plain file in place of an encrypted one is refused; if this plain image is yours, pass --accept-plain (it is then saved encrypted)`);
    }
    warn(`${path}: plain card image accepted (--accept-plain); it is saved encrypted from now on`);
  }
  try {
    const card = parseImage(text, {
      registry: opts.registry ?? APPLET_REGISTRY,
      onWarning: (m) => warn(`${path}: ${m}`),
      ...(opts.rng ? { rng: opts.rng } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    if (key) rememberImageKey(card, key);
    return card;
  } catch (e) {
    if (!(e instanceof ImageError)) throw e;
    const advice =
      e.code === 'IMAGE_VERSION' || e.code === 'IMAGE_LAYOUT' ? '' : // the message says what to do
      e.code === 'IMAGE_SYNTAX' ? '; restore the image from a backup or personalize a new one' :
      e.code === 'IMAGE_DIGEST' ? '; the file was left untouched — restore it from a backup or personalize a new one (a deliberate edit: encrypt images instead, see docs/security.md)' :
      '; the file was left untouched — restore it from a backup or personalize a new one';
    throw new ImageFileError(e.code === 'IMAGE_DIGEST' ? 'IMAGE_CORRUPT' : 'IMAGE_INVALID', path, `${path}: ${e.field ? `field ${e.field}: ` : ''}${e.problem}${advice}`, e.field);
  }
}
