/**
 * Parsing APDUs from the command line: one argument per APDU, hex digits with optional spaces,
 * colons or dashes between them ("00 A4 04 00 00", "00:a4:04:00:00", "00A4040000").
 * Errors name the APDU by its position and the offset in the argument, never its content: the
 * argument may be a VERIFY with a PIN in it, and error output ends up in logs and CI output.
 */
import { EXIT, CliError } from './errors.js';

export function parseApduArg(arg: string, index: number): Uint8Array {
  const at = `APDU ${index + 1}`;
  const bad = arg.search(/[^0-9a-fA-F\s:-]/);
  if (bad >= 0) throw new CliError('BAD_APDU', `${at}: not a hex digit at offset ${bad}`, EXIT.USAGE);
  const clean = arg.replace(/[\s:-]/g, '');
  if (clean.length % 2 !== 0) throw new CliError('BAD_APDU', `${at}: odd number of hex digits (${clean.length})`, EXIT.USAGE);
  if (clean.length < 8) throw new CliError('BAD_APDU', `${at}: a command APDU has at least 4 bytes (CLA INS P1 P2), got ${clean.length / 2}`, EXIT.USAGE);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

export function parseApduArgs(args: readonly string[]): Uint8Array[] {
  if (args.length === 0) throw new CliError('BAD_APDU', 'no APDU given; example: cardforge send --card card.json "00 A4 04 00 00"', EXIT.USAGE);
  return args.map(parseApduArg);
}
