/**
 * Commands built from their declaration (apdu-specs): CLA and INS come from the CommandSpec, the
 * class byte and the command case are checked against what it declares, and the bytes are
 * card/runtime's buildCommand (with its Nc/Ne checks) — so a host client names the command it
 * sends (`sendCommand(t, PAYMENT.SIGN_TRANSACTION, { p1, data, ne })`) instead of repeating its
 * CLA/INS. sendCommand completes a T=0 answer (61xx/6Cxx/9Fxx) with t0.ts, the one GET RESPONSE
 * loop; on a transport that already ran it (the default), that finds nothing left to do.
 */
import { buildCommand, decodeCla, splitResponse } from '../../card/runtime/index.js';
import type { ApduCase, CommandSpec } from '../../apdu-specs/index.js';
import { transmitT0 } from './t0.js';
import type { Transport } from './types.js';

export interface CommandFields {
  readonly p1?: number;
  readonly p2?: number;
  readonly data?: Uint8Array;
  /** Ne, as buildCommand: undefined = no Le field; 256 short (Le=00), 65536 extended (Le=0000). */
  readonly ne?: number;
  /** A class byte of the declared pattern (e.g. another logical channel); default: the pattern's own value. */
  readonly cla?: number;
  /** Force the extended form. */
  readonly extended?: boolean;
}

/** A response split into its data and status word. */
export interface CommandReply {
  readonly data: Uint8Array;
  readonly sw: number;
}

const hex2 = (v: number): string => v.toString(16).padStart(2, '0').toUpperCase();

function byte(spec: CommandSpec, name: string, v: number | undefined): number {
  if (v === undefined) return 0;
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`commandFor(${spec.name}): "${name}" expected 0..255, got ${v}`);
  return v;
}

/** The command APDU of `spec` with these fields; RangeError when the class or case is not the declared one. */
export function commandFor(spec: CommandSpec, fields: CommandFields = {}): Uint8Array {
  const cla = fields.cla ?? spec.cla.value;
  const base = Number.isInteger(cla) && cla >= 0 && cla <= 0xff ? decodeCla(cla)?.base : undefined;
  if (base === undefined || (base & spec.cla.mask) !== spec.cla.value) {
    throw new RangeError(`commandFor(${spec.name}): "cla" expected class ${spec.cla.text}, got ${Number.isInteger(cla) && cla >= 0 && cla <= 0xff ? hex2(cla) : cla}`);
  }
  const p1 = byte(spec, 'p1', fields.p1);
  const p2 = byte(spec, 'p2', fields.p2);
  const nc = fields.data?.length ?? 0;
  const apduCase: ApduCase = nc === 0 ? (fields.ne === undefined ? 1 : 2) : fields.ne === undefined ? 3 : 4;
  if (!spec.cases.includes(apduCase)) throw new RangeError(`commandFor(${spec.name}): "case" expected ${spec.cases.join(' or ')}, got ${apduCase}`);
  return buildCommand(cla, spec.ins, p1, p2, {
    ...(fields.data !== undefined ? { data: fields.data } : {}),
    ...(fields.ne !== undefined ? { ne: fields.ne } : {}),
    ...(fields.extended !== undefined ? { extended: fields.extended } : {}),
  });
}

/** Split a response APDU (data ‖ SW1 SW2). */
export function replyOf(response: Uint8Array): CommandReply {
  return splitResponse(response);
}

/** Send a raw command and complete a T=0 answer the transport left open (t0.ts). */
export function transmitComplete(transport: Pick<Transport, 'transmit'>, command: Uint8Array): Promise<Uint8Array> {
  return transmitT0((c) => transport.transmit(c), command);
}

/** Build `spec`'s command (commandFor), send it, and return the complete answer. */
export async function sendCommand(transport: Pick<Transport, 'transmit'>, spec: CommandSpec, fields: CommandFields = {}): Promise<CommandReply> {
  return replyOf(await transmitComplete(transport, commandFor(spec, fields)));
}
