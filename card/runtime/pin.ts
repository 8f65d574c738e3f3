/**
 * OwnerPin (Java Card javacard.framework.OwnerPIN semantics, hardened):
 * - the try counter is persistent and decremented BEFORE the comparison, with a non-atomic write
 *   (it survives an aborted transaction), so neither a tear nor an abort can buy an extra try;
 * - the comparison is constant-time over the padded value and its length;
 * - "validated" lives in transient memory: cleared on reset, and on deselect if asked;
 * - unblock(): the caller has verified a second PIN (PUK/UNBLOCK CHV) and sets a new value.
 */
import { equalBytes } from './bytes.js';
import type { PersistentStore, PBytes, PU8 } from './store.js';
import type { TransientStore, TransientFlag, ClearEvent } from './transient.js';

const PAD = 0xff;

export interface PinOptions {
  tryLimit: number;
  maxLength: number;
  /** When "validated" is cleared besides reset. Default: reset only. */
  clearOn?: ClearEvent;
}

export class OwnerPin {
  readonly tryLimit: number;
  readonly maxLength: number;
  private readonly value: PBytes; // maxLength bytes, padded with FF
  private readonly len: PU8;
  private readonly tries: PU8;
  private readonly enabledFlag: PU8; // 1 = enabled (verification required); 0 = disabled
  private readonly validated: TransientFlag;
  private readonly padded: Uint8Array;

  constructor(store: PersistentStore, transient: TransientStore, name: string, opts: PinOptions) {
    if (!Number.isInteger(opts.tryLimit) || opts.tryLimit < 1 || opts.tryLimit > 15) throw new RangeError(`"tryLimit" expected 1..15, got ${opts.tryLimit}`);
    if (!Number.isInteger(opts.maxLength) || opts.maxLength < 1 || opts.maxLength > 32) throw new RangeError(`"maxLength" expected 1..32, got ${opts.maxLength}`);
    this.tryLimit = opts.tryLimit;
    this.maxLength = opts.maxLength;
    const s = store.scope(name);
    this.value = s.bytes('value', opts.maxLength);
    this.len = s.u8('length');
    this.tries = s.u8('tries');
    this.enabledFlag = s.u8('enabled');
    this.validated = transient.flag(`${name}.validated`, opts.clearOn ?? 'reset');
    this.padded = new Uint8Array(opts.maxLength);
  }

  /** Personalize: set the value, reset the counter, enable. */
  update(pin: Uint8Array): void {
    this.checkLength(pin);
    this.value.set(this.pad(pin));
    this.len.set(pin.length);
    this.tries.setNonAtomic(this.tryLimit);
    this.enabledFlag.set(1);
    this.validated.set(false);
  }

  get triesRemaining(): number {
    return this.tries.get();
  }

  get blocked(): boolean {
    return this.tries.get() === 0;
  }

  get isValidated(): boolean {
    return this.validated.get();
  }

  get enabled(): boolean {
    return this.enabledFlag.get() === 1;
  }

  /** Whether the PIN has been personalized (a length is stored). */
  get initialised(): boolean {
    return this.len.get() !== 0;
  }

  setEnabled(on: boolean): void {
    this.enabledFlag.set(on ? 1 : 0);
  }

  /** Clear the validated flag (e.g. after one authorised use). */
  reset(): void {
    this.validated.set(false);
  }

  /**
   * Compare a candidate. Blocked → false without touching anything. Otherwise the counter is
   * decremented first (persistently), then compared in constant time; a match restores it.
   */
  check(candidate: Uint8Array): boolean {
    this.validated.set(false);
    const left = this.tries.get();
    if (left === 0) return false;
    this.tries.setNonAtomic(left - 1);
    let ok = candidate.length <= this.maxLength;
    const padded = this.padded;
    padded.fill(PAD);
    padded.set(candidate.subarray(0, this.maxLength));
    ok = equalBytes(padded, this.value.view()) && ok;
    ok = candidate.length === this.len.get() && ok;
    if (!ok) return false;
    this.tries.setNonAtomic(this.tryLimit);
    this.validated.set(true);
    return true;
  }

  /** After a successful unblock by a second PIN: new value, full counter, validated. */
  unblock(newPin?: Uint8Array): void {
    if (newPin !== undefined) {
      this.checkLength(newPin);
      this.value.set(this.pad(newPin));
      this.len.set(newPin.length);
    }
    this.tries.setNonAtomic(this.tryLimit);
    this.validated.set(true);
  }

  private checkLength(pin: Uint8Array): void {
    if (pin.length < 1 || pin.length > this.maxLength) throw new RangeError(`"pin" expected 1..${this.maxLength} bytes, got ${pin.length}`);
  }

  private pad(pin: Uint8Array): Uint8Array {
    const p = new Uint8Array(this.maxLength).fill(PAD);
    p.set(pin);
    return p;
  }
}
