/**
 * The card's one-use challenge (a GET CHALLENGE value, ISO/IEC 7816-4 §11.5.3 style): a fresh
 * random kept in transient memory (RAM, never in the card image) that one later command may
 * consume. Issuing a new one replaces the outstanding one; taking it clears it whatever the
 * command then decides; reset (and, with clear 'deselect', deselection) clears it too. Used by
 * the ledger (LOAD, DEBIT, tickets) and the e-wallet applets.
 */
import type { Rng } from './rng.js';
import type { ClearEvent, TransientStore } from './transient.js';

export class OneUseChallenge {
  /** [0] = 1 while the challenge is outstanding, [1..) the challenge. */
  readonly #cell: Uint8Array;
  readonly #rng: Rng;

  /** Allocates the transient cell `name` (1 + length bytes) of the applet; `clear`: also on its deselection, or only on reset. */
  constructor(ctx: { readonly transient: TransientStore; readonly rng: Rng }, readonly length: number, clear: ClearEvent = 'reset', name = 'challenge') {
    if (!Number.isInteger(length) || length < 1 || length > 255) throw new RangeError(`OneUseChallenge: "length" expected 1..255, got ${length}`);
    this.#cell = ctx.transient.bytes(name, 1 + length, clear);
    this.#rng = ctx.rng;
  }

  /** A fresh challenge, now the outstanding one (any earlier one is gone). Returns a copy. */
  issue(): Uint8Array {
    this.#rng.fill(this.#cell.subarray(1));
    this.#cell[0] = 1;
    return this.#cell.slice(1);
  }

  /** Whether a challenge is outstanding (issued and not yet taken, cleared or replaced). */
  get outstanding(): boolean {
    return this.#cell[0] === 1;
  }

  /** The outstanding challenge, consumed; undefined if none was issued since the last use or clear. */
  take(): Uint8Array | undefined {
    if (this.#cell[0] !== 1) return undefined;
    this.#cell[0] = 0;
    return this.#cell.slice(1);
  }
}
