/**
 * User-facing CLI errors: a typed error becomes one line on stderr and an exit code (2 for usage
 * errors, 1 for failures); a stack trace is printed only with CARDFORGE_DEBUG=1, because a stack
 * trace in front of a user is a bug. A user error is recognised by its class — a CardforgeError
 * (host/errors.ts) or one of the card's own errors — never by the look of its `code`: a raw Node
 * error (ENOENT …) escaping a command is a file the command forgot to wrap (files.ts), so it is
 * reported as the bug it is.
 */
import { CommanderError } from 'commander';
import { CardforgeError, type ErrorCode } from '../errors.js';
import { ImageError } from '../../card/image/index.js';
import { CardNotPoweredError, CardPowerLostError } from '../../card/runtime/index.js';
import { SimConfigError } from '../../card/applets/sim/index.js';
import { AramFormatError } from '../../card/applets/aram/index.js';
import { FsLayoutError } from '../../card/fs/index.js';
import { TlvError } from '../../card/protocol/index.js';

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

export const CLI_ERROR_CODES = [
  'USAGE', // a bad option or argument (exit 2)
  'BAD_APDU', // a command APDU argument that is not hex of at least 4 bytes (exit 2)
  'APPLETS_MODULE', // --applets names a module that does not load or exports no applets
  'IMAGE_EXISTS', // -o names an existing file and --force is not given
  'IMAGE_NOT_SAVED', // emulate stopped serving: the image could not be saved
  'EXPORT_UNREADABLE', // image import: the export file cannot be read
  'PROFILE_UNREADABLE', // --profile: the file cannot be read
  'REPORT_UNWRITABLE', // prove --junit, run --junit: the report cannot be written
  'SCRIPT_INVALID', // run / send -: a malformed script line or an unknown variable, named file:line:column (exit 2)
  'SCRIPT_UNREADABLE', // run: the script file cannot be read
  'VPCD_UNREACHABLE', // emulate --vpcd: the host does not resolve
  'VPCD_SLOT_BUSY', // emulate: the vpcd slot already serves a card (another emulate or vicc)
] as const;
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

export class CliError extends CardforgeError<CliErrorCode> {
  constructor(
    code: CliErrorCode,
    message: string,
    readonly exitCode: number = EXIT.FAILURE,
  ) {
    super(code, message);
    this.name = 'CliError';
  }
}

/**
 * The card's errors a user can meet through a command (a card image that does not parse, a card
 * not powered, a bad SIM or file-system layout, a malformed TLV or ARA-M rule): card/ never
 * imports host/, so they are not CardforgeErrors and are recognised here by class.
 */
export const CARD_USER_ERRORS = [ImageError, CardPowerLostError, CardNotPoweredError, SimConfigError, FsLayoutError, TlvError, AramFormatError] as const;

/** What describeError reports: a cardforge code, commander's own ("commander.unknownOption"), or INTERNAL for a bug. */
export type DescribedCode = ErrorCode | 'INTERNAL' | `commander.${string}`;

/** Message and exit code for anything a command threw. */
export function describeError(e: unknown): { message: string; exitCode: number; code: DescribedCode } {
  if (e instanceof CliError) return { message: e.message, exitCode: e.exitCode, code: e.code };
  if (e instanceof CommanderError) return { message: e.message.replace(/^error: /, ''), exitCode: e.exitCode === 0 ? 0 : EXIT.USAGE, code: e.code as `commander.${string}` };
  if (e instanceof CardforgeError) return { message: e.message, exitCode: EXIT.FAILURE, code: e.code };
  for (const cls of CARD_USER_ERRORS) if (e instanceof cls) return { message: e.message, exitCode: EXIT.FAILURE, code: e.code };
  const msg = e instanceof Error ? e.message : String(e);
  return { message: `internal error: ${msg} (this is a bug in cardforge; rerun with CARDFORGE_DEBUG=1 and report it)`, exitCode: EXIT.FAILURE, code: 'INTERNAL' };
}
