/**
 * Card images encrypted at rest (docs/security.md): a passphrase-derived key (scrypt, RFC 7914,
 * N=2^15 r=8 p=1, 16-byte salt) and AES-256-GCM (NIST SP 800-38D, 96-bit random IV per save,
 * 128-bit tag) over the image JSON; the envelope's header (format, KDF and its parameters, salt)
 * is the GCM additional data, so any change to it fails authentication too. The passphrase comes
 * from CARDFORGE_IMAGE_PASSPHRASE or a file (--passphrase-file). The key is derived once per
 * file (the salt stays with the file; every save draws a fresh IV), so autosave after each
 * command costs one AES-GCM pass, not one scrypt.
 * Protects: the keys, PINs and counters in a stolen or copied image file (confidentiality) and
 * any edit of it (integrity). Does not protect: a running emulator's memory, the passphrase in the
 * environment of that process, or rollback to an older encrypted copy of the same file.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CardforgeError } from '../errors.js';

export const ENCRYPTED_IMAGE_FORMAT = 'cardforge-encrypted-image/1';
export const PASSPHRASE_ENV = 'CARDFORGE_IMAGE_PASSPHRASE';
const SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const; // RFC 7914 §2 interactive-use parameters
const MAXMEM = 64 * 1024 * 1024;

export type ImageCryptoErrorCode = 'IMAGE_PASSPHRASE_NEEDED' | 'IMAGE_PASSPHRASE_WRONG' | 'IMAGE_PASSPHRASE_FILE' | 'IMAGE_ENVELOPE_INVALID';

export class ImageCryptoError extends CardforgeError<ImageCryptoErrorCode> {
  constructor(code: ImageCryptoErrorCode, message: string) {
    super(code, message);
    this.name = 'ImageCryptoError';
  }
}

interface Envelope {
  format: typeof ENCRYPTED_IMAGE_FORMAT;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

/** A derived image key with its salt (kept per file). */
export class ImageKey {
  private constructor(readonly key: Buffer, readonly salt: Buffer) {}

  static derive(passphrase: string, salt: Buffer = randomBytes(16)): ImageKey {
    if (passphrase.length === 0) throw new ImageCryptoError('IMAGE_PASSPHRASE_NEEDED', 'the image passphrase is empty');
    return new ImageKey(scryptSync(passphrase.normalize('NFC'), salt, 32, { ...SCRYPT, maxmem: MAXMEM }), Buffer.from(salt));
  }

  /** derive() for a file's existing salt, remembered per (passphrase, salt): reloading a file costs no second scrypt. */
  static forFile(passphrase: string, salt: Buffer): ImageKey {
    const id = `${salt.toString('hex')}:${passphrase}`;
    let k = DERIVED.get(id);
    if (!k) {
      k = ImageKey.derive(passphrase, salt);
      if (DERIVED.size >= 16) DERIVED.delete(DERIVED.keys().next().value!);
      DERIVED.set(id, k);
    }
    return k;
  }
}

/** A few derived keys of this process (the same keys autosave keeps anyway). */
const DERIVED = new Map<string, ImageKey>();

const ENVELOPE_FIELDS = ['format', 'kdf', 'N', 'r', 'p', 'salt', 'iv', 'tag', 'ciphertext'] as const;
const LENGTHS = { salt: 16, iv: 12, tag: 16 } as const; // 128-bit salt; SP 800-38D §5.2.1.1 96-bit IV, §5.2.1.2 128-bit tag

/** Strict base64 (RFC 4648 §4): alphabet, padding and the unused bits all canonical, so one text ⇔ one byte string. */
function strictBase64(v: string, field: string, file: string): Buffer {
  const b = Buffer.from(v, 'base64');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0 || b.toString('base64') !== v) {
    throw new ImageCryptoError('IMAGE_ENVELOPE_INVALID', `${file}: field ${field}: not canonical base64; the file is corrupt or was edited — restore it from a backup`);
  }
  return b;
}

function header(salt: string): string {
  return JSON.stringify({ format: ENCRYPTED_IMAGE_FORMAT, kdf: 'scrypt', N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, salt });
}

export function isEncryptedImage(text: string): boolean {
  return /^\s*\{\s*"format"\s*:\s*"cardforge-encrypted-image\/1"/.test(text);
}

export function encryptImageText(plain: string, k: ImageKey): string {
  const salt = k.salt.toString('base64');
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', k.key, iv);
  c.setAAD(Buffer.from(header(salt)));
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  const env: Envelope = { format: ENCRYPTED_IMAGE_FORMAT, kdf: 'scrypt', N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, salt, iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), ciphertext: ct.toString('base64') };
  return `${JSON.stringify(env, null, 1)}\n`;
}

/** Decrypt an envelope; returns the image JSON and the key (to save the file encrypted again). */
export function decryptImageText(text: string, passphrase: string | undefined, file: string): { text: string; key: ImageKey } {
  let env: Envelope;
  try {
    env = JSON.parse(text) as Envelope;
  } catch (e) {
    throw new ImageCryptoError('IMAGE_ENVELOPE_INVALID', `${file}: the encrypted image envelope is not valid JSON (${(e as Error).message}); restore the file from a backup`);
  }
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw new ImageCryptoError('IMAGE_ENVELOPE_INVALID', `${file}: the encrypted image envelope is not a JSON object; restore the file from a backup`);
  const extra = Object.keys(env).filter((k) => !(ENVELOPE_FIELDS as readonly string[]).includes(k));
  if (extra.length) throw new ImageCryptoError('IMAGE_ENVELOPE_INVALID', `${file}: unknown field ${extra[0]} in the encrypted image envelope; restore the file from a backup`);
  if (env.format !== ENCRYPTED_IMAGE_FORMAT) throw new ImageCryptoError('IMAGE_ENVELOPE_INVALID', `${file}: field format: expected "${ENCRYPTED_IMAGE_FORMAT}"; restore the file from a backup`);
  const bytes: Partial<Record<'salt' | 'iv' | 'tag' | 'ciphertext', Buffer>> = {};
  for (const f of ['salt', 'iv', 'tag', 'ciphertext'] as const) {
    if (typeof env[f] !== 'string') throw new ImageCryptoError('IMAGE_ENVELOPE_INVALID', `${file}: field ${f}: expected base64 text in the encrypted image envelope; restore the file from a backup`);
    bytes[f] = strictBase64(env[f], f, file);
  }
  for (const f of ['salt', 'iv', 'tag'] as const) {
    if (bytes[f]!.length !== LENGTHS[f]) throw new ImageCryptoError('IMAGE_ENVELOPE_INVALID', `${file}: field ${f}: expected ${LENGTHS[f]} bytes, got ${bytes[f]!.length}; the file is corrupt or was edited — restore it from a backup`);
  }
  if (env.kdf !== 'scrypt' || env.N !== SCRYPT.N || env.r !== SCRYPT.r || env.p !== SCRYPT.p) {
    throw new ImageCryptoError('IMAGE_ENVELOPE_INVALID', `${file}: unsupported key derivation ${env.kdf} N=${env.N} r=${env.r} p=${env.p}; this cardforge reads scrypt N=${SCRYPT.N} r=8 p=1`);
  }
  if (passphrase === undefined || passphrase === '') {
    throw new ImageCryptoError('IMAGE_PASSPHRASE_NEEDED', `${file}: the card image is encrypted; give its passphrase in ${PASSPHRASE_ENV} or with --passphrase-file FILE`);
  }
  const key = ImageKey.forFile(passphrase, bytes.salt!);
  try {
    // authTagLength pins 16 bytes: without it Node accepts a tag cut to 4, 8 or 12 bytes.
    const d = createDecipheriv('aes-256-gcm', key.key, bytes.iv!, { authTagLength: LENGTHS.tag });
    d.setAAD(Buffer.from(header(env.salt)));
    d.setAuthTag(bytes.tag!);
    const plain = Buffer.concat([d.update(bytes.ciphertext!), d.final()]).toString('utf8');
    return { text: plain, key };
  } catch {
    throw new ImageCryptoError('IMAGE_PASSPHRASE_WRONG', `${file}: wrong passphrase for the encrypted card image, or the file was altered (AES-GCM authentication failed); check ${PASSPHRASE_ENV} / --passphrase-file — the file was left untouched`);
  }
}

/** The passphrase from a file (first line, trailing newline dropped), else from the environment. */
export function resolvePassphrase(opts: { passphraseFile?: string } = {}): string | undefined {
  if (opts.passphraseFile !== undefined) {
    let s: string;
    try {
      s = readFileSync(opts.passphraseFile, 'utf8');
    } catch (e) {
      throw new ImageCryptoError('IMAGE_PASSPHRASE_FILE', `${opts.passphraseFile}: cannot read the passphrase file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const line = s.split(/\r?\n/)[0] ?? '';
    if (line === '') throw new ImageCryptoError('IMAGE_PASSPHRASE_FILE', `${opts.passphraseFile}: the passphrase file is empty`);
    return line;
  }
  const v = process.env[PASSPHRASE_ENV];
  return v === undefined || v === '' ? undefined : v;
}

/** Keys of cards loaded from (or first saved to) encrypted images: such a card is saved encrypted again. */
const KEYS = new WeakMap<object, ImageKey>();
export function rememberImageKey(card: object, key: ImageKey): void {
  KEYS.set(card, key);
}
export function imageKeyOf(card: object): ImageKey | undefined {
  return KEYS.get(card);
}
