/**
 * Card Application Toolkit on a card with no toolkit application yet: TERMINAL PROFILE, ENVELOPE,
 * FETCH and TERMINAL RESPONSE (ETSI TS 102.221 §11.2.1-§11.2.4 in class 8X, 3GPP TS 51.011
 * §9.2.19-§9.2.22 in class A0; declared in apdu-specs/ts102223.ts), and the hook through which the
 * applet posts a proactive command (ProactiveQueue).
 *
 * Status words and their sources:
 * - TERMINAL PROFILE: 9000 (or 91xx, below); the profile is kept in persistent memory.
 * - ENVELOPE, by template tag:
 *   D1 SMS-PP / D2 CB data download → 6F00: with no application to take the data, the answer the
 *     ME turns into RP-ERROR "SIM data download error" (TS 51.014 §7.1.1: "If the SIM responds with
 *     '6F XX' ..."), so the network does not take the message as delivered. 9000 would make the ME
 *     acknowledge it (RP-ACK) and it would be lost.
 *   D4 call control / D5 MO SMS control → 9000, no data: "allowed, no modification" (TS 51.014
 *     §9.1 via TS 51.010-4 §27.22.6.1.3: "if the SIM responds with '90 00', the ME shall set up the
 *     call with the dialled digits and other parameters as sent to the SIM"; MO SMS control the same).
 *   D6 event download → 9000: the card only takes note (TS 102.223 §7.5, no response data).
 *   Other templates (menu selection, timer expiration… nothing this card asked for) → 6A81
 *     function not supported in class 8X, as onomondo-uicc answers an ENVELOPE template it has no
 *     handler for (src/softsim/uicc/uicc_cat.c ss_uicc_cat_cmd_envelope); 6F00 in class A0, whose
 *     status words (TS 51.011 §9.4) have no 6A81.
 *   Not one well-formed BER-TLV template → 6A80 (8X, as onomondo-uicc) / 6F00 (A0).
 * - FETCH and TERMINAL RESPONSE with no proactive command outstanding → 6F00 "technical problem,
 *   no precise diagnosis", in both classes. No clause found names the answer; TS 102.221 §12.1.1.1
 *   prescribes exactly this status for the same fault on GET RESPONSE (asked for data the card
 *   did not announce) and 6F00 exists in both worlds (TS 102.221 §10.2.1.6, TS 51.011 §9.4.6).
 *   onomondo-uicc answers 6A81 here (uicc_cat.c) — a UICC-only word.
 * - P1-P2 other than 0000 (the only value §11.2.x / §9.2.19-22 allow): the world's wrong-P1-P2,
 *   from the dispatcher (apdu-specs/ts102223.ts declares 0000).
 *
 * Proactive commands: once the terminal sent TERMINAL PROFILE in this card session (TS 102.223
 * §5.1: the profile download tells the card what the terminal can do), a posted command turns the
 * next 9000 of any SIM command into 91xx, xx its length (TS 102.221 §10.2.1.1, TS 51.011 §9.4.1).
 * FETCH returns it (Le exactly its length; the runtime answers 6Cxx / 67xx otherwise), TERMINAL
 * RESPONSE completes it. The queue is transient: a reset forgets it, as a card forgets its RAM.
 */
import { SW } from '../../../apdu-specs/status-words.js';
import { CardError, equalBytes, type AppletContext, type CommandApdu, type PVarBytes, type Reply, type TransientFlag } from '../../runtime/index.js';
import type { WorldSw } from './core.js';

/** Profile bytes kept; a longer profile is kept truncated (facilities past them are unused here). */
export const TERMINAL_PROFILE_MAX = 64;

/** BER-TLV tags of the ENVELOPE templates (TS 101.220 §7.2, TS 102.223 §7). */
export const ENVELOPE_TAG = {
  SMS_PP_DOWNLOAD: 0xd1,
  CB_DOWNLOAD: 0xd2,
  MENU_SELECTION: 0xd3,
  CALL_CONTROL: 0xd4,
  MO_SMS_CONTROL: 0xd5,
  EVENT_DOWNLOAD: 0xd6,
  TIMER_EXPIRATION: 0xd7,
} as const;

/**
 * The proactive commands the applet posts for the terminal, oldest first. Transient: a reset (the
 * `live` flag, cleared by the runtime) empties it.
 */
export class ProactiveQueue {
  private readonly live: TransientFlag;
  private readonly profiled: TransientFlag;
  private commands: Uint8Array[] = [];
  /** The head was fetched and awaits its TERMINAL RESPONSE. */
  private fetched = false;

  constructor(ctx: AppletContext) {
    this.live = ctx.transient.flag('toolkit-live', 'reset');
    this.profiled = ctx.transient.flag('toolkit-profiled', 'reset');
  }

  /** Queue a proactive command (a D0 BER-TLV) for the terminal; signalled once it sent its profile. */
  post(command: Uint8Array): void {
    if (!(command instanceof Uint8Array)) throw new TypeError(`"command" expected Uint8Array, got ${typeof command}`);
    if (command.length < 1 || command.length > 256) throw new RangeError(`"command" expected 1..256 bytes, got ${command.length}`);
    this.sync();
    this.live.set(true);
    this.commands.push(command.slice());
  }

  /** Length of the command to announce with 91xx, or 0 when there is none to announce. */
  get announced(): number {
    this.sync();
    if (!this.profiled.get() || this.fetched) return 0;
    return this.commands[0]?.length ?? 0;
  }

  /** Commands posted and not yet completed by TERMINAL RESPONSE. */
  get size(): number {
    this.sync();
    return this.commands.length;
  }

  /** TERMINAL PROFILE arrived in this session. */
  markProfiled(): void {
    this.profiled.set(true);
  }

  /** The command FETCH returns (undefined: none announced). */
  head(): Uint8Array | undefined {
    return this.announced ? this.commands[0] : undefined;
  }

  markFetched(): void {
    this.fetched = true;
  }

  /** TERMINAL RESPONSE: true when it completed the fetched command. */
  complete(): boolean {
    this.sync();
    if (!this.fetched) return false;
    this.commands.shift();
    this.fetched = false;
    if (this.commands.length === 0) this.live.set(false);
    return true;
  }

  /** The transient flag was cleared by a reset: the JS-side queue goes with it. */
  private sync(): void {
    if (this.live.get()) return;
    this.commands = [];
    this.fetched = false;
  }
}

/** The four toolkit commands and the 91xx rule. */
export class Toolkit {
  readonly queue: ProactiveQueue;
  /** The last terminal profile received (persistent, in the card image under ".../toolkit/terminal-profile"). */
  readonly profile: PVarBytes;

  constructor(private readonly ctx: AppletContext) {
    this.queue = new ProactiveQueue(ctx);
    this.profile = ctx.persistent.scope('toolkit').varBytes('terminal-profile', TERMINAL_PROFILE_MAX);
  }

  /** A successful answer (9000) becomes 91xx while a proactive command waits to be fetched. */
  signal(reply: Reply | void): Reply | void {
    const len = this.queue.announced;
    if (len === 0 || ((reply ?? {}).sw ?? SW.OK) !== SW.OK) return reply;
    return { ...(reply ?? {}), sw: SW.GSM_SIM_TOOLKIT | (len & 0xff) };
  }

  terminalProfile(w: WorldSw, a: CommandApdu): Reply {
    const p = a.data.subarray(0, TERMINAL_PROFILE_MAX);
    // A phone sends the same profile at every power-up: write only a change (EEPROM wear, and
    // every committed change costs an image save on the host).
    if (!equalBytes(this.profile.get(), p)) this.profile.set(p);
    this.queue.markProfiled();
    return {};
  }

  envelope(w: WorldSw, a: CommandApdu): Reply {
    const tag = templateTag(a.data);
    if (tag === undefined) throw new CardError(w.gsm ? SW.NO_PRECISE_DIAGNOSIS : SW.WRONG_DATA, 'ENVELOPE data is not one BER-TLV template');
    switch (tag) {
      case ENVELOPE_TAG.SMS_PP_DOWNLOAD:
      case ENVELOPE_TAG.CB_DOWNLOAD:
        throw new CardError(SW.NO_PRECISE_DIAGNOSIS, 'data download: no toolkit application takes the data');
      case ENVELOPE_TAG.CALL_CONTROL:
      case ENVELOPE_TAG.MO_SMS_CONTROL:
      case ENVELOPE_TAG.EVENT_DOWNLOAD:
        return {};
      default:
        throw new CardError(w.gsm ? SW.NO_PRECISE_DIAGNOSIS : SW.FUNCTION_NOT_SUPPORTED, `ENVELOPE template ${tag.toString(16)} not supported`);
    }
  }

  fetch(w: WorldSw, a: CommandApdu): Reply {
    const cmd = this.queue.head();
    if (cmd === undefined) throw new CardError(SW.NO_PRECISE_DIAGNOSIS, 'FETCH: no proactive command pending');
    // Only a FETCH that will carry the command consumes the announcement; a wrong Le gets 6Cxx /
    // 67xx from the runtime and the terminal asks again.
    if (delivers(cmd.length, a.ne, this.ctx.protocol() === 'T=0')) this.queue.markFetched();
    return { data: cmd.slice() };
  }

  terminalResponse(_w: WorldSw, _a: CommandApdu): Reply {
    if (!this.queue.complete()) throw new CardError(SW.NO_PRECISE_DIAGNOSIS, 'TERMINAL RESPONSE: no proactive command was fetched');
    return {};
  }
}


/** The tag of a single BER-TLV template filling `d` exactly (1-byte tag, length 00-7F or 81 xx). */
function templateTag(d: Uint8Array): number | undefined {
  if (d.length < 2) return undefined;
  let len = d[1]!;
  let off = 2;
  if (len === 0x81) {
    if (d.length < 3) return undefined;
    len = d[2]!;
    off = 3;
  } else if (len > 0x7f) return undefined;
  return off + len === d.length ? d[0] : undefined;
}

/** Whether the runtime's delivery rules (response.ts) hand `len` bytes to the terminal for this Ne. */
function delivers(len: number, ne: number, t0: boolean): boolean {
  if (ne === len) return true;
  return ne > len && !t0;
}
