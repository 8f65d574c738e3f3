/**
 * The Transport interface: one shape over the in-process emulator, a real PC/SC reader and
 * anything else that can carry APDUs. connect() powers the card (or attaches to it) and returns
 * the ATR; transmit() sends one command APDU and resolves with the response (data + SW1 SW2).
 */
export type Protocol = 'T=0' | 'T=1';

export interface TransportEvents {
  /** A card answered to reset (connect or reset). */
  atr: [atr: Uint8Array];
  /** One exchange completed; `ms` is the wall time the exchange took. */
  exchange: [command: Uint8Array, response: Uint8Array, ms: number];
  /** The card went away (removed, power lost, connection dropped). */
  removed: [reason: string];
  closed: [];
}

export interface Transport {
  /** A short human description: "emulator card.json", "pcsc:Virtual PCD 00 00". */
  readonly name: string;
  /** The active protocol; undefined before connect(). */
  readonly protocol: Protocol | undefined;
  readonly atr: Uint8Array | undefined;
  connect(): Promise<Uint8Array>;
  transmit(command: Uint8Array): Promise<Uint8Array>;
  /** Warm reset; resolves with the new ATR. */
  reset(): Promise<Uint8Array>;
  close(): Promise<void>;
  on<E extends keyof TransportEvents>(event: E, listener: (...args: TransportEvents[E]) => void): this;
  off<E extends keyof TransportEvents>(event: E, listener: (...args: TransportEvents[E]) => void): this;
}
