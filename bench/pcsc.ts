/**
 * The PC/SC stack (pcscd + vpcd) is an optional peer of the benches: when it is not installed a
 * section says "not measured" with the reason; when it is installed but fails, the bench fails.
 * One private stack serves the whole run: libpcsclite reads PCSCLITE_CSOCK_NAME once per process,
 * so a second stack started by a later section would be unreachable ("PC/SC service not running").
 * Sections get a handle whose stop() does nothing; bench/index.ts stops the stack at the end.
 */
import { PcscStackError, startPcscStack, type PcscStack } from '../scripts/pcsc/stack.js';
import { NotMeasured } from './measure.js';

let shared: Promise<PcscStack> | undefined;

async function start(): Promise<PcscStack> {
  try {
    return await startPcscStack();
  } catch (e) {
    if (e instanceof PcscStackError && e.code === 'PCSC_STACK_MISSING') throw new NotMeasured(e.message.split('\n')[0]!);
    throw e;
  }
}

export async function optionalPcscStack(): Promise<PcscStack> {
  shared ??= start();
  const stack = await shared;
  process.env['PCSCLITE_CSOCK_NAME'] = stack.socket;
  const handle = Object.create(stack) as PcscStack & { stop: () => Promise<void> };
  Object.defineProperty(handle, 'stop', { value: async () => {} });
  return handle;
}

/** Stop the run's stack, if one was started. */
export async function stopPcscStack(): Promise<void> {
  const s = shared;
  shared = undefined;
  if (!s) return;
  try {
    await (await s).stop();
  } catch {
    // it never started: nothing to stop
  }
}
