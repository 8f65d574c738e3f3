/**
 * PcscTransport through the real stack: libpcsclite → private pcscd → vpcd driver → TCP →
 * VpcdEndpoint → Card. Covers T=1 and T=0 ATRs (T=0 exercises 61xx/GET RESPONSE and 6Cxx through
 * pcscd's case-4 mapping), reader lookup errors, card removal and re-insertion, and pcscd
 * unreachable then coming up (connect retries within its wait budget).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { PcscTransport, TransportError, listReaders, type VpcdEndpoint } from '../../host/transport/index.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { loopbackCard, pcscSuiteNote, serve, skipPcsc, startStack, waitForCard } from './pcsc-stack.js';

const SHA_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const FIXED16 = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf';

describe.skipIf(skipPcsc)(`PcscTransport via pcscd + vpcd${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  for (const proto of [1, 0] as const) {
    it(`exchanges APDUs with a T=${proto} emulated card`, async () => {
      const card = loopbackCard(proto);
      const ep = await serve(stack, card, 0);
      const t = new PcscTransport({ reader: stack.readerName(0) });
      try {
        expect(await t.connect()).toEqual(card.atr);
        expect(t.protocol).toBe(`T=${proto}`);
        expect(bytesToHex(await t.transmit(hexToBytes('8012000010')))).toBe(`${FIXED16}9000`);
        // Case 4: on T=0 pcscd drops Le, the card answers 6120 and the transport fetches the data.
        expect(bytesToHex(await t.transmit(hexToBytes('8014000003616263 00'.replace(' ', ''))))).toBe(`${SHA_ABC}9000`);
        // Wrong Le: T=0 card answers 6C10 and the transport re-sends; T=1 returns what there is.
        expect(bytesToHex(await t.transmit(hexToBytes('8012000005')))).toBe(proto === 0 ? `${FIXED16}9000` : '6c10');
        expect(bytesToHex(await t.transmit(hexToBytes('8016000003010203')))).toBe('9000');
        expect(bytesToHex(await t.transmit(hexToBytes('8018000003')))).toBe('0102039000');
        expect(await t.reset()).toEqual(card.atr);
        expect(bytesToHex(await t.transmit(hexToBytes('8018000003')))).toBe('0102039000');
      } finally {
        await t.close();
        await ep.stop();
        await waitForCard(stack.readerName(0), false);
      }
    });
  }

  it('names the readers when the wanted one does not exist', async () => {
    const t = new PcscTransport({ reader: 'No Such Reader' });
    const err = (await t.connect().catch((e: unknown) => e)) as TransportError;
    expect(err.code).toBe('PCSC_NO_READER');
    expect(err.message).toBe('no reader named "No Such Reader"; readers are: 0 "Virtual PCD 00 00", 1 "Virtual PCD 00 01"');
    await t.close();
  });

  it('says the reader is empty, then waits for a card when asked to', async () => {
    const t = new PcscTransport({ reader: stack.readerName(1) });
    await expect(t.connect()).rejects.toMatchObject({ code: 'PCSC_NO_CARD', message: expect.stringContaining('no card in reader "Virtual PCD 00 01"') });
    const waiting = new PcscTransport({ reader: '00 01', waitMs: 5000 });
    const card = loopbackCard();
    const pending = waiting.connect();
    const ep = await serve(stack, card, 1);
    try {
      expect(await pending).toEqual(card.atr);
      expect(waiting.reader).toBe('Virtual PCD 00 01');
    } finally {
      await waiting.close();
      await t.close();
      await ep.stop();
      await waitForCard(stack.readerName(1), false);
    }
  });

  it('reports a removed card and works again after re-insertion', async () => {
    const card = loopbackCard();
    let ep: VpcdEndpoint = await serve(stack, card, 0);
    const t = new PcscTransport({ reader: stack.readerName(0), waitMs: 5000 });
    const removed: string[] = [];
    t.on('removed', (r) => removed.push(r));
    try {
      await t.connect();
      expect(bytesToHex(await t.transmit(hexToBytes('8016000003070809')))).toBe('9000');
      await ep.stop(); // the emulator goes away: the card is pulled out of the reader
      await waitForCard(stack.readerName(0), false);
      const err = (await t.transmit(hexToBytes('8012000010')).catch((e: unknown) => e)) as TransportError;
      expect(err).toBeInstanceOf(TransportError);
      expect(['PCSC_CARD_REMOVED', 'PCSC_NO_CARD']).toContain(err.code);
      expect(removed).toHaveLength(1);
      await expect(t.transmit(hexToBytes('8012000010'))).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
      ep = await serve(stack, card, 0); // the emulator is back with the same card
      await t.connect();
      // Persistent state survived the removal; RAM state did not need to.
      expect(bytesToHex(await t.transmit(hexToBytes('8018000003')))).toBe('0708099000');
    } finally {
      await t.close();
      await ep.stop();
      await waitForCard(stack.readerName(0), false);
    }
  });

  it('lists both vpcd readers with their card state', async () => {
    const ep = await serve(stack, loopbackCard(), 0);
    try {
      const readers = await listReaders();
      expect(readers.map((r) => [r.name, r.cardPresent])).toEqual([
        ['Virtual PCD 00 00', true],
        ['Virtual PCD 00 01', false],
      ]);
      expect(bytesToHex(readers[0]!.atr!)).toBe(bytesToHex(loopbackCard().atr));
    } finally {
      await ep.stop();
      await waitForCard(stack.readerName(0), false);
    }
  });
});
