/**
 * The one error a user meets when an export cannot be imported (issue 13): a stable code, the file
 * and line that is wrong, and a message in one shape — "file:line: what was found; expected …;
 * what to do". The CLI prints the message as one line; nothing is written when it is thrown.
 */
import { CardforgeError } from '../errors.js';

export const EXPORT_ERROR_CODES = [
  'BAD_LINE', // a line of a known form with the wrong shape (`# directory:` without its FIDs, …)
  'BAD_HEX', // a hex field with a non-hex character or an odd number of digits
  'UNKNOWN_COMMAND', // a command line that is not select / update_binary / update_record
  'UNSUPPORTED', // a command pySim can write but an import cannot honour (JSON export, ARA-M rules)
  'NO_SELECTION', // an update before any select
  'UNKNOWN_PATH', // a select of a path no `# directory:` line announced
  'BAD_FCP', // a RAW FCP template / GSM response that does not parse
  'MISMATCH', // FCP, name, `# file:` or `# structure:` disagree with each other
  'MIXED_FLAVOUR', // UICC FCP templates and classic GSM responses in one export
  'BAD_LENGTH', // update_binary / update_record data not as long as the FCP says
  'RECORD_RANGE', // a record number beyond the record count
  'DUPLICATE', // the same file (or record) twice
  'NOT_WRITABLE', // contents for a file the export did not import (no FCP, a DF, an applet)
  'BAD_TREE', // no MF first, or a file whose DF is not in the export
  'BAD_PBR', // an EF_PBR record that does not decode (TS 31.102 §4.4.2.1)
] as const;
export type ExportErrorCode = (typeof EXPORT_ERROR_CODES)[number];

export class ExportParseError extends CardforgeError<ExportErrorCode> {
  readonly file: string;
  readonly line: number;

  /** `found`: what is there; `expected`: what would be accepted; `todo`: what the user can do. */
  constructor(code: ExportErrorCode, file: string, line: number, found: string, expected: string, todo: string) {
    super(code, `${file}:${line}: ${found}; expected ${expected}; ${todo}`);
    this.name = 'ExportParseError';
    this.file = file;
    this.line = line;
  }
}
