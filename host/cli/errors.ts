/**
 * User-facing CLI errors: a typed error with a code becomes one line on stderr and an exit code
 * (2 for usage errors, 1 for failures); a stack trace is printed only with CARDFORGE_DEBUG=1,
 * because a stack trace in front of a user is a bug.
 */
import { CommanderError } from 'commander';
import { ImageFileError } from '../store/index.js';
import { TransportError } from '../transport/index.js';

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = EXIT.FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Message and exit code for anything a command threw. */
export function describeError(e: unknown): { message: string; exitCode: number; code: string } {
  if (e instanceof CliError) return { message: e.message, exitCode: e.exitCode, code: e.code };
  if (e instanceof TransportError) return { message: e.message, exitCode: EXIT.FAILURE, code: e.code };
  if (e instanceof ImageFileError) return { message: e.message, exitCode: EXIT.FAILURE, code: e.code };
  if (e instanceof CommanderError) return { message: e.message.replace(/^error: /, ''), exitCode: e.exitCode === 0 ? 0 : EXIT.USAGE, code: e.code };
  const err = e as { code?: unknown; message?: unknown };
  if (typeof err?.code === 'string' && typeof err.message === 'string' && /^[A-Z][A-Z0-9_]+$/.test(err.code)) {
    return { message: err.message, exitCode: EXIT.FAILURE, code: err.code };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return { message: `internal error: ${msg} (this is a bug in cardforge; rerun with CARDFORGE_DEBUG=1 and report it)`, exitCode: EXIT.FAILURE, code: 'INTERNAL' };
}
