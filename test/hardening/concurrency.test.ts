/**
 * Two PC/SC clients on one emulated card through a private pcscd + vpcd, as PC/SC defines it
 * (pcsc-lite SCardConnect / SCardTransmit): an exclusive connection makes the other client's
 * connect fail with SCARD_E_SHARING_VIOLATION (our PCSC_SHARING) until it is released; shared
 * connections interleave whole APDUs — every response belongs to its own command, and the card
 * never has two commands inside at once (per-command timing log at the card). Guards: crossed
 * responses between clients, a card re-entered while busy, an exclusive lock that does not hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../card/runtime/index.js';
import { PcscTransport, TransportError, type VpcdCard } from '../../host/transport/index.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { loopbackCard, pcscSuiteNote, serve, skipPcsc, startStack, waitForCard } from '../integration/pcsc-stack.js';

interface Span {
  client: number;
  start: number;
  end: number;
}

/** A card that logs when each command enters and leaves it, and how many are inside at once. */
function timedCard(): { card: VpcdCard; spans: Span[]; maxInside: () => number } {
  const inner = loopbackCard();
  const spans: Span[] = [];
  let inside = 0;
  let max = 0;
  const card: VpcdCard = {
    get atr() {
      return inner.atr;
    },
    powerOn: () => inner.powerOn(),
    powerOff: () => inner.powerOff(),
    reset: () => inner.reset(),
    transmit: (c: Uint8Array) => {
      inside++;
      max = Math.max(max, inside);
      const start = performance.now();
      try {
        return inner.transmit(c);
      } finally {
        // ECHO payloads start with the client number (1 or 2); other commands log as 0.
        spans.push({ client: c[1] === 0x10 && c.length > 5 ? c[5]! : 0, start, end: performance.now() });
        inside--;
      }
    },
  };
  return { card, spans, maxInside: () => max };
}

describe.skipIf(skipPcsc)(`two PC/SC clients on one emulated card${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  beforeAll(async () => {
    stack = await startStack();
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('exclusive: the second client gets SCARD_E_SHARING_VIOLATION (PCSC_SHARING) until the first releases the card', async () => {
    const ep = await serve(stack, loopbackCard(), 0);
    const reader = stack.readerName(0);
    const a = new PcscTransport({ reader, share: 'exclusive' });
    const b = new PcscTransport({ reader, share: 'shared' });
    const c = new PcscTransport({ reader, share: 'exclusive' });
    try {
      await a.connect();
      const err = (await b.connect().catch((e: unknown) => e)) as TransportError;
      expect(err).toBeInstanceOf(TransportError);
      expect(err.code).toBe('PCSC_SHARING');
      expect(err.message).toMatch(/sharing violation/i);
      await expect(c.connect()).rejects.toMatchObject({ code: 'PCSC_SHARING' });
      expect(bytesToHex(await a.transmit(Uint8Array.of(0x80, 0x12, 0, 0, 0x10)))).toMatch(/9000$/);
      await a.close();
      await b.connect(); // released: shared now works
      expect(bytesToHex(await b.transmit(Uint8Array.of(0x80, 0x12, 0, 0, 0x10)))).toMatch(/9000$/);
      // …and while b holds it shared, an exclusive request is refused as well.
      await expect(c.connect()).rejects.toMatchObject({ code: 'PCSC_SHARING' });
    } finally {
      await a.close();
      await b.close();
      await c.close();
      await ep.stop();
      await waitForCard(stack.readerName(0), false);
    }
  }, 30_000);

  it('shared: two clients interleave whole APDUs; each gets its own answers; never two commands inside the card', async () => {
    const t = timedCard();
    const ep = await serve(stack, t.card, 0);
    const reader = stack.readerName(0);
    const clients = [new PcscTransport({ reader }), new PcscTransport({ reader })];
    const N = 300;
    try {
      for (const c of clients) await c.connect();
      const run = async (id: number): Promise<void> => {
        const cl = clients[id - 1]!;
        for (let i = 0; i < N; i++) {
          const payload = Uint8Array.of(id, i >> 8, i & 0xff, ...new Array<number>(i % 40).fill(id * 16 + (i & 15)));
          const cmd = Uint8Array.of(0x80, 0x10, 0, 0, payload.length, ...payload, 0);
          const rsp = await cl.transmit(cmd);
          expect(bytesToHex(rsp)).toBe(`${bytesToHex(payload)}9000`);
        }
      };
      await Promise.all([run(1), run(2)]);
      expect(t.maxInside()).toBe(1);
      const echoes = t.spans.filter((s) => s.client !== 0);
      expect(echoes.length).toBe(2 * N);
      for (let i = 1; i < t.spans.length; i++) expect(t.spans[i]!.start).toBeGreaterThanOrEqual(t.spans[i - 1]!.end);
      // Both clients were served side by side, not one after the other.
      let switches = 0;
      for (let i = 1; i < echoes.length; i++) if (echoes[i]!.client !== echoes[i - 1]!.client) switches++;
      expect(switches).toBeGreaterThan(10);
    } finally {
      for (const c of clients) await c.close();
      await ep.stop();
      await waitForCard(stack.readerName(0), false);
    }
  }, 60_000);
});
