/**
 * The one owner of "answer only after saved" (docs/architecture.md, issue 14): a Card bound to its
 * image file. transmit/powerOn/reset run the card, save the image when the card's persistent
 * state changed, and only then hand the response back; every transport (EmulatorTransport, the
 * vpcd endpoint, the CLI's --card target) goes through this class, so none can answer first.
 *
 * A failed save throws CardNotSavedError instead of returning the response: the caller withholds
 * the answer (vpcd: the card is removed; EmulatorTransport: a TransportError). The in-memory card
 * is then ahead of the disk, so the object stays failed — every later call throws the same error —
 * until the process opens the image again.
 *
 * Fault injection for the crash tests: CARDFORGE_CRASH_POINT=after-compute|after-save|mid-save[:N]
 * (read by `cardforge emulate` only) SIGKILLs the process on the Nth state-changing command:
 * after the card computed the answer but before the save, after the save but before the answer is
 * sent, or half-way through writing the temporary file.
 */
import { existsSync } from 'node:fs';
import { CardPowerLostError, type Card } from '../../card/runtime/index.js';
import { ImageFileError, loadImageFile, removeStaleTemps, saveImageFile, type LoadImageOptions } from './image-file.js';
import { ImageLock } from './lock.js';
import { CardforgeError } from '../errors.js';

export const CRASH_POINT_ENV = 'CARDFORGE_CRASH_POINT';
export const CRASH_POINTS = ['after-compute', 'after-save', 'mid-save'] as const;
export type CrashPointName = (typeof CRASH_POINTS)[number];
export interface CrashPoint {
  at: CrashPointName;
  /** 1-based: the Nth command (or power event) that changed persistent state. */
  n: number;
}

/** "after-save:3" → {at: 'after-save', n: 3}; undefined/empty → undefined; anything else → RangeError. */
export function parseCrashPoint(spec: string | undefined): CrashPoint | undefined {
  if (spec === undefined || spec === '') return undefined;
  const m = /^(after-compute|after-save|mid-save)(?::(\d{1,9}))?$/.exec(spec);
  const n = m?.[2] === undefined ? 1 : Number(m[2]);
  if (!m || n < 1) throw new RangeError(`"${CRASH_POINT_ENV}" expected after-compute|after-save|mid-save[:N] with N >= 1, got "${spec}"`);
  return { at: m[1] as CrashPointName, n };
}

/** The process dies here, as a power cut or `kill -9` would end it: no handler, no flush. */
function sigkillSelf(): never {
  process.kill(process.pid, 'SIGKILL');
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}

/** A change the card made could not be written to its image: its answer must not reach the host. */
export class CardNotSavedError extends CardforgeError<'CARD_NOT_SAVED'> {
  constructor(readonly file: string, readonly saveError: ImageFileError) {
    super('CARD_NOT_SAVED', `${saveError.message}; the card's answer was withheld (the image holds the state before that command) — fix the problem and open the image again`, { cause: saveError });
    this.name = 'CardNotSavedError';
  }
}

export interface PersistentCardOptions {
  /** Crash-test fault injection (see the file header). */
  crashPoint?: CrashPoint;
  /** What a crash point does; default SIGKILL of this process (tests pass a throwing stub). */
  onCrashPoint?: (at: CrashPointName) => void;
  /** Called once by close(): releases the image lock (lock.ts). */
  release?: () => void;
}

export class PersistentCard {
  private saved: number;
  private changes = 0;
  private failure: CardNotSavedError | undefined;
  private closed = false;

  /** `path` undefined: nothing is saved (--no-save, or a card without a file). */
  constructor(
    readonly card: Card,
    readonly path: string | undefined,
    private readonly opts: PersistentCardOptions = {},
  ) {
    this.saved = card.generation;
  }

  get atr(): Uint8Array {
    return this.card.atr;
  }

  get protocol(): Card['protocol'] {
    return this.card.protocol;
  }

  /** Set once a save failed: the card answers nothing more. */
  get failed(): CardNotSavedError | undefined {
    return this.failure;
  }

  powerOn(): Uint8Array {
    this.alive();
    const atr = this.card.powerOn();
    this.commit();
    return atr;
  }

  reset(): Uint8Array {
    this.alive();
    const atr = this.card.reset();
    this.commit();
    return atr;
  }

  powerOff(): void {
    this.card.powerOff();
    if (!this.failure) this.commit();
  }

  /** Run one command; the response is returned only once any change it made is on disk. */
  transmit(command: Uint8Array): Uint8Array {
    this.alive();
    let rsp: Uint8Array;
    try {
      rsp = this.card.transmit(command);
    } catch (e) {
      // A tear leaves state the next power-on must see (rolled-back journal, decremented counter).
      if (e instanceof CardPowerLostError) this.commit();
      throw e;
    }
    this.commit();
    return rsp;
  }

  /** Save when the persistent state changed since the last save (true when it saved). Throws CardNotSavedError. */
  commit(): boolean {
    if (this.path === undefined || this.card.generation === this.saved) return false;
    const n = ++this.changes;
    const cp = this.opts.crashPoint;
    const hit = (at: CrashPointName): boolean => cp !== undefined && cp.at === at && cp.n === n;
    const crash = this.opts.onCrashPoint ?? sigkillSelf;
    if (hit('after-compute')) crash('after-compute');
    this.write(hit('mid-save') ? () => crash('mid-save') : undefined);
    if (hit('after-save')) crash('after-save');
    return true;
  }

  /** Save unconditionally (emulate's final save on SIGTERM). */
  saveNow(): void {
    if (this.path === undefined) return;
    this.alive();
    this.write();
  }

  /** Release the image (its lock); the card object stays usable in memory but is no longer saved. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.release?.();
  }

  private write(midWrite?: () => void): void {
    const path = this.path!;
    try {
      saveImageFile(path, this.card, midWrite ? { midWrite } : {});
    } catch (e) {
      if (!(e instanceof ImageFileError)) throw e;
      this.failure = new CardNotSavedError(path, e);
      throw this.failure;
    }
    this.saved = this.card.generation;
  }

  private alive(): void {
    if (this.failure) throw this.failure;
  }
}

export interface OpenImageOptions extends LoadImageOptions, Omit<PersistentCardOptions, 'release'> {
  /** false: load only, never write the file and take no lock (--no-save, trace replay). Default true. */
  save?: boolean;
  /** Who holds the lock, as a second writer is told: "cardforge emulate". Default "cardforge". */
  command?: string;
}

/**
 * Lock an image (lock.ts), load it and bind the card to it; close() releases the lock. With
 * save: false nothing is locked: the load reads one whole image (saves are atomic renames).
 */
export function openPersistentCard(path: string, opts: OpenImageOptions = {}): PersistentCard {
  if (opts.save === false) return new PersistentCard(loadImageFile(path, opts), undefined, opts);
  if (!existsSync(path)) loadImageFile(path, opts); // throws IMAGE_NOT_FOUND with its advice
  const lock = ImageLock.acquire(path, opts.command ?? 'cardforge');
  try {
    removeStaleTemps(path); // a writer SIGKILLed mid-save left its temp file; we hold the lock now
    return new PersistentCard(loadImageFile(path, opts), path, { ...opts, release: () => lock.release() });
  } catch (e) {
    lock.release();
    throw e;
  }
}

/**
 * Deprecated shim for callers that hold a bare Card (bench/soak.ts): afterCommand() saves when the
 * persistent state changed and throws CardNotSavedError when it cannot — the caller must then
 * withhold the response. New code uses PersistentCard.
 */
export class ImageAutosave {
  private readonly bound: PersistentCard;
  constructor(readonly path: string, readonly card: Card) {
    this.bound = new PersistentCard(card, path);
  }
  afterCommand(): boolean {
    return this.bound.commit();
  }
  saveNow(): void {
    this.bound.saveNow();
  }
}
