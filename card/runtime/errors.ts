/**
 * Errors of the card runtime. An applet answers an error by throwing CardError(sw); any other
 * exception escaping an applet becomes 6F00 and the card keeps working. PowerLoss is the runtime's
 * own signal for an injected tear and is never turned into a status word.
 */
import { SW } from '../../apdu-specs/status-words.js';

export class CardError extends Error {
  readonly sw: number;
  constructor(sw: number, message?: string) {
    super(message ?? `card error ${sw.toString(16).padStart(4, '0')}`);
    this.name = 'CardError';
    this.sw = sw;
  }
}

/** Thrown inside the card when an injected tear cuts the power; unwinds the command. */
export class PowerLoss extends Error {
  constructor() {
    super('power lost (injected tear)');
    this.name = 'PowerLoss';
  }
}

/**
 * What Card.transmit throws to its caller when the power was cut during the command: the reader
 * sees no response, as with a card pulled out mid-command. Call powerOn() to continue.
 */
export class CardPowerLostError extends Error {
  readonly code = 'CARD_POWER_LOST';
  constructor(readonly afterWrites: number) {
    super(`card power was cut after persistent write ${afterWrites}; no response (call powerOn to continue)`);
    this.name = 'CardPowerLostError';
  }
}

/** Misuse of the transaction API (nested begin, commit without begin): a bug in the applet, 6F00. */
export class TransactionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransactionError';
  }
}

/**
 * An applet set a session fact it does not own (apdu-specs/session-facts.ts): a bug in the applet,
 * refused before anything changes; the command answers 6F00.
 */
export class SessionFactOwnerError extends Error {
  constructor(readonly fact: string, readonly owner: string, readonly writer: string) {
    super(`session fact "${fact}" is owned by ${owner}; ${writer} may not set it`);
    this.name = 'SessionFactOwnerError';
  }
}

/** The card is not powered (transmit before powerOn, or after a tear). */
export class CardNotPoweredError extends Error {
  readonly code = 'CARD_NOT_POWERED';
  constructor() {
    super('card is not powered: call powerOn() first');
    this.name = 'CardNotPoweredError';
  }
}

/**
 * The one way to answer "wrong code, n tries left": 63Cx (ISO/IEC 7816-4 §11.5.6, TS 102.221
 * §10.2.1.2). Throw it: `throw triesLeft(pin.triesRemaining)`. n is clamped to 0..15 (x is a nibble).
 */
export function triesLeft(n: number): CardError {
  const x = Math.max(0, Math.min(15, Math.trunc(n)));
  return new CardError(SW.VERIFY_FAILED_RETRIES | x, `verification failed, ${x} tries left`);
}
