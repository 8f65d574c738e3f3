/**
 * Recording through pcscd + vpcd: the emulator card served into a private pcscd, driven by the
 * PC/SC transport, recorded at the vpcd endpoint (what `cardforge emulate --record` does); the
 * recording replays byte-exact against a fresh emulator with the same seed, and against another
 * seed only the random challenge differs (masked). Mandatory with CI=true, skipped with the
 * reason otherwise (test/integration/pcsc-stack.ts). Guards: events lost or reordered between
 * the endpoint and the trace, a replay that diverges from what a real reader saw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorTransport, PcscTransport, type VpcdEndpoint } from '../../host/transport/index.js';
import { MemorySink } from '../../host/trace/io.js';
import { TraceRecorder, recordVpcdEndpoint } from '../../host/trace/record.js';
import { readTraceText } from '../../host/trace/formats/index.js';
import { replay } from '../../host/trace/replay.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { pcscSuiteNote, serve, skipPcsc, startStack } from '../integration/pcsc-stack.js';
import { SESSION, loopbackCard } from './helpers.js';

describe.skipIf(skipPcsc)(`trace recorded through pcscd + vpcd${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  let ep: VpcdEndpoint;
  let text = '';

  beforeAll(async () => {
    stack = await startStack();
    const card = loopbackCard('vpcd-seed');
    const sink = new MemorySink();
    const recorder = new TraceRecorder(sink, { target: 'vpcd test' });
    ep = await serve(stack, card, 0, {});
    recordVpcdEndpoint(ep, recorder, () => card.atr);
    const t = new PcscTransport({ reader: stack.readerName(0) });
    await t.connect();
    for (const c of SESSION) await t.transmit(c);
    await t.close();
    await ep.stop();
    recorder.close();
    text = sink.text();
  }, 30_000);

  afterAll(async () => {
    await ep?.stop();
    await stack?.stop();
  });

  it('holds every exchange the reader sent', () => {
    const evs = [...readTraceText(text, 'native').events];
    const cmds = evs.filter((e) => e.kind === 'command').length;
    expect(cmds).toBeGreaterThanOrEqual(SESSION.length);
    expect(evs.filter((e) => e.kind === 'response')).toHaveLength(cmds);
  });

  it('replays byte-exact against the emulator with the same seed', async () => {
    const t = new EmulatorTransport(loopbackCard('vpcd-seed'));
    const r = await replay(readTraceText(text, 'native'), t);
    await t.close();
    expect(r).toMatchObject({ masked: 0, different: 0, ok: true });
  });

  it('with another seed only the challenge differs, masked', async () => {
    const t = new EmulatorTransport(loopbackCard('other'));
    const r = await replay(readTraceText(text, 'native'), t);
    await t.close();
    expect(r.ok).toBe(true);
    expect(r.notable.map((n) => n.name)).toEqual(['GET_CHALLENGE']);
  });
});
