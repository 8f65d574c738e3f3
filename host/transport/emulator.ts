/**
 * In-process transport over a Card object: no sockets, no daemon. The same Card serves the vpcd
 * endpoint, so tests here and through pcscd exercise identical card code. With an ImageAutosave,
 * the image file is saved after each command that changed persistent state, before the response
 * is handed back (what the card acknowledged is on disk).
 */
import { EventEmitter } from 'node:events';
import { CardPowerLostError, type Card } from '../../card/runtime/index.js';
import type { ImageAutosave } from '../store/index.js';
import { TransportError } from './errors.js';
import { transmitT0 } from './t0.js';
import type { Protocol, Transport, TransportEvents } from './types.js';

export interface EmulatorTransportOptions {
  autosave?: ImageAutosave;
  name?: string;
  /** On a T=0 card, run the GET RESPONSE / 6Cxx loop as the PC/SC transport does (default true),
   * so the same image answers with the same bytes in process and through a reader. */
  autoGetResponse?: boolean;
}

export class EmulatorTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly name: string;
  private atrBytes: Uint8Array | undefined;
  private readonly autosave: ImageAutosave | undefined;
  private readonly autoGetResponse: boolean;

  constructor(
    readonly card: Card,
    opts: EmulatorTransportOptions = {},
  ) {
    super();
    this.autosave = opts.autosave;
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
    this.atrBytes = this.card.powerOn();
    this.emit('atr', this.atrBytes.slice());
    return this.atrBytes.slice();
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (!this.atrBytes) throw new TransportError('NOT_CONNECTED', `${this.name}: not connected; call connect() first`);
    const cmd = command.slice();
    const t0 = performance.now();
    let rsp: Uint8Array;
    try {
      const raw = async (c: Uint8Array): Promise<Uint8Array> => this.card.transmit(c);
      rsp = this.card.protocol === 'T=0' && this.autoGetResponse ? await transmitT0(raw, cmd) : this.card.transmit(cmd);
    } catch (e) {
      if (e instanceof CardPowerLostError) {
        this.atrBytes = undefined;
        this.autosave?.afterCommand();
        this.emit('removed', e.message);
        throw new TransportError('CARD_POWER_LOST', `${this.name}: ${e.message}`, { cause: e });
      }
      throw e;
    }
    this.autosave?.afterCommand();
    this.emit('exchange', cmd, rsp.slice(), performance.now() - t0);
    return rsp;
  }

  async reset(): Promise<Uint8Array> {
    this.atrBytes = this.card.reset();
    this.emit('atr', this.atrBytes.slice());
    return this.atrBytes.slice();
  }

  async close(): Promise<void> {
    if (this.atrBytes) this.card.powerOff();
    this.atrBytes = undefined;
    this.autosave?.afterCommand();
    this.emit('closed');
  }
}

/**
 * The AID of the applet a transport's card selects after reset: known for an emulated card (null
 * when it has none), unknown (undefined) for a card in a reader. Decoders name commands by it.
 */
export function defaultAidOf(transport: Transport): string | null | undefined {
  return transport instanceof EmulatorTransport ? (transport.card.applets.find((a) => a.isDefault)?.aidHex ?? null) : undefined;
}
