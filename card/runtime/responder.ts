/**
 * The card's response state: the data held for GET RESPONSE (61xx / 9Fxx) and the "state changed"
 * signal of the command in progress, and the shaping of every reply by the delivery rules of
 * response.ts (ISO/IEC 7816-3 §12.2, 7816-4 §5.3.4, TS 51.011 §9.4).
 */
import { SW } from '../../apdu-specs/status-words.js';
import type { CommandApdu } from './apdu.js';
import type { Reply } from './applet.js';
import { CardError } from './errors.js';
import { deliverTo, getResponseTo, moreSw, swBytes, type Pending, type PendingSink } from './response.js';

const EMPTY = new Uint8Array(0);

export class Responder implements PendingSink {
  /** Data held for GET RESPONSE, or null. */
  pending: Pending | null = null;
  /**
   * Set by a runtime command or an applet (ctx.stateChanged()) that changed card state other than
   * persistent memory: no 6Cxx after it. Cleared when each command starts.
   */
  stateChanged = false;

  constructor(
    private readonly t0: () => boolean,
    private readonly writesInCommand: () => number,
  ) {}

  /** The response to a command that produced `reply`; holds what may not go now. */
  shape(apdu: CommandApdu, reply: Reply): Uint8Array {
    const changed = this.stateChanged;
    this.stateChanged = false;
    const data = reply.data ?? EMPTY;
    const sw = reply.sw ?? SW.OK;
    const gsm = apdu.claInfo.base === 0xa0;
    const channel = apdu.claInfo.channel;
    // Sets this.pending (the data still held, or null).
    const response = deliverTo(this, channel, data, sw, apdu.ne, this.t0(), gsm, !apdu.extended, apdu.apduCase, reply.prefix === true);
    // 6Cxx means "not done, resend with Le=xx"; a command that already changed persistent memory
    // must not say that (its result would be lost and a resend would act twice): hold the data
    // behind 61xx/9Fxx instead. Found by test/fuzz (SIGN TRANSACTION, DEBIT, EXPORT with short Le).
    // The same holds for a state change outside persistent memory (a logical channel opened by
    // MANAGE CHANNEL, an approval in RAM consumed: ctx.stateChanged()).
    if (data.length > 0 && response.length === 2 && this.pending === null && (this.writesInCommand() > 0 || changed)) {
      this.pending = { channel, data, sw };
      return swBytes(moreSw(gsm, data.length));
    }
    return response;
  }

  /**
   * GET RESPONSE: the next piece of the held data, as the response bytes. Class A0 answers with the
   * TS 51.011 §9.4.6 family: 6F00 (technical problem, no diagnosis) when nothing is held; the ISO
   * classes with 6985 (ISO/IEC 7816-4 §5.6). Nothing held on this channel drops whatever is held.
   * A P1-P2 other than 0000 never gets here: the dispatcher refuses it by the declarations
   * (6B00 in class A0, 6A86 otherwise) and the held data stays held.
   */
  serve(apdu: CommandApdu): Uint8Array {
    const gsm = apdu.claInfo.base === 0xa0;
    const p = this.pending;
    if (p === null || p.channel !== apdu.claInfo.channel) {
      this.pending = null;
      throw new CardError(gsm ? SW.NO_PRECISE_DIAGNOSIS : SW.CONDITIONS_NOT_SATISFIED);
    }
    // Sets this.pending (what is left, or null).
    return getResponseTo(this, p, apdu.ne, this.t0(), gsm);
  }
}
