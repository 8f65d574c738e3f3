/**
 * The PC/SC stack (pcscd + vpcd) is an optional peer of the benches: when it is not installed a
 * section says "not measured" with the reason; when it is installed but fails, the bench fails.
 */
import { PcscStackError, startPcscStack, type PcscStack } from '../scripts/pcsc/stack.js';
import { NotMeasured } from './measure.js';

export async function optionalPcscStack(): Promise<PcscStack> {
  try {
    return await startPcscStack();
  } catch (e) {
    if (e instanceof PcscStackError && e.code === 'PCSC_STACK_MISSING') throw new NotMeasured(e.message.split('\n')[0]!);
    throw e;
  }
}
