/**
 * The files a user names on the command line (an export, a profile, a report to write), read and
 * written so that a failure is a CliError naming the file, what went wrong in words and what to
 * do — never a raw Node error (ENOENT …) reaching the user.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { CliError, type CliErrorCode } from './errors.js';

const REASONS: { readonly [code: string]: string } = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/** "ENOENT: no such file or directory" for a Node system error; the message for anything else. */
export function fileProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return REASONS[code] !== undefined ? `${code}: ${REASONS[code]}` : code;
  return e instanceof Error ? e.message : String(e);
}

/** The text of `file`; `what` names it in the message ("the export"). */
export function readUserFile(file: string, what: string, code: CliErrorCode): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(code, `${file}: cannot read ${what} (${fileProblem(e)}); check the path and that the file is readable`);
  }
}

/** Writes `text` to `file` (created or replaced); `what` names it in the message ("the JUnit report"). */
export function writeUserFile(file: string, text: string, what: string, code: CliErrorCode): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new CliError(code, `${file}: cannot write ${what} (${fileProblem(e)}); check that the directory exists and is writable`);
  }
}
