/** The shell's usage error: a line it could not turn into a command (nothing was sent). */
import { CardforgeError } from '../errors.js';

export class ShellUsageError extends CardforgeError<'SHELL_USAGE'> {
  constructor(message: string) {
    super('SHELL_USAGE', message);
    this.name = 'ShellUsageError';
  }
}
