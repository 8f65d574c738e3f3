/**
 * Image integrity (issue 14): 1,005 of 3,000 single-bit flips of a plain image loaded as another
 * card (CHV1 enabled 01→03 disabled the PIN); with a passphrase set, a plain file dropped in place
 * of an encrypted image loaded and was re-saved encrypted; GCM tags cut to 4/8/12 bytes and junk
 * in the base64 fields were accepted. Now: version 2 plain images carry a SHA-256 digest checked on
 * load, the envelope is strict, a plain file is refused unless --accept-plain.
 * The flip campaigns run in process (loadImageText: the same code as loadImageFile after the read).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRng, type Card } from '../../card/runtime/index.js';
import { serializeImage } from '../../card/image/index.js';
import { imageCells } from '../helpers/image-cells.js';
import { ImageFileError, PASSPHRASE_ENV, isEncryptedImage, loadImageFile, loadImageText, saveImageFile } from '../../host/store/index.js';
import { simTarget } from '../fuzz/targets.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'cf-integrity-'));
  dirs.push(d);
  return d;
}

function simCard(): Card {
  const t = simTarget();
  t.fresh();
  return t.card;
}

const FLIPS = 10_000;

/** Flip FLIPS random single bits of `bytes` (seeded); every load must fail with an ImageFileError. */
function flipCampaign(bytes: Buffer, seed: string, passphrase?: string): { errors: number; silent: string[]; codes: Map<string, number> } {
  const rng = new SeededRng(seed);
  const r = new Uint8Array(4);
  const silent: string[] = [];
  const codes = new Map<string, number>();
  let errors = 0;
  for (let i = 0; i < FLIPS; i++) {
    rng.fill(r);
    const bit = (((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0) % (bytes.length * 8);
    const b = Buffer.from(bytes);
    b[bit >> 3]! ^= 1 << (bit & 7);
    try {
      loadImageText(b.toString('utf8'), 'card.json', { onWarning: () => {}, ...(passphrase !== undefined ? { passphrase } : {}) });
      silent.push(`byte ${bit >> 3} bit ${bit & 7}: ${JSON.stringify(bytes.subarray(Math.max(0, (bit >> 3) - 20), (bit >> 3) + 20).toString('latin1'))}`);
    } catch (e) {
      expect(e, `flip ${bit}`).toBeInstanceOf(ImageFileError);
      expect((e as Error).message.startsWith('card.json: '), (e as Error).message).toBe(true);
      codes.set((e as ImageFileError).code, (codes.get((e as ImageFileError).code) ?? 0) + 1);
      errors++;
    }
  }
  return { errors, silent, codes };
}

describe('plain images carry a digest', () => {
  it(`${FLIPS} random single-bit flips of a SIM image: 0 silent loads`, () => {
    const text = Buffer.from(serializeImage(simCard()));
    expect(() => loadImageText(text.toString('utf8'), 'card.json')).not.toThrow();
    const { errors, silent, codes } = flipCampaign(text, 'plain-flips');
    expect(silent).toEqual([]);
    expect(errors).toBe(FLIPS);
    console.log(`plain image (${text.length} bytes): ${FLIPS} flips, ${errors} errors, 0 silent (${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')})`);
  });

  it('a flipped bit in a value is an error naming the file, the digest and what to do; the file is untouched', () => {
    const dir = tmp();
    const f = join(dir, 'card.json');
    saveImageFile(f, simCard());
    const good = readFileSync(f, 'utf8');
    const key = Object.keys(imageCells(JSON.parse(good))).find((k) => k.endsWith('chv1/enabled'))!.replace(/^[0-9a-f]+\//, '');
    const bad = good.replace(new RegExp(`("${key}": ")01"`), '$103"'); // CHV1 enabled 01→03: one bit
    expect(bad).not.toBe(good);
    writeFileSync(f, bad);
    let err: ImageFileError | undefined;
    try {
      loadImageFile(f);
    } catch (e) {
      err = e as ImageFileError;
    }
    expect(err?.code).toBe('IMAGE_CORRUPT');
    expect(err?.message).toBe(`${f}: field digest: the content does not match its SHA-256 digest: the file is corrupt (a flipped bit, a bad copy) or was edited by hand; the file was left untouched — restore it from a backup or personalize a new one (a deliberate edit: encrypt images instead, see docs/security.md)`);
    expect(readFileSync(f, 'utf8')).toBe(bad);
  });

  it('reformatting (whitespace, key order) keeps the digest valid', () => {
    const o = JSON.parse(serializeImage(simCard())) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(o).reverse());
    expect(() => loadImageText(JSON.stringify(reordered), 'card.json')).not.toThrow();
  });

  it('a version 1 image (no digest) loads with a warning and is written as version 3 at its next save', () => {
    const dir = tmp();
    const f = join(dir, 'card.json');
    // What a release before version 3 wrote: raw cell keys, no layout.
    const v3 = JSON.parse(serializeImage(simCard())) as { applets: { aid: string; fields: Record<string, string>; layout?: number }[]; [k: string]: unknown };
    const applets = v3.applets.map((a) => Object.fromEntries(Object.entries(a).filter(([k]) => k !== 'fields' && k !== 'layout')));
    const o = { format: v3.format, version: 1, atr: v3.atr, protocol: v3.protocol, applets, persistent: imageCells(v3), journal: null };
    writeFileSync(f, JSON.stringify(o, null, 2));
    const warnings: string[] = [];
    const card = loadImageFile(f, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([`${f}: version 1 image without a digest: loaded, but corruption cannot be detected in it; it is written as version 3 (with a digest, named fields per applet) at its next save`]);
    saveImageFile(f, card);
    expect(JSON.parse(readFileSync(f, 'utf8'))).toMatchObject({ version: 3, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    // A version 3 image with its digest removed is not a version 1 image.
    const v2 = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
    delete v2.digest;
    expect(() => loadImageText(JSON.stringify(v2), 'card.json')).toThrow(/field digest: expected "sha256:"/);
  });
});

describe('encrypted images are strict', () => {
  const PASS = 'correct horse battery staple';
  let encrypted: string | undefined;
  const enc = (): string => {
    if (encrypted === undefined) {
      const f = join(tmp(), 'card.json');
      saveImageFile(f, simCard(), { passphrase: PASS });
      encrypted = readFileSync(f, 'utf8');
    }
    return encrypted;
  };

  it(`${FLIPS} random single-bit flips of an encrypted image: 0 silent loads`, () => {
    const text = Buffer.from(enc());
    expect(isEncryptedImage(text.toString())).toBe(true);
    expect(() => loadImageText(text.toString(), 'card.json', { passphrase: PASS })).not.toThrow();
    const { errors, silent, codes } = flipCampaign(text, 'encrypted-flips', PASS);
    expect(silent).toEqual([]);
    expect(errors).toBe(FLIPS);
    console.log(`encrypted image (${text.length} bytes): ${FLIPS} flips, ${errors} errors, 0 silent (${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')})`);
  }, 120_000);

  it('a tag cut to 4, 8 or 12 bytes, a 16-byte IV, and junk in a base64 field are refused', () => {
    const env = JSON.parse(enc()) as Record<string, string>;
    const load = (e: Record<string, string>): unknown => loadImageText(JSON.stringify(e), 'card.json', { passphrase: PASS });
    const tag = Buffer.from(env.tag!, 'base64');
    for (const n of [4, 8, 12]) expect(() => load({ ...env, tag: tag.subarray(0, n).toString('base64') })).toThrow(`card.json: field tag: expected 16 bytes, got ${n}`);
    expect(() => load({ ...env, iv: Buffer.alloc(16).toString('base64') })).toThrow('card.json: field iv: expected 12 bytes, got 16');
    for (const junk of [`${env.ciphertext}!!`, `${env.ciphertext} `, `*${env.ciphertext}`]) expect(() => load({ ...env, ciphertext: junk })).toThrow('card.json: field ciphertext: not canonical base64');
    // Non-zero unused bits in the last character decode to the same bytes: refused too.
    const last = env.tag!.replace(/=+$/, '');
    const alt = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const c = alt.indexOf(last[last.length - 1]!);
    expect(() => load({ ...env, tag: `${last.slice(0, -1)}${alt[c ^ 1]}==` })).toThrow('field tag: not canonical base64');
    expect(() => load({ ...env, extra: 'x' })).toThrow('unknown field extra');
  });

  it('with a passphrase set, a plain image is refused unless --accept-plain; then it is saved encrypted, with a warning', () => {
    const dir = tmp();
    const f = join(dir, 'card.json');
    saveImageFile(f, simCard());
    const plain = readFileSync(f, 'utf8');
    const saved = process.env[PASSPHRASE_ENV];
    process.env[PASSPHRASE_ENV] = PASS;
    try {
      let err: ImageFileError | undefined;
      try {
        loadImageFile(f);
      } catch (e) {
        err = e as ImageFileError;
      }
      expect(err?.code).toBe('IMAGE_NOT_ENCRYPTED');
      expect(err?.message).toMatch(/card\.json: the card image is not encrypted, but an image passphrase is set .* pass --accept-plain/);
      expect(readFileSync(f, 'utf8')).toBe(plain); // refused: never re-saved (laundered)
      const warnings: string[] = [];
      const card = loadImageFile(f, { acceptPlain: true, onWarning: (m) => warnings.push(m) });
      expect(warnings).toEqual([`${f}: plain card image accepted (--accept-plain); it is saved encrypted from now on`]);
      saveImageFile(f, card);
      expect(isEncryptedImage(readFileSync(f, 'utf8'))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env[PASSPHRASE_ENV];
      else process.env[PASSPHRASE_ENV] = saved;
    }
  });
});
