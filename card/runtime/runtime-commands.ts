/**
 * The commands the runtime handles itself (apdu-specs/iso7816.ts RUNTIME_COMMANDS), bound to real
 * handlers in a CommandTable and dispatched like an applet's: SELECT by DF name when an installed
 * applet's AID matches, MANAGE CHANNEL (ISO/IEC 7816-4 §11.1.2), GET RESPONSE (§11.7.1) and the GSM
 * class's (TS 51.011 §9.2.18).
 * The dispatcher lets the secure-messaging and chaining bits through to these handlers: SELECT and
 * MANAGE CHANNEL refuse them after the length checks (6882 / 6884), GET RESPONSE ignores them.
 */
import { GET_RESPONSE, GSM_GET_RESPONSE, PROPRIETARY_GET_RESPONSE, RUNTIME_COMMANDS } from '../../apdu-specs/iso7816.js';
import { SW } from '../../apdu-specs/status-words.js';
import type { CommandApdu } from './apdu.js';
import { CommandTable, type Lookup, type Reply } from './applet.js';
import type { Channels } from './channels.js';
import type { DispatchTarget } from './dispatch.js';
import { CardError } from './errors.js';
import type { Responder } from './responder.js';

/** Where process() sends a command: the runtime's table, the channel's applet, or a status word now. */
export type Route = 'runtime' | 'applet' | number;

/** Replies of GET RESPONSE: the response bytes the responder served, given as they are. */
const SERVED = new WeakMap<Reply, Uint8Array>();

export class RuntimeCommands implements DispatchTarget {
  readonly secureMessaging = true;
  readonly commandChaining = true;
  readonly extendedLength = false;
  readonly commands: CommandTable;

  constructor(
    private readonly channels: Channels,
    private readonly responder: Responder,
  ) {
    const getResponse = (a: CommandApdu): Reply => this.getResponse(a);
    this.commands = new CommandTable(RUNTIME_COMMANDS, {
      SELECT: (a) => this.selectByName(a),
      MANAGE_CHANNEL: (a) => this.manageChannel(a),
      GET_RESPONSE: getResponse,
      GSM_GET_RESPONSE: getResponse,
      GET_RESPONSE_8X: getResponse,
    });
  }

  /**
   * GET RESPONSE works on the data held by the previous command; any other command drops it.
   * `entry` is this table's lookup of the command (the card looks it up once per command).
   */
  keepsPending(entry: Lookup): boolean {
    return typeof entry !== 'number' && (entry.spec === GET_RESPONSE || entry.spec === GSM_GET_RESPONSE || entry.spec === PROPRIETARY_GET_RESPONSE);
  }

  /**
   * SELECT goes to the runtime only by DF name (P1=04) and when the runtime answers it
   * (Channels.resolveByName); a name no applet has may be the current applet's (an ADF).
   * `entry` is this table's lookup of the command.
   */
  route(apdu: CommandApdu, entry: Lookup): Route {
    if (typeof entry === 'number') return 'applet';
    if (apdu.ins !== 0xa4) return 'runtime';
    if (apdu.p1 !== 0x04) return 'applet';
    const r = this.channels.resolveByName(apdu);
    if (r.kind === 'hosted') {
      // The hosting applet is selected without an FCI of its own (as at power-up), then takes the SELECT.
      try {
        this.channels.select(apdu.claInfo.channel, r.index, null);
      } catch (e) {
        if (e instanceof CardError) return e.sw;
        throw e;
      }
      return 'applet';
    }
    return r.kind === 'applet' ? 'runtime' : r.kind === 'forward' ? 'applet' : r.sw;
  }

  /** The response of a runtime reply: GET RESPONSE's bytes as served, else shaped. */
  respond(apdu: CommandApdu, reply: Reply): Uint8Array {
    return SERVED.get(reply) ?? this.responder.shape(apdu, reply);
  }

  private plainClass(apdu: CommandApdu): void {
    if (apdu.claInfo.sm !== 0) throw new CardError(SW.SECURE_MESSAGING_NOT_SUPPORTED);
    if (apdu.claInfo.chaining) throw new CardError(SW.COMMAND_CHAINING_NOT_SUPPORTED);
  }

  private selectByName(apdu: CommandApdu): Reply {
    this.plainClass(apdu);
    const r = this.channels.resolveByName(apdu);
    if (r.kind !== 'applet') throw new Error('SELECT by DF name routed to the runtime without a matching applet');
    const reply = this.channels.select(apdu.claInfo.channel, r.index, apdu);
    return (apdu.p2 & 0x0c) === 0x0c ? { sw: reply.sw } : reply;
  }

  /**
   * MANAGE CHANNEL (ISO/IEC 7816-4 §11.1.2; TS 102.221 §11.1.17). The forms without response
   * data are case 1, which a T=0 terminal sends with P3=00 ('00 70 80 01 00', '00 70 00 02 00').
   * Opening with P2=00 returns the channel number (Le=01); sent with P3=00 on T=0 (Le=256), the
   * channel is opened and its number held behind 6101 rather than lost to a 6C01.
   */
  private manageChannel(apdu: CommandApdu): Reply {
    this.plainClass(apdu);
    const origin = apdu.claInfo.channel;
    const case1 = apdu.apduCase === 1 || apdu.p3Zero;
    if (apdu.p1 === 0x00) {
      if (apdu.p2 === 0 && apdu.apduCase !== 2) throw new CardError(SW.WRONG_LENGTH, 'MANAGE CHANNEL open with P2=00 needs Le=01');
      if (apdu.p2 !== 0 && !case1) throw new CardError(SW.WRONG_LENGTH);
      const target = this.channels.open(origin, apdu.p2);
      this.responder.stateChanged = true;
      return apdu.p2 === 0 ? { data: Uint8Array.of(target) } : {};
    }
    // P1 80, close: the dispatcher refused any P1 but 00 and 80 (MANAGE_CHANNEL's declaration).
    if (!case1) throw new CardError(SW.WRONG_LENGTH);
    this.channels.close(origin, apdu.p2);
    return {};
  }

  private getResponse(apdu: CommandApdu): Reply {
    const reply: Reply = {};
    SERVED.set(reply, this.responder.serve(apdu));
    return reply;
  }
}
