/**
 * In-process transport over a Card object: no sockets, no daemon. The same Card serves the vpcd
 * endpoint, so tests here and through pcscd exercise identical card code. Given a PersistentCard
 * (host/store), every change is saved before the response is handed back; a failed save withholds
 * the response: transmit rejects with TransportError IMAGE_NOT_SAVED and the card counts as removed.
 * close() releases the image (its lock).
 */
import { EventEmitter } from 'node:events';
import { CardPowerLostError, Card } from '../../card/runtime/index.js';
import { CardNotSavedError, PersistentCard } from '../store/index.js';
import { TransportError } from './errors.js';
import { transmitT0 } from './t0.js';
import type { Protocol, Transport, TransportEvents } from './types.js';

export interface EmulatorTransportOptions {
  name?: string;
  /** On a T=0 card, run the GET RESPONSE / 6Cxx loop as the PC/SC transport does (default true),
   * so the same image answers with the same bytes in process and through a reader. */
  autoGetResponse?: boolean;
}

export class EmulatorTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly name: string;
  /** The card itself (applets, memory); commands go through `persistent`. */
  readonly card: Card;
  /** The card bound to its image file (a bare Card gets one that never saves). */
  readonly persistent: PersistentCard;
  private atrBytes: Uint8Array | undefined;
  private readonly autoGetResponse: boolean;

  constructor(card: Card | PersistentCard, opts: EmulatorTransportOptions = {}) {
    super();
    this.persistent = card instanceof PersistentCard ? card : new PersistentCard(card, undefined);
    this.card = this.persistent.card;
    this.name = opts.name ?? 'emulator';
    this.autoGetResponse = opts.autoGetResponse ?? true;
  }

  get protocol(): Protocol | undefined {
    return this.atrBytes ? this.card.protocol : undefined;
  }

  get atr(): Uint8Array | undefined {
    return this.atrBytes?.slice();
  }

  async connect(): Promise<Uint8Array> {
    this.atrBytes = this.guard(() => this.persistent.powerOn());
    this.emit('atr', this.atrBytes.slice());
    return this.atrBytes.slice();
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (!this.atrBytes) throw new TransportError('NOT_CONNECTED', `${this.name}: not connected; call connect() first`);
    const cmd = command.slice();
    const t0 = performance.now();
    let rsp: Uint8Array;
    try {
      rsp = this.card.protocol === 'T=0' && this.autoGetResponse ? await transmitT0(async (c: Uint8Array): Promise<Uint8Array> => this.persistent.transmit(c), cmd) : this.persistent.transmit(cmd);
    } catch (e) {
      if (e instanceof CardPowerLostError) {
        this.atrBytes = undefined;
        this.emit('removed', e.message);
        throw new TransportError('CARD_POWER_LOST', `${this.name}: ${e.message}`, { cause: e });
      }
      throw this.notSaved(e);
    }
    // The response is copied for 'exchange' listeners (a recorder) only: replay has none.
    if (this.listenerCount('exchange') > 0) this.emit('exchange', cmd, rsp.slice(), performance.now() - t0);
    return rsp;
  }

  async reset(): Promise<Uint8Array> {
    this.atrBytes = this.guard(() => this.persistent.reset());
    this.emit('atr', this.atrBytes.slice());
    return this.atrBytes.slice();
  }

  async close(): Promise<void> {
    try {
      if (this.atrBytes) this.guard(() => this.persistent.powerOff());
      else if (!this.persistent.failed) this.guard(() => this.persistent.commit());
    } finally {
      this.atrBytes = undefined;
      this.persistent.close();
      this.emit('closed');
    }
  }

  private guard<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw this.notSaved(e);
    }
  }

  /** A failed save: the card is gone for this client (withheld answer), loudly. */
  private notSaved(e: unknown): unknown {
    if (!(e instanceof CardNotSavedError)) return e;
    if (this.atrBytes) this.emit('removed', e.message);
    this.atrBytes = undefined;
    return new TransportError('IMAGE_NOT_SAVED', `${this.name}: ${e.message}`, { cause: e });
  }
}

/**
 * The AID of the applet a transport's card selects after reset: known for an emulated card (null
 * when it has none), unknown (undefined) for a card in a reader. Decoders name commands by it.
 */
export function defaultAidOf(transport: Transport): string | null | undefined {
  return transport instanceof EmulatorTransport ? (transport.card.applets.find((a) => a.isDefault)?.aidHex ?? null) : undefined;
}
