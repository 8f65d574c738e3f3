/**
 * PersistentCard (host/store/persistent-card.ts), the one owner of "answer only after saved": the
 * response of a state-changing command exists for the caller only once the image holds its
 * change; a failed save withholds it and leaves the card mute; the crash points used by the
 * crash campaign fire exactly on the Nth state-changing command, at the named place.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Card, bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { CardNotSavedError, PersistentCard, loadImageFile, parseCrashPoint, saveImageFile, type CrashPointName } from '../../host/store/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fresh(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cf-pcard-'));
  dirs.push(dir);
  const file = join(dir, 'card.json');
  const card = new Card();
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  saveImageFile(file, card);
  return { dir, file };
}

/** The loopback value (3 bytes) an image holds. */
function stored(file: string): string {
  const c = loadImageFile(file);
  c.powerOn();
  return bytesToHex(c.transmit(hexToBytes('8018000003')).slice(0, 3));
}

class Crash extends Error {}

describe('PersistentCard', () => {
  it('saves before returning the answer of a state-changing command; a read-only one writes nothing', () => {
    const { file } = fresh();
    const pc = new PersistentCard(loadImageFile(file), file);
    pc.powerOn();
    expect(pc.commit()).toBe(false);
    expect(bytesToHex(pc.transmit(hexToBytes('8016000003010203')))).toBe('9000');
    expect(stored(file)).toBe('010203');
    expect(bytesToHex(pc.transmit(hexToBytes('8018000003')))).toBe('0102039000');
  });

  it('a failed save throws CardNotSavedError instead of the answer, and every later call throws it too', () => {
    const { dir, file } = fresh();
    const pc = new PersistentCard(loadImageFile(file), file);
    pc.powerOn();
    renameSync(dir, `${dir}.moved`);
    dirs.push(`${dir}.moved`);
    writeFileSync(dir, 'a file where the directory was');
    expect(() => pc.transmit(hexToBytes('8016000003010203'))).toThrow(CardNotSavedError);
    expect(pc.failed?.message).toMatch(/^.*card\.json: cannot save the card image .*answer was withheld/);
    expect(() => pc.transmit(hexToBytes('8018000003'))).toThrow(CardNotSavedError);
    expect(() => pc.reset()).toThrow(CardNotSavedError);
    expect(stored(join(`${dir}.moved`, 'card.json'))).toBe('000000');
  });

  it('--no-save (no path) never writes', () => {
    const { file } = fresh();
    const pc = new PersistentCard(loadImageFile(file), undefined);
    pc.powerOn();
    pc.transmit(hexToBytes('8016000003010203'));
    expect(stored(file)).toBe('000000');
  });

  for (const [at, expected] of [['after-compute', '000001'], ['after-save', '000002'], ['mid-save', '000001']] as const) {
    it(`crash point ${at}:2 fires on the 2nd state-changing command; the image then holds ${expected}`, () => {
      const { dir, file } = fresh();
      const hits: CrashPointName[] = [];
      const pc = new PersistentCard(loadImageFile(file), file, {
        crashPoint: parseCrashPoint(`${at}:2`)!,
        onCrashPoint: (p) => {
          hits.push(p);
          throw new Crash(p);
        },
      });
      pc.powerOn();
      pc.transmit(hexToBytes('8018000003')); // read-only: not counted
      pc.transmit(hexToBytes('8016000003000001'));
      expect(() => pc.transmit(hexToBytes('8016000003000002'))).toThrow(at === 'mid-save' ? CardNotSavedError : Crash);
      expect(hits).toEqual([at]);
      expect(stored(file)).toBe(expected);
      expect(readdirSync(dir)).toEqual(['card.json']);
    });
  }

  it('parseCrashPoint: N defaults to 1; anything else is a RangeError naming the variable', () => {
    expect(parseCrashPoint(undefined)).toBeUndefined();
    expect(parseCrashPoint('mid-save')).toEqual({ at: 'mid-save', n: 1 });
    expect(parseCrashPoint('after-save:12')).toEqual({ at: 'after-save', n: 12 });
    for (const bad of ['after-send', 'mid-save:0', 'after-save:x', 'after-save:']) expect(() => parseCrashPoint(bad)).toThrow(/CARDFORGE_CRASH_POINT" expected after-compute\|after-save\|mid-save\[:N\]/);
  });
});
