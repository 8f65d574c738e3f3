/**
 * The crash-safety campaign shared by the hardening tests: serve an image with the built
 * `cardforge emulate` through pcscd + vpcd, stream numbered state-changing operations from a
 * PC/SC client, SIGKILL the emulator at a seeded moment, restart, and check that the image holds
 * exactly the last acknowledged state — or the state of the operation in flight when the kill
 * swallowed its answer — never anything else. The workload says what an operation is and how to
 * read the state an image holds.
 *
 * Random kills alone can miss the bug they hunt (process timing is not seeded; a reply sent before
 * the save passed by luck). So every campaign first runs the deterministic crash points of
 * `cardforge emulate` (CARDFORGE_CRASH_POINT, host/store/persistent-card.ts): the process
 * SIGKILLs itself on the Nth state-changing command after the answer is computed but before it is
 * saved or sent (image = last acknowledged), after the save but before the send (image = the
 * operation in flight, whose answer the client never saw), and half-way through writing the temp
 * file (image = last acknowledged, intact). Each is an exact assertion, every run.
 */
import { expect } from 'vitest';
import { SeededRng } from '../../card/runtime/index.js';
import { PcscTransport, TransportError } from '../../host/transport/index.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { EmulatorProcess } from '../integration/emulator-process.js';

export interface CrashWorkload {
  /** After connecting: the session set-up (SELECT, VERIFY) a client needs before streaming. */
  open(t: PcscTransport): Promise<void>;
  /**
   * Operation number `next` (the state it leads to). Call `flight.sending()` right before the
   * command that changes the counted state, and `flight.refused()` when the card refused it, so a
   * kill outside it (during a VERIFY, a settlement) does not count as "in flight". Resolves true when the card acknowledged the operation, false when it
   * was not one that changes the counted state (e.g. a settlement): the stream goes on either way.
   * Throws TransportError when the card is gone.
   */
  step(t: PcscTransport, next: number, flight: { sending(): void; refused(): void }): Promise<boolean>;
  /** The counted state an image holds after a power-up; throws on a torn state. */
  imageState(file: string): Promise<number>;
}

export interface CrashOptions {
  iterations: number;
  seed: string;
  /** Kill delay from one random byte (0..255), in ms into the stream. */
  killAfterMs: (byte: number) => number;
  /** The Nth state-changing command (power-ups and set-up included) where the deterministic crash points fire; it must fall on a counted operation. */
  crashAt: number;
}

export const CRASH_POINT_NAMES = ['after-compute', 'after-save', 'mid-save'] as const;

/** One run per deterministic crash point; returns the acknowledged count that survived. */
async function deterministicCrashes(stack: PcscStack, file: string, work: CrashWorkload, opts: CrashOptions, outcomes: string[]): Promise<number> {
  const reader = stack.readerName(0);
  let acked = await work.imageState(file);
  for (const at of CRASH_POINT_NAMES) {
    const emu = await EmulatorProcess.start(stack, file, { timeoutMs: 10_000, env: { CARDFORGE_CRASH_POINT: `${at}:${opts.crashAt}` } });
    try {
      const t = new PcscTransport({ reader, waitMs: 3000 });
      await t.connect();
      await work.open(t);
      let inflight: number | undefined;
      let lastError = '';
      for (let ops = 0; ; ops++) {
        expect(ops, `${at}:${opts.crashAt}: the emulator never crashed\n${emu.stderr}`).toBeLessThan(opts.crashAt + 20);
        inflight = undefined;
        const next = acked + 1;
        try {
          if (!(await work.step(t, next, { sending: () => (inflight = next), refused: () => (inflight = undefined) }))) continue;
        } catch (e) {
          if (!(e instanceof TransportError)) throw e;
          lastError = e.message;
          break;
        }
        acked++;
      }
      await emu.exited;
      expect(emu.signal, `${at}: the emulator ended by ${emu.signal ?? 'exit'}, not its own SIGKILL\n${emu.stderr}`).toBe('SIGKILL');
      await emu.stop('SIGKILL');
      await t.close().catch(() => undefined);
      const state = await work.imageState(file);
      outcomes.push(`crash point ${at}:${opts.crashAt} after ${acked} acks: image ${state}, in flight ${inflight ?? '-'} (${lastError})`);
      expect(inflight, `${at}:${opts.crashAt} fell outside a counted operation; pick another crashAt\n${outcomes.join('\n')}`).toBeDefined();
      // Exact: saved-but-unsent keeps the operation in flight; anything earlier keeps the last acknowledged one.
      expect(state, `${outcomes.join('\n')}\n${emu.stderr}`).toBe(at === 'after-save' ? inflight : acked);
      acked = state;
    } finally {
      await emu.stop('SIGKILL').catch(() => undefined);
    }
  }
  return acked;
}

export async function crashCampaign(stack: PcscStack, file: string, work: CrashWorkload, opts: CrashOptions): Promise<{ acked: number; outcomes: string[] }> {
  const rng = new SeededRng(opts.seed);
  const reader = stack.readerName(0);
  const outcomes: string[] = [];
  let acked = await deterministicCrashes(stack, file, work, opts, outcomes);
  for (let i = 0; i < opts.iterations; i++) {
    const emu = await EmulatorProcess.start(stack, file, { timeoutMs: 10_000 });
    try {
      const t = new PcscTransport({ reader, waitMs: 3000 });
      await t.connect();
      await work.open(t);
      const killAfter = opts.killAfterMs(rng.fill(new Uint8Array(1))[0]!);
      const killer = new Promise<void>((res) => setTimeout(res, killAfter)).then(() => emu.kill('SIGKILL'));
      let inflight: number | undefined;
      let streamed = 0;
      let lastError = '';
      for (;;) {
        inflight = undefined;
        const next = acked + 1;
        try {
          if (!(await work.step(t, next, { sending: () => (inflight = next), refused: () => (inflight = undefined) }))) {
            inflight = undefined;
            continue;
          }
        } catch (e) {
          // Only a lost card ends the stream; a wrong answer from a live card is a failure.
          if (!(e instanceof TransportError)) throw e;
          lastError = e.message;
          break; // the emulator died under this operation: its outcome is unknown to the client
        }
        acked++;
        inflight = undefined;
        streamed++;
      }
      await killer;
      await emu.stop('SIGKILL');
      await t.close().catch(() => undefined);
      const state = await work.imageState(file);
      outcomes.push(`kill@${killAfter}ms after ${streamed} acks: image ${state}, in flight ${inflight ?? '-'} (${lastError})`);
      expect(inflight === undefined ? [acked] : [acked, inflight], `${outcomes.join('\n')}\n${emu.stderr}`).toContain(state);
      acked = state; // the next run continues from what survived
    } finally {
      await emu.stop('SIGKILL').catch(() => undefined);
    }
  }
  return { acked, outcomes };
}
