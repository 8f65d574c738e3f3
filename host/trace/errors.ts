/**
 * Errors a trace user can meet: a line that is not what its format says (named file:line), an
 * unknown or unguessable format, a trace a format cannot represent, a replay that cannot start.
 * Each has a stable code; the CLI prints the message as one line.
 */
import { CardforgeError } from '../errors.js';

export const TRACE_ERROR_CODES = [
  'TRACE_SYNTAX', // a line or record does not parse
  'TRACE_FORMAT_UNKNOWN', // --from/--to names no format, or the content matches none
  'TRACE_UNREPRESENTABLE', // the target format cannot carry this event
  'TRACE_IO', // cannot read or write the file
  'TRACE_NOT_FOUND', // the trace file does not exist
  'TRACE_EMPTY', // the trace file has no bytes
  'TRACE_REPLAY', // replay cannot proceed (no commands, transport failure)
] as const;
export type TraceErrorCode = (typeof TRACE_ERROR_CODES)[number];

export class TraceError extends CardforgeError<TraceErrorCode> {
  constructor(
    code: TraceErrorCode,
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(code, file !== undefined ? `${file}${line !== undefined ? `:${line}` : ''}: ${message}` : message);
    this.name = 'TraceError';
  }
}

/** Where a reader is, for error messages: "file:line". */
export interface Position {
  readonly file: string;
  line: number;
}

/** How readers handle a bad line: throw at once (default), or report it and go on. */
export type OnBadLine = (error: TraceError) => void;

export function syntaxError(pos: Position, message: string): TraceError {
  return new TraceError('TRACE_SYNTAX', message, pos.file, pos.line);
}
