/**
 * withCard: a card in a test, the way jCardSim's `new CardSimulator(); installApplet(aid, cls);
 * transmitCommand(cmd)` gives one — powered, deterministic (seeded RNG, virtual clock) unless told
 * otherwise, with hex in and out and the T=0 GET RESPONSE exchange done when asked.
 */
import { Card, SeededRng, VirtualClock, bytesToHex, hexToBytes, type AppletClass, type CardOptions } from '../../card/runtime/index.js';

export interface WithCardOptions {
  /** Applets to install, in order: the first with `default: true` is selected at power-up. */
  readonly applets?: readonly { readonly applet: AppletClass; readonly aid: string; readonly params?: Record<string, unknown>; readonly personalization?: unknown; readonly default?: boolean }[];
  /** Seed of the card's RNG (default 'cardforge'); the clock is virtual. */
  readonly seed?: string;
  readonly atr?: Uint8Array;
  readonly protocol?: CardOptions['protocol'];
}

export interface TestCard {
  readonly card: Card;
  /** Send hex (spaces allowed), get the whole response as lower-case hex (data ‖ SW). */
  tx(hex: string): string;
  /** The status word of a response as 4 hex digits. */
  sw(hex: string): string;
  /** SELECT by AID (00 A4 04 00); returns the response hex. */
  select(aid: string, channel?: number): string;
}

export function withCard(opts: WithCardOptions = {}): TestCard {
  const card = new Card({ rng: new SeededRng(opts.seed ?? 'cardforge'), clock: new VirtualClock(), ...(opts.atr ? { atr: opts.atr } : {}), ...(opts.protocol ? { protocol: opts.protocol } : {}) });
  for (const a of opts.applets ?? []) card.install(a.applet, { aid: a.aid, ...(a.params ? { params: a.params } : {}), ...(a.personalization !== undefined ? { personalization: a.personalization } : {}), ...(a.default ? { default: true } : {}) });
  card.powerOn();
  const tx = (hex: string): string => bytesToHex(card.transmit(hexToBytes(hex.replace(/\s+/g, ''))));
  return {
    card,
    tx,
    sw: (hex) => tx(hex).slice(-4),
    select: (aid, channel = 0) => {
      const len = (aid.length / 2).toString(16).padStart(2, '0');
      return tx(`${(channel < 4 ? channel : 0x40 | (channel - 4)).toString(16).padStart(2, '0')}a40400${len}${aid}`);
    },
  };
}
