/**
 * Image locks (host/store/lock.ts): one writer at a time, the second told who holds the image;
 * a lock left by a dead process (SIGKILL, crash, a recycled pid) is broken by the next opener;
 * a refused opener changes nothing. Guards issue 14's lost updates with several writers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Card, hexToBytes } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { ImageLock, ImageLockedError, openPersistentCard, saveImageFile, withImageLock } from '../../host/store/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function image(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cf-lock-'));
  dirs.push(dir);
  const file = join(dir, 'card.json');
  const card = new Card();
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  saveImageFile(file, card);
  return file;
}

function lockedError(f: () => unknown): ImageLockedError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ImageLockedError);
    return e as ImageLockedError;
  }
  throw new Error('expected ImageLockedError');
}

const startOf = (pid: number): string => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[19]!;
};

function plant(file: string, holder: { pid: number; start: string; command?: string }): void {
  writeFileSync(`${file}.lock`, JSON.stringify({ command: holder.command ?? 'cardforge emulate', host: hostname(), nonce: 'planted', ...holder }));
}

describe('image locks', () => {
  it('a second writer is refused with the holder named, and gets the lock once it is released', () => {
    const file = image();
    const lock = ImageLock.acquire(file, 'cardforge emulate');
    const e = lockedError(() => ImageLock.acquire(file, 'cardforge send'));
    expect(e.message).toBe(`${file} is in use by cardforge emulate (pid ${process.pid}); stop it first, or use --no-save to read the image without changing it`);
    expect(e.code).toBe('IMAGE_LOCKED');
    lock.release();
    expect(existsSync(`${file}.lock`)).toBe(false);
    withImageLock(file, 'cardforge send', () => expect(existsSync(`${file}.lock`)).toBe(true));
    expect(readdirSync(join(file, '..'))).toEqual(['card.json']);
  });

  it('a refused openPersistentCard changes nothing; --no-save reads without a lock', () => {
    const file = image();
    const before = readFileSync(file, 'utf8');
    const held = openPersistentCard(file, { command: 'cardforge emulate' });
    expect(() => openPersistentCard(file, { command: 'cardforge send' })).toThrow(/is in use by cardforge emulate/);
    const reader = openPersistentCard(file, { save: false });
    reader.powerOn();
    reader.transmit(hexToBytes('8016000003010203'));
    expect(readFileSync(file, 'utf8')).toBe(before);
    held.close();
    const next = openPersistentCard(file);
    next.close();
  });

  it('a lock whose process is gone is stale and broken: dead pid, zombie-free exit, recycled pid (other start time)', () => {
    const file = image();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    plant(file, { pid: dead, start: '1' });
    ImageLock.acquire(file, 'cardforge send').release();
    // A live pid with another start time: the holder died and the pid was given to someone else.
    plant(file, { pid: process.ppid, start: '1' });
    ImageLock.acquire(file, 'cardforge send').release();
    expect(readdirSync(join(file, '..'))).toEqual(['card.json']);
  });

  it('a lock held by another live process is respected', async () => {
    const file = image();
    const child = spawn('sleep', ['30']);
    try {
      await new Promise((r) => child.once('spawn', r));
      plant(file, { pid: child.pid!, start: startOf(child.pid!) });
      expect(lockedError(() => ImageLock.acquire(file, 'cardforge send')).message).toMatch(new RegExp(`is in use by cardforge emulate \\(pid ${child.pid}\\)`));
      expect(existsSync(`${file}.lock`)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a foreign file at the lock name is not taken over', () => {
    const file = image();
    writeFileSync(`${file}.lock`, 'something else');
    expect(lockedError(() => ImageLock.acquire(file, 'cardforge send')).message).toMatch(/not a cardforge lock file; if no cardforge process uses card\.json, remove .*card\.json\.lock/);
  });
});
