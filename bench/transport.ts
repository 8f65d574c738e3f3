/**
 * Transport benchmark: APDU/s through the real stack (PcscTransport → libpcsclite → private pcscd
 * with the TCP_NODELAY shim → vpcd → VpcdEndpoint) for the emulator answering FIXED16, against a
 * do-nothing card endpoint that answers 9000 at once — the floor of the stack, measured in the
 * same run, alternating rounds so both see the same machine load. Goal: emulator ≥ 90% of floor.
 * Used by bench/index.ts; throws NotMeasured when the PC/SC stack is not installed.
 */
import { LOOPBACK_AID } from '../apdu-specs/loopback.js';
import { LoopbackApplet } from '../card/applets/index.js';
import { Card, buildAtr, hexToBytes } from '../card/runtime/index.js';
import { PcscTransport, VpcdEndpoint, type VpcdCard } from '../host/transport/index.js';
import type { PcscStack } from '../scripts/pcsc/stack.js';
import { optionalPcscStack } from './pcsc.js';

export interface BenchRow {
  name: string;
  opsPerSec: number;
  /** The row this one is compared against. */
  peer?: string;
  /** How it was measured. */
  method: string;
}

const FIXED16 = hexToBytes('8012000010');
const NOOP_NAME = 'pcscd+vpcd: do-nothing card (stack floor)';
const EMU_NAME = 'pcscd+vpcd: emulator FIXED16';

/** A card that answers every command with 9000 and does nothing else. */
export function doNothingCard(): VpcdCard {
  const atr = buildAtr([1]);
  const ok = Uint8Array.of(0x90, 0x00);
  return { atr, powerOn: () => atr, powerOff: () => {}, reset: () => atr, transmit: () => ok };
}

function loopbackCard(): Card {
  const card = new Card();
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  return card;
}

/** Serve a card in a slot; the PcscTransport's connect waits until pcscd reports it present. */
export async function serve(stack: PcscStack, card: VpcdCard, slot: number): Promise<{ ep: VpcdEndpoint; t: PcscTransport }> {
  const ep = new VpcdEndpoint(card, { port: stack.port + slot });
  await ep.start();
  const t = new PcscTransport({ reader: stack.readerName(slot), waitMs: 10_000 });
  await t.connect();
  return { ep, t };
}

async function rate(t: PcscTransport, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await t.transmit(FIXED16);
    n += 50;
  }
  return n / ((performance.now() - t0) / 1000);
}

export async function benchTransport(opts: { rounds?: number; roundMs?: number } = {}): Promise<BenchRow[]> {
  const stack = await optionalPcscStack();
  // libpcsclite reads the socket name once per process: set it before the first PC/SC call.
  process.env['PCSCLITE_CSOCK_NAME'] = stack.socket;
  const served: { ep: VpcdEndpoint; t: PcscTransport }[] = [];
  try {
    served.push(await serve(stack, loopbackCard(), 0), await serve(stack, doNothingCard(), 1));
    const tEmu = served[0]!.t;
    const tNoop = served[1]!.t;
    await rate(tEmu, 300); // warm-up: JIT, pcscd threads, TCP windows
    await rate(tNoop, 300);
    const emuRates: number[] = [];
    const noopRates: number[] = [];
    const rounds = opts.rounds ?? 5;
    const roundMs = opts.roundMs ?? 600;
    for (let i = 0; i < rounds; i++) {
      noopRates.push(await rate(tNoop, roundMs));
      emuRates.push(await rate(tEmu, roundMs));
    }
    const method = `median of ${rounds} × ${roundMs} ms rounds, alternating with the stack floor (300 ms warm-up)`;
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return [
      { name: EMU_NAME, opsPerSec: Math.round(median(emuRates)), peer: NOOP_NAME, method },
      { name: NOOP_NAME, opsPerSec: Math.round(median(noopRates)), method },
    ];
  } finally {
    for (const { ep, t } of served) {
      await t.close();
      await ep.stop();
    }
    await stack.stop();
  }
}
