/**
 * An unreachable pcscd: a clear message (with the socket path and what to do) at once, and a
 * connect with a wait budget that retries until pcscd comes up. Its own file: libpcsclite fixes
 * the socket path once per process, so this process points at a pcscd that does not exist yet.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { PcscTransport, listReaders, type VpcdEndpoint } from '../../host/transport/index.js';
import { startPcscStack, type PcscStack } from '../../scripts/pcsc/stack.js';
import { loopbackCard, pcscSuiteNote, serve, skipPcsc } from './pcsc-stack.js';
import { tempDir } from '../helpers/temp-dir.js';

describe.skipIf(skipPcsc)(`unreachable pcscd${pcscSuiteNote}`, () => {
  const dir = tempDir('cfu-');
  process.env['PCSCLITE_CSOCK_NAME'] = join(dir, 'run', 'pcscd.comm');
  let stack: PcscStack | undefined;
  let ep: VpcdEndpoint | undefined;
  afterAll(async () => {
    await ep?.stop();
    await stack?.stop();
  });

  it('fails at once with the socket path and how to start pcscd', async () => {
    await expect(listReaders()).rejects.toMatchObject({
      code: 'PCSC_NO_SERVICE',
      message: expect.stringMatching(new RegExp(`^cannot open a PC/SC context: PC/SC service not running; pcscd is not running or not reachable at ${join(dir, 'run', 'pcscd.comm')}; start it`)),
    });
  });

  it('retries within the wait budget and connects once pcscd and the card are up', async () => {
    const t = new PcscTransport({ reader: 'Virtual PCD 00 00', waitMs: 15_000 });
    const connecting = t.connect();
    await new Promise((r) => setTimeout(r, 500));
    stack = await startPcscStack({ dir });
    ep = await serve(stack, loopbackCard(), 0);
    await connecting;
    expect(bytesToHex(await t.transmit(hexToBytes('8012000010')))).toMatch(/9000$/);
    await t.close();
  });
});
