/**
 * What every command gets: where to print (so tests and future commands such as `shell` can
 * capture output) and how to log. Commands live in commands/*.ts and export register(program, ctx).
 */
import type { Command } from 'commander';

export interface CliContext {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where commander's usage errors go (default: err); under --json they are dropped, the error is printed as JSON. */
  usageErr?: (line: string) => void;
}

export type RegisterCommand = (program: Command, ctx: CliContext) => void;
