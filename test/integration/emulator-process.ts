/**
 * Test helper: the built `cardforge emulate` as a separate process serving an image into a slot
 * of the private pcscd, started and stopped as a user would (SIGTERM saves and exits; SIGKILL is
 * the crash the hardening tests inject). Waits until pcscd shows the card present or gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { builtCli } from '../cli/built-cli.js';
import { waitForCard } from './pcsc-stack.js';

export class EmulatorProcess {
  private readonly child: ChildProcess;
  readonly exited: Promise<void>;
  stderr = '';

  private constructor(readonly stack: PcscStack, image: string, slot: number, extra: readonly string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [builtCli(), 'emulate', '--card', image, '--vpcd', `127.0.0.1:${stack.port + slot}`, ...extra], {
      env: { ...stack.env(), ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((res) => this.child.once('exit', () => res()));
  }

  /** Start serving `image` and wait until the reader shows the card. `env` adds to the stack's (e.g. CARDFORGE_CRASH_POINT). */
  static async start(stack: PcscStack, image: string, opts: { slot?: number; args?: readonly string[]; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<EmulatorProcess> {
    const p = new EmulatorProcess(stack, image, opts.slot ?? 0, opts.args ?? [], opts.env ?? {});
    try {
      await waitForCard(stack.readerName(opts.slot ?? 0), true, opts.timeoutMs ?? 15_000);
    } catch (e) {
      p.kill('SIGKILL');
      throw new Error(`${(e as Error).message}; emulate ${p.running ? 'was running' : `had exited (${p.child.exitCode ?? p.signal})`}, its stderr:\n${p.stderr}`, { cause: e });
    }
    return p;
  }

  /** The signal that ended the process (null while it runs or when it exited by itself). */
  get signal(): NodeJS.Signals | null {
    return this.child.signalCode;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Stop (SIGTERM by default: the image is saved), wait for the exit and for the reader to empty. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', slot = 0): Promise<void> {
    this.kill(signal);
    await this.exited;
    await waitForCard(this.stack.readerName(slot), false, 10_000);
  }
}
