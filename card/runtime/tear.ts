/**
 * Exhaustive tear sweep: run one command with the power cut after write 1, 2, 3, … until it
 * completes without a tear; after every power-up call a checker. The card is restored to the
 * same starting state (snapshot) before each point, so every point tests the same command from
 * the same state. Applets use this for every state-changing command.
 */
import type { Card } from './card.js';
import { CardPowerLostError } from './errors.js';

export interface TearPoint {
  /** 1-based: the power was cut right after this persistent write of the command. */
  readonly point: number;
  readonly torn: boolean;
  /** The response, when the command completed (the last point). */
  readonly response?: Uint8Array;
  readonly card: Card;
}

export interface TearSweepResult {
  /** Number of persistent writes the command makes (= tear points). */
  readonly writes: number;
  /** The response of the untorn run. */
  readonly response: Uint8Array;
}

export function tearSweep(card: Card, command: Uint8Array, check: (p: TearPoint) => void, opts: { maxPoints?: number } = {}): TearSweepResult {
  const max = opts.maxPoints ?? 10_000;
  const start = card.snapshot();
  for (let n = 1; n <= max; n++) {
    card.restore(start);
    card.tearAfterWrites(n);
    let response: Uint8Array;
    try {
      response = card.transmit(command);
    } catch (e) {
      if (!(e instanceof CardPowerLostError)) throw e;
      card.powerOn();
      check({ point: n, torn: true, card });
      continue;
    }
    check({ point: n, torn: false, response, card });
    return { writes: n - 1, response };
  }
  throw new Error(`tearSweep: command still writing after ${max} tear points`);
}
