/**
 * Image files: atomic save (no temp file left, old content until the rename), load errors that
 * name the file and the field, and a damaged file is never overwritten by a failed load.
 */
import { afterEach, describe, expect, it, beforeEach } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, chmodSync, lstatSync, mkdirSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveImageFile, loadImageFile, ImageFileError, ImageAutosave, openPersistentCard } from '../../host/store/index.js';
import { Card } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { tx } from '../helpers/test-applets.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cardforge-image-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function loopbackCard(): Card {
  const c = new Card();
  c.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  c.powerOn();
  return c;
}

function loadError(path: string): ImageFileError {
  try {
    loadImageFile(path);
  } catch (e) {
    expect(e).toBeInstanceOf(ImageFileError);
    return e as ImageFileError;
  }
  throw new Error('expected the load to fail');
}

describe('image files', () => {
  it('save then load gives the same card; no temporary file is left behind', () => {
    const path = join(dir, 'card.json');
    const card = loopbackCard();
    tx(card, '8016000003070809');
    saveImageFile(path, card);
    expect(readdirSync(dir)).toEqual(['card.json']);
    const back = loadImageFile(path);
    back.powerOn();
    expect(tx(back, '8018000003')).toBe('0708099000');
  });

  it('a corrupt file gives a message naming the file and the field, and the file is untouched', () => {
    const path = join(dir, 'card.json');
    saveImageFile(path, loopbackCard());
    const good = readFileSync(path, 'utf8');
    const bad = good.replace(/"atr": "[0-9a-f]+"/, '"atr": "3b9"');
    writeFileSync(path, bad);
    const err = loadError(path);
    expect(err.code).toBe('IMAGE_INVALID');
    expect(err.message).toContain(path);
    expect(err.message).toContain('field atr');
    expect(err.field).toBe('atr');
    expect(readFileSync(path, 'utf8')).toBe(bad);
  });

  it('a truncated file and a newer version are named as such', () => {
    const path = join(dir, 'card.json');
    saveImageFile(path, loopbackCard());
    const good = readFileSync(path, 'utf8');
    writeFileSync(path, good.slice(0, good.length / 2));
    expect(loadError(path).message).toMatch(/card\.json: not valid JSON .*truncated or corrupt/);
    writeFileSync(path, good.replace('"version": 3', '"version": 7'));
    expect(loadError(path).message).toMatch(/image version 7 is newer than this cardforge understands \(3\); upgrade cardforge/);
  });

  it('a missing or unreadable file says what to do', () => {
    expect(loadError(join(dir, 'nope.json')).message).toMatch(/no such card image; create one with "cardforge personalize/);
    if (process.getuid?.() !== 0) {
      const path = join(dir, 'locked.json');
      writeFileSync(path, '{}');
      chmodSync(path, 0o000);
      expect(loadError(path).code).toBe('IMAGE_UNREADABLE');
    }
  });

  it('a save into a missing directory fails with a clear message and leaves nothing', () => {
    expect(() => saveImageFile(join(dir, 'missing', 'card.json'), loopbackCard())).toThrow(/cannot save the card image .*directory exists/);
  });

  it('autosave writes only when the persistent state changed', () => {
    const path = join(dir, 'card.json');
    const card = loopbackCard();
    const auto = new ImageAutosave(path, card);
    tx(card, '8012000010');
    expect(auto.afterCommand()).toBe(false);
    tx(card, '8016000003010101');
    expect(auto.afterCommand()).toBe(true);
    const back = loadImageFile(path);
    back.powerOn();
    expect(tx(back, '8018000003')).toBe('0101019000');
  });
});

// Issue 14: the temp name was `.card.json.<pid>.<time>.tmp`, opened without O_EXCL, following symlinks.
describe('safe saves', () => {
  it('the temp file has a random name, is created exclusively as a regular file, and is 0600 from the first byte', () => {
    const path = join(dir, 'card.json');
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      saveImageFile(path, loopbackCard(), {
        midWrite: () => {
          const tmp = readdirSync(dir).filter((n) => n.endsWith('.tmp'));
          expect(tmp).toHaveLength(1);
          expect(tmp[0]).toMatch(/^\.card\.json\.[0-9a-f]{16}\.tmp$/);
          const st = lstatSync(join(dir, tmp[0]!));
          expect(st.isFile()).toBe(true);
          expect(st.mode & 0o777).toBe(0o600);
          seen.push(tmp[0]!);
        },
      });
    }
    expect(seen[0]).not.toBe(seen[1]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['card.json']);
  });

  it('symlinks planted at every name the old scheme could pick (pid + next 3 s) are not followed', () => {
    const path = join(dir, 'card.json');
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    const victim = join(outside, 'victim');
    writeFileSync(victim, 'untouched');
    const now = Date.now();
    for (let ms = -50; ms < 3000; ms++) symlinkSync(victim, join(dir, `.card.json.${process.pid}.${(now + ms).toString(36)}.tmp`));
    // And at the image's own name: the rename replaces the link, it does not write through it.
    symlinkSync(victim, path);
    saveImageFile(path, loopbackCard());
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(lstatSync(path).isSymbolicLink()).toBe(false);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readlinkSync(join(dir, `.card.json.${process.pid}.${now.toString(36)}.tmp`))).toBe(victim); // planted names left alone
  });

  it('a planted 0666 file at the image path, or umask 000, does not make the image world-readable or -writable', () => {
    const path = join(dir, 'card.json');
    writeFileSync(path, 'planted');
    chmodSync(path, 0o666);
    const old = process.umask(0);
    try {
      saveImageFile(path, loopbackCard());
    } finally {
      process.umask(old);
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('a temp file left by a writer killed mid-save is removed by the next lock holder; other names are not', () => {
    const path = join(dir, 'card.json');
    saveImageFile(path, loopbackCard());
    writeFileSync(join(dir, '.card.json.0123456789abcdef.tmp'), '{"half": ');
    writeFileSync(join(dir, '.other.json.0123456789abcdef.tmp'), 'not ours');
    openPersistentCard(path).close();
    expect(readdirSync(dir).sort()).toEqual(['.other.json.0123456789abcdef.tmp', 'card.json']);
  });
});
