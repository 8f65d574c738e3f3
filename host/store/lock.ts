/**
 * Exclusive locks on card image files (issue 14): `cardforge emulate` holds the lock of its image
 * for its whole life, every other command that loads and saves an image holds it for its
 * load→save window, so two writers never interleave (two `send --card` lost half of 80 INCREASEs;
 * emulate + send lost one side's updates). A second writer fails with "card.json is in use by
 * cardforge emulate (pid N)" and changes nothing. Readers need no lock: saves are atomic renames,
 * so a read always sees one whole image.
 *
 * Mechanism: a lock file `IMAGE.lock` beside the image, created atomically with its content (a
 * random temp file written with O_EXCL, then link(2) to the lock name, which fails with EEXIST if
 * it exists and never follows a symlink there). It names the holder: pid, command, host, the
 * process start time (/proc, so a recycled pid is not mistaken for the holder) and a random nonce.
 * A lock whose process is gone (no such pid, a zombie, or another start time) is stale and is
 * broken under a second O_EXCL file (`IMAGE.lock.break`), so two processes that find the same
 * stale lock cannot both take it. Chosen over proper-lockfile: that one keeps a directory lock
 * fresh by rewriting its mtime every few seconds and calls a lock stale by age, so it cannot name
 * the holder's pid and a stopped-but-alive emulator (SIGSTOP, a debugger) loses its lock; a pid
 * check is exact on one host and needs no timer and no dependency.
 * Hazards: a lock on another host (NFS) cannot be checked — it is treated as held and the message
 * says which file to remove; a lock left by a SIGKILLed process is broken by the next opener.
 */
import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CardforgeError } from '../errors.js';

export interface LockHolder {
  pid: number;
  command: string;
  host: string;
  /** /proc/PID/stat field 22 (start time in clock ticks); '' where /proc is missing. */
  start: string;
  nonce: string;
}

export class ImageLockedError extends CardforgeError<'IMAGE_LOCKED' | 'IMAGE_LOCK_FAILED'> {
  constructor(
    readonly file: string,
    readonly holder: LockHolder | undefined,
    message: string,
    /** IMAGE_LOCKED: another process holds it; IMAGE_LOCK_FAILED: the lock file could not be made. */
    code: 'IMAGE_LOCKED' | 'IMAGE_LOCK_FAILED' = 'IMAGE_LOCKED',
  ) {
    super(code, message);
    this.name = 'ImageLockedError';
  }
}

function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses; fields restart after the last ')'.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0] ?? '', start: f[19] ?? '' };
  } catch {
    return undefined;
  }
}

const OWN_START = procStat(process.pid)?.start ?? '';

/** Is the lock's holder still running? Unknown (another host) counts as running. */
export function holderAlive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true;
  if (h.pid === process.pid) return h.start === OWN_START;
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const st = procStat(h.pid);
  if (st === undefined) return true; // it exists (kill did not say ESRCH) but /proc hides it
  if (st.state === 'Z' || st.state === 'X') return false; // exited, not yet reaped by its parent
  return h.start === '' || st.start === h.start;
}

function readHolder(lockPath: string): LockHolder | undefined | 'missing' {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    if (Number.isInteger(h.pid) && h.pid > 0 && typeof h.command === 'string' && typeof h.host === 'string' && typeof h.nonce === 'string') return { ...h, start: typeof h.start === 'string' ? h.start : '' };
  } catch {
    /* unreadable: handled by the caller */
  }
  return undefined;
}

function writeExclusive(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

const HELD = new Set<ImageLock>();
let exitHook = false;

export class ImageLock {
  private released = false;
  private constructor(
    readonly file: string,
    readonly lockPath: string,
    readonly holder: LockHolder,
  ) {}

  /**
   * Take the lock of `file` for `command` ("cardforge emulate"); throws ImageLockedError when a
   * live process holds it. Never waits: a second writer is told, not queued.
   */
  static acquire(file: string, command: string): ImageLock {
    const lockPath = `${file}.lock`;
    const holder: LockHolder = { pid: process.pid, command, host: hostname(), start: OWN_START, nonce: randomBytes(12).toString('hex') };
    const text = `${JSON.stringify(holder)}\n`;
    for (let attempt = 0; attempt < 50; attempt++) {
      let created: boolean;
      try {
        created = tryCreate(lockPath, text);
      } catch (e) {
        throw new ImageLockedError(file, undefined, `${file}: cannot create the lock file ${lockPath} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check that the directory exists and is writable`, 'IMAGE_LOCK_FAILED');
      }
      if (created) {
        const lock = new ImageLock(file, lockPath, holder);
        HELD.add(lock);
        if (!exitHook) {
          exitHook = true;
          // Normal exits (including an error exit) release; a SIGKILL leaves a stale lock the next opener breaks.
          process.once('exit', () => {
            for (const l of HELD) l.release();
          });
        }
        return lock;
      }
      const other = readHolder(lockPath);
      if (other === 'missing') continue; // released between our try and the read
      if (other === undefined) {
        // Not a lock we wrote (link(2) publishes whole files): a foreign or damaged file.
        throw new ImageLockedError(file, undefined, `${file} is locked by ${lockPath}, which is not a cardforge lock file; if no cardforge process uses ${basename(file)}, remove ${lockPath}`);
      }
      if (holderAlive(other)) {
        const where = other.host === hostname() ? '' : ` on ${other.host}`;
        throw new ImageLockedError(file, other, `${file} is in use by ${other.command} (pid ${other.pid}${where}); stop it first, or use --no-save to read the image without changing it${where ? ` (if that process is gone, remove ${lockPath})` : ''}`);
      }
      breakStale(lockPath, other);
    }
    throw new ImageLockedError(file, undefined, `${file}: could not take the lock ${lockPath} (it keeps changing hands); try again`);
  }

  /** Remove the lock file if it is still ours (idempotent). */
  release(): void {
    if (this.released) return;
    this.released = true;
    HELD.delete(this);
    const now = readHolder(this.lockPath);
    if (typeof now === 'object' && now.nonce === this.holder.nonce) unlinkQuiet(this.lockPath);
  }
}

/** Create the lock file with its full content in one step; false when it exists. */
function tryCreate(lockPath: string, text: string): boolean {
  const tmp = join(dirname(lockPath), `.${basename(lockPath)}.${randomBytes(8).toString('hex')}.tmp`);
  writeExclusive(tmp, text);
  try {
    linkSync(tmp, lockPath);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    // No hard links on this file system: O_EXCL create (a reader may briefly see it empty).
    try {
      writeExclusive(lockPath, text);
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    unlinkQuiet(tmp);
  }
}

/** Remove a stale lock, once: under IMAGE.lock.break, and only if it still names the same dead holder. */
function breakStale(lockPath: string, stale: LockHolder): void {
  const brk = `${lockPath}.break`;
  try {
    writeExclusive(brk, `${process.pid}\n`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // Another opener is breaking it; a break file older than 10 s belongs to a process that died there.
    const age = Date.now() - (statSync(brk, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 10_000) unlinkQuiet(brk);
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    return;
  }
  try {
    const again = readHolder(lockPath);
    if (typeof again === 'object' && again.nonce === stale.nonce) unlinkQuiet(lockPath);
  } finally {
    unlinkQuiet(brk);
  }
}

/** Run `fn` holding the lock of `file` (a one-shot load→save or write). */
export function withImageLock<T>(file: string, command: string, fn: () => T): T {
  const lock = ImageLock.acquire(file, command);
  try {
    return fn();
  } finally {
    lock.release();
  }
}
