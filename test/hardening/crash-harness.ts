/**
 * The crash-safety campaign shared by the hardening tests: serve an image with the built
 * `cardforge emulate` through pcscd + vpcd, stream numbered state-changing operations from a
 * PC/SC client, SIGKILL the emulator at a seeded moment, restart, and check that the image holds
 * exactly the last acknowledged state — or the state of the operation in flight when the kill
 * swallowed its answer — never anything else. The workload says what an operation is and how to
 * read the state an image holds.
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
}

export async function crashCampaign(stack: PcscStack, file: string, work: CrashWorkload, opts: CrashOptions): Promise<{ acked: number; outcomes: string[] }> {
  const rng = new SeededRng(opts.seed);
  const reader = stack.readerName(0);
  let acked = await work.imageState(file);
  const outcomes: string[] = [];
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
