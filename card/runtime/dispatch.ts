/**
 * Table dispatch, one path for applets and the runtime's own commands (onomondo-uicc style):
 * the table answers 6E00 / 6D00; the class bits the target does not support 6882 / 6884; the
 * declared case and extended length 6700; the table's guard its SW (a blank applet 6985); a P1-P2
 * outside the declaration its declared SW — before any handler runs. The handler returns a Reply or
 * throws; a CardError is its status word, a PowerLoss unwinds the command, anything else is an
 * applet bug answered 6F00. A transaction still open when the handler returns is aborted (Java Card).
 */
import { SW } from '../../apdu-specs/status-words.js';
import type { CommandApdu } from './apdu.js';
import { paramsRefused, type CommandTable, type Lookup, type Reply } from './applet.js';
import { CardError, PowerLoss } from './errors.js';
import type { PersistentMemory } from './memory.js';
import { swBytes } from './response.js';

/** What commands are dispatched to: an applet, or the runtime's own command set. */
export interface DispatchTarget {
  readonly commands: CommandTable;
  /** Commands with secure-messaging bits in CLA may reach the handlers (else 6882). */
  readonly secureMessaging: boolean;
  /** Commands with the chaining bit in CLA may reach the handlers (else 6884). */
  readonly commandChaining: boolean;
  /** Extended-length APDUs may reach the handlers (else 6700). */
  readonly extendedLength: boolean;
}

export interface DispatchEnv {
  readonly memory: PersistentMemory;
  readonly protocol: () => 'T=0' | 'T=1';
  /** A command refused before its handler ran: its SW; held response data is dropped. */
  refused(sw: number): Uint8Array;
  /** The response to the reply of a handler that ran. */
  respond(apdu: CommandApdu, reply: Reply): Uint8Array;
}

const EMPTY_REPLY: Reply = {};

/**
 * Check a command against the target's table and flags, run its handler, shape the answer.
 * `found` is the table's lookup of the command when the caller already made it.
 */
export function dispatch(target: DispatchTarget, apdu: CommandApdu, env: DispatchEnv, found: Lookup = target.commands.lookup(apdu.claInfo.base, apdu.ins)): Uint8Array {
  const info = apdu.claInfo;
  if (typeof found === 'number') return env.refused(found);
  if (info.sm !== 0 && !target.secureMessaging) return env.refused(SW.SECURE_MESSAGING_NOT_SUPPORTED);
  if (info.chaining && !target.commandChaining) return env.refused(SW.COMMAND_CHAINING_NOT_SUPPORTED);
  if (apdu.extended && !target.extendedLength) return env.refused(SW.WRONG_LENGTH);
  apdu = transportCase(apdu, found.cases, env.protocol());
  if (!caseAllowed(found.cases, apdu.apduCase)) return env.refused(SW.WRONG_LENGTH);
  let reply: Reply | void;
  try {
    // The applet's state check (a blank applet answers 6985 to all but PERSO STORE DATA), answered
    // as a handler's CardError; then a P1-P2 its declaration does not accept (apdu-specs P1P2Spec),
    // after the length checks. Held response data stays held (a GET RESPONSE with a wrong P1-P2
    // does not lose it).
    target.commands.guard?.(found.spec);
    const refusedParams = paramsRefused(found, apdu);
    if (refusedParams !== undefined) return swBytes(refusedParams);
    reply = found.handler(apdu, found.spec);
  } catch (e) {
    return swBytes(failureSw(e, env.memory));
  } finally {
    // Java Card: a transaction still open when process() returns is aborted.
    if (env.memory.inTransaction && !env.memory.torn) env.memory.abort();
  }
  return env.respond(apdu, reply ?? EMPTY_REPLY);
}

/** The SW of a handler's exception; rethrows power loss (an injected tear). */
export function failureSw(e: unknown, memory: PersistentMemory): number {
  if (e instanceof PowerLoss || memory.torn) throw e instanceof PowerLoss ? e : new PowerLoss();
  if (e instanceof CardError) return e.sw;
  return SW.NO_PRECISE_DIAGNOSIS;
}

/**
 * ISO/IEC 7816-3 §12.2.2, TS 102.221 §7.3.1.1, TS 51.011 §9.1: on T=0 (and always in class A0,
 * whose commands carry P3) a case-1 command travels as CLA INS P1 P2 00. A command declared
 * case 1 and not case 2 is read so; one declared both ways (STATUS, MANAGE CHANNEL) keeps the
 * case-2 reading and its handler decides by P1-P2 (apdu.p3Zero).
 */
function transportCase(apdu: CommandApdu, cases: number, protocol: 'T=0' | 'T=1'): CommandApdu {
  if (apdu.apduCase !== 2 || !apdu.p3Zero || (cases & (1 << 1)) === 0 || (cases & (1 << 2)) !== 0) return apdu;
  return protocol === 'T=0' || apdu.claInfo.base === 0xa0 ? apdu.asCase1() : apdu;
}

function caseAllowed(mask: number, c: number): boolean {
  // A case-4 command may arrive without Le (T=0 readers never send it): accept it as case 3 form.
  return (mask & (1 << c)) !== 0 || (c === 3 && (mask & (1 << 4)) !== 0);
}
