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

export const ENCRYPTED_IMAGE_FORMAT = 'cardforge-encrypted-image/1';
export const PASSPHRASE_ENV = 'CARDFORGE_IMAGE_PASSPHRASE';
const SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const; // RFC 7914 §2 interactive-use parameters
const MAXMEM = 64 * 1024 * 1024;

export type ImageCryptoErrorCode = 'IMAGE_PASSPHRASE_NEEDED' | 'IMAGE_PASSPHRASE_WRONG' | 'IMAGE_PASSPHRASE_FILE' | 'IMAGE_ENVELOPE_INVALID';

export class ImageCryptoError extends Error {
  constructor(readonly code: ImageCryptoErrorCode, message: string) {
    super(message);
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
  for (const f of ['salt', 'iv', 'tag', 'ciphertext'] as const) {
    if (typeof env[f] !== 'string') throw new ImageCryptoError('IMAGE_ENVELOPE_INVALID', `${file}: field ${f}: expected base64 text in the encrypted image envelope; restore the file from a backup`);
  }
  if (env.kdf !== 'scrypt' || env.N !== SCRYPT.N || env.r !== SCRYPT.r || env.p !== SCRYPT.p) {
    throw new ImageCryptoError('IMAGE_ENVELOPE_INVALID', `${file}: unsupported key derivation ${env.kdf} N=${env.N} r=${env.r} p=${env.p}; this cardforge reads scrypt N=${SCRYPT.N} r=8 p=1`);
  }
  if (passphrase === undefined || passphrase === '') {
    throw new ImageCryptoError('IMAGE_PASSPHRASE_NEEDED', `${file}: the card image is encrypted; give its passphrase in ${PASSPHRASE_ENV} or with --passphrase-file FILE`);
  }
  const key = ImageKey.derive(passphrase, Buffer.from(env.salt, 'base64'));
  try {
    const d = createDecipheriv('aes-256-gcm', key.key, Buffer.from(env.iv, 'base64'));
    d.setAAD(Buffer.from(header(env.salt)));
    d.setAuthTag(Buffer.from(env.tag, 'base64'));
    const plain = Buffer.concat([d.update(Buffer.from(env.ciphertext, 'base64')), d.final()]).toString('utf8');
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
