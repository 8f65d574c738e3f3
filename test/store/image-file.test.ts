/**
 * Image files: atomic save (no temp file left, old content until the rename), load errors that
 * name the file and the field, and a damaged file is never overwritten by a failed load.
 */
import { describe, expect, it, beforeEach } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveImageFile, loadImageFile, ImageFileError, ImageAutosave } from '../../host/store/index.js';
import { Card } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { tx } from '../helpers/test-applets.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cardforge-image-'));
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
    writeFileSync(path, good.replace('"version": 1', '"version": 7'));
    expect(loadError(path).message).toMatch(/image version 7 is newer than this cardforge understands \(1\); upgrade cardforge/);
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
