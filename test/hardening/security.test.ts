/**
 * Pins the claims of docs/security.md, one test per claim:
 * - an encrypted image (scrypt + AES-256-GCM) holds no key or PIN bytes in any encoding, loads
 *   through the same loadImageFile, stays encrypted when autosaved (fresh IV, same salt), and a
 *   wrong/missing passphrase or one altered byte fails with a typed error naming the file, leaving
 *   the file untouched (also through the built CLI with --passphrase-file);
 * - the plain image DOES hold the keys (what it does not protect: documented, and pinned so the
 *   doc is updated if that changes);
 * - decoded traces and `emulate -v` lines mask PIN/PUK/code values;
 * - the comparisons of secret values read every byte whatever the first difference (equalBytes,
 *   OwnerPin over the padded value).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Card, OwnerPin, PersistentMemory, PersistentStore, TransientMemory, TransientStore, bytesToHex, equalBytes, hexToBytes } from '../../card/runtime/index.js';
import { ImageAutosave, ImageFileError, loadImageFile, saveImageFile, isEncryptedImage, PASSPHRASE_ENV } from '../../host/store/index.js';
import { formatExchange } from '../../host/cli/format.js';
import { runCli } from '../cli/built-cli.js';
import { simTarget } from '../fuzz/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('cf-sec-');
const KI = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const ascii = (s: string): string => bytesToHex(new TextEncoder().encode(s));
/** Every encoding a secret could take in a JSON file: hex (either case), base64 of the bytes, ASCII. */
function encodings(hex: string): string[] {
  const b = Buffer.from(hex, 'hex');
  return [hex, hex.toUpperCase(), b.toString('base64').replace(/=+$/, ''), b.toString('latin1')];
}
const SECRETS = [KI, OPC, ascii('1234'), ascii('12345678'), ascii('5678'), ascii('87654321')];

function simCard(): Card {
  const t = simTarget();
  t.fresh();
  return t.card;
}

describe('image encryption at rest', () => {
  it('the plain image holds Ki, OPc and the PIN values (what an unencrypted image does not protect)', () => {
    const f = join(dir, 'plain.json');
    saveImageFile(f, simCard());
    const text = readFileSync(f, 'utf8');
    expect(text).toContain(KI);
    expect(text).toContain(OPC);
  });

  it('an encrypted image holds none of the key or PIN bytes in any encoding, and loads back to the same card', () => {
    const f = join(dir, 'enc.json');
    const card = simCard();
    saveImageFile(f, card, { passphrase: 'correct horse battery staple' });
    const text = readFileSync(f, 'utf8');
    expect(isEncryptedImage(text)).toBe(true);
    for (const s of SECRETS) for (const e of encodings(s)) expect(text.includes(e), `secret ${s} as ${e}`).toBe(false);
    const back = loadImageFile(f, { passphrase: 'correct horse battery staple' });
    expect([...back.memory.cells].map(([k, v]) => `${k}=${bytesToHex(v)}`)).toEqual([...card.memory.cells].map(([k, v]) => `${k}=${bytesToHex(v)}`));
  });

  it('autosave keeps a loaded encrypted image encrypted: same salt, a fresh IV per save', () => {
    const f = join(dir, 'auto.json');
    saveImageFile(f, simCard(), { passphrase: 'pw-auto' });
    const card = loadImageFile(f, { passphrase: 'pw-auto' });
    card.powerOn();
    const env0 = JSON.parse(readFileSync(f, 'utf8')) as { salt: string; iv: string };
    const auto = new ImageAutosave(f, card);
    card.transmit(hexToBytes('a02000010830303030ffffffff')); // wrong CHV1: the try counter changes
    expect(auto.afterCommand()).toBe(true);
    const env1 = JSON.parse(readFileSync(f, 'utf8')) as { salt: string; iv: string };
    expect(env1.salt).toBe(env0.salt);
    expect(env1.iv).not.toBe(env0.iv);
    expect(loadImageFile(f, { passphrase: 'pw-auto' }).memory.cells.get('f0636172646667020001/sim/chv1/tries')![0]).toBe(2);
  });

  it('wrong or missing passphrase, or one altered byte: IMAGE_PASSPHRASE naming the file; the file is untouched', () => {
    const f = join(dir, 'wrong.json');
    saveImageFile(f, simCard(), { passphrase: 'right' });
    const before = readFileSync(f, 'utf8');
    const err = (fn: () => unknown): ImageFileError => {
      try {
        fn();
      } catch (e) {
        return e as ImageFileError;
      }
      throw new Error('expected a failure');
    };
    const saved = process.env[PASSPHRASE_ENV];
    delete process.env[PASSPHRASE_ENV];
    try {
      const w = err(() => loadImageFile(f, { passphrase: 'wrong' }));
      expect(w).toBeInstanceOf(ImageFileError);
      expect(w.code).toBe('IMAGE_PASSPHRASE');
      expect(w.message).toBe(`${f}: wrong passphrase for the encrypted card image, or the file was altered (AES-GCM authentication failed); check ${PASSPHRASE_ENV} / --passphrase-file — the file was left untouched`);
      expect(err(() => loadImageFile(f)).message).toBe(`${f}: the card image is encrypted; give its passphrase in ${PASSPHRASE_ENV} or with --passphrase-file FILE`);
      const env = JSON.parse(before) as Record<string, string>;
      const ct = Buffer.from(env['ciphertext']!, 'base64');
      ct[ct.length >> 1]! ^= 1;
      writeFileSync(join(dir, 'tampered.json'), JSON.stringify({ ...env, ciphertext: ct.toString('base64') }));
      expect(err(() => loadImageFile(join(dir, 'tampered.json'), { passphrase: 'right' })).code).toBe('IMAGE_PASSPHRASE');
      // The salt is authenticated too (GCM additional data).
      writeFileSync(join(dir, 'salt.json'), JSON.stringify({ ...env, salt: Buffer.alloc(16, 1).toString('base64') }));
      expect(err(() => loadImageFile(join(dir, 'salt.json'), { passphrase: 'right' })).code).toBe('IMAGE_PASSPHRASE');
      expect(readFileSync(f, 'utf8')).toBe(before);
    } finally {
      if (saved !== undefined) process.env[PASSPHRASE_ENV] = saved;
    }
  });

  it('CLI: --passphrase-file creates and reads an encrypted image; a wrong one exits 1 with the file named', async () => {
    const img = join(dir, 'cli.json');
    const pf = join(dir, 'pass.txt');
    const bad = join(dir, 'bad.txt');
    writeFileSync(pf, 'cli passphrase\n');
    writeFileSync(bad, 'not it\n');
    const env = { ...process.env };
    delete env[PASSPHRASE_ENV];
    expect((await runCli(['--passphrase-file', pf, 'image', 'new', '-o', img], { env })).code).toBe(0);
    expect(isEncryptedImage(readFileSync(img, 'utf8'))).toBe(true);
    const ok = await runCli(['send', '--card', img, '8012000010', '--passphrase-file', pf], { env });
    expect(ok.stdout.toLowerCase().replace(/\s+/g, '')).toContain('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000');
    const r = await runCli(['send', '--card', img, '8012000010', '--passphrase-file', bad], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${img}: wrong passphrase for the encrypted card image`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  }, 60_000);
});

describe('secrets in logs and traces', () => {
  it('a decoded exchange (emulate -v, trace show) masks PIN, PUK and payment-code values', () => {
    const lines = [
      formatExchange(hexToBytes('a02000010831323334ffffffff'), hexToBytes('9000')),
      formatExchange(hexToBytes('a02c000010313233343536373831323334ffffffff'), hexToBytes('9000')),
      formatExchange(hexToBytes('002000010831323334ffffffff'), hexToBytes('9000')),
    ].join('\n').toLowerCase().replace(/\s+/g, '');
    for (const s of [ascii('1234'), ascii('12345678')]) expect(lines).not.toContain(s);
    expect(lines).toContain('****************');
  });
});

describe('constant-time comparisons', () => {
  /** A Uint8Array whose element reads are counted. */
  function counted(bytes: Uint8Array, reads: { n: number }): Uint8Array {
    return new Proxy(bytes, {
      get(t, p, r) {
        if (typeof p === 'string' && /^\d+$/.test(p)) reads.n++;
        const v = Reflect.get(t, p, t);
        return typeof v === 'function' ? v.bind(t) : (void r, v);
      },
    });
  }

  it('equalBytes reads every byte of both values even when the first byte differs', () => {
    const reads = { n: 0 };
    expect(equalBytes(counted(new Uint8Array(16).fill(1), reads), counted(new Uint8Array(16).fill(2), reads))).toBe(false);
    expect(reads.n).toBe(32);
  });

  it('OwnerPin compares the full padded value and the length: a prefix or an extension of the PIN fails and costs a try', () => {
    const mem = new PersistentMemory();
    const pin = new OwnerPin(new PersistentStore(mem, 'x'), new TransientStore(new TransientMemory(), 'x'), 'pin', { tryLimit: 15, maxLength: 8 });
    pin.update(new TextEncoder().encode('1234'));
    // The stored value is always maxLength bytes, FF-padded: the compare length never depends on the PIN.
    expect(bytesToHex(mem.cells.get('x/pin/value')!)).toBe(`${ascii('1234')}ffffffff`);
    for (const cand of ['123', '12345', '1234\xff', '9234']) expect(pin.check(new TextEncoder().encode(cand))).toBe(false);
    expect(pin.triesRemaining).toBe(11);
    expect(pin.check(new TextEncoder().encode('1234'))).toBe(true);
    expect(pin.triesRemaining).toBe(15);
  });
});
