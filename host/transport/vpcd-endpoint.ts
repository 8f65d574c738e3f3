/**
 * The card side of vsmartcard's vpcd driver: a TCP client that connects to the port pcscd's vpcd
 * reader listens on (35963 for slot 0, 35964 for slot 1 by default) and serves a card there, so
 * every PC/SC program sees the emulated card in an ordinary reader ("Virtual PCD 00 00").
 *
 * Protocol (see vpcd-framing.ts): control 00 power off, 01 power on, 02 reset (no reply), 04 get
 * ATR (reply ATR); any longer payload is a command APDU, answered with exactly one frame. A card
 * that cannot answer (power lost by an injected tear) replies with an empty frame, which vpcd
 * reports to pcscd as a communication error — what a reader sees when a card goes mute.
 *
 * Hazards handled: TCP splits and merges frames (FrameReader); each reply goes out in one write
 * with TCP_NODELAY (a two-part reply would stall ~40 ms on Nagle + delayed ACK); vpcd drops the
 * connection when pcscd stops or the reader is reset, so the endpoint reconnects with capped
 * exponential backoff and says so.
 *
 * Durability: serve a PersistentCard (host/store) and each change is on disk before the reply is
 * written. When the save fails the reply is withheld: nothing is written for that command, the
 * connection is dropped for good (pcscd sees the card removed) and `fatal` is emitted — the
 * client never sees an answer the image does not hold.
 */
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { bytesToHex, type Card } from '../../card/runtime/index.js';
import { CardNotSavedError } from '../store/index.js';
import { encodeFrame, FrameReader, VPCD_CTRL, type VpcdMessage } from './vpcd-framing.js';

export const VPCD_DEFAULT_PORT = 35963;

/** What the endpoint needs from a card; a `Card` or a `PersistentCard` fits, and so does a do-nothing stub. */
export type VpcdCard = Pick<Card, 'atr' | 'powerOn' | 'powerOff' | 'reset' | 'transmit'>;

export type LogLevel = 'info' | 'warn' | 'error' | 'debug';

export interface VpcdEndpointOptions {
  host?: string;
  /** Explicit port; default VPCD_DEFAULT_PORT + slot. */
  port?: number;
  slot?: number;
  /** Deprecated (serve a PersistentCard instead): called after each command; a throw withholds the reply like a failed PersistentCard save. */
  autosave?: { afterCommand(): boolean };
  /** First reconnect delay in ms (doubles up to maxBackoffMs). */
  backoffMs?: number;
  maxBackoffMs?: number;
  log?: (level: LogLevel, message: string) => void;
  /**
   * Fail when vpcd says nothing for this long (ms) after a connection: vpcd serves one card per
   * slot and accepts the next connection only when that card goes (its listen backlog holds ours
   * meanwhile), while pcscd polls a card it serves every 400 ms. Silence therefore means the slot
   * is already served — by another `cardforge emulate` or a vicc — and `busy` is emitted and the
   * endpoint stops, instead of sitting "inserted" with nothing ever arriving. Off by default.
   */
  silenceTimeoutMs?: number;
}

export interface VpcdEndpointEvents {
  connected: [];
  disconnected: [reason: string];
  control: [code: number];
  exchange: [command: Uint8Array, response: Uint8Array, ms: number];
  malformed: [reason: string];
  /** A change could not be saved: the reply was withheld and the endpoint stopped. */
  fatal: [error: Error];
  /** vpcd never spoke on the connection (silenceTimeoutMs): the slot is served by another card; the endpoint stopped. */
  busy: [message: string];
}

const CONTROL_NAMES: Record<number, string> = { 0: 'power off', 1: 'power on', 2: 'reset', 4: 'get ATR' };

export class VpcdEndpoint extends EventEmitter<VpcdEndpointEvents> {
  readonly host: string;
  readonly port: number;
  private socket: Socket | undefined;
  private readonly reader = new FrameReader();
  private timer: NodeJS.Timeout | undefined;
  private delay: number;
  private stopped = true;
  private everConnected = false;
  private failures = 0;
  private silence: NodeJS.Timeout | undefined;
  private readonly log: (level: LogLevel, message: string) => void;

  constructor(
    readonly card: VpcdCard,
    private readonly opts: VpcdEndpointOptions = {},
  ) {
    super();
    this.host = opts.host ?? '127.0.0.1';
    const slot = opts.slot ?? 0;
    if (!Number.isInteger(slot) || slot < 0 || slot > 1) throw new RangeError(`"slot" expected 0..1, got ${slot}`);
    this.port = opts.port ?? VPCD_DEFAULT_PORT + slot;
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) throw new RangeError(`"port" expected 1..65535, got ${this.port}`);
    this.delay = opts.backoffMs ?? 100;
    this.log = opts.log ?? (() => {});
  }

  get connected(): boolean {
    return this.socket !== undefined && !this.socket.connecting && !this.socket.destroyed;
  }

  /** Start connecting (and keep reconnecting until stop()); resolves once the first connection is up. */
  start(): Promise<void> {
    this.stopped = false;
    const up = new Promise<void>((resolve) => this.once('connected', resolve));
    this.connect();
    return up;
  }

  /** Disconnect for good; the card is powered off (the reader sees it removed). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.clearSilence();
    const s = this.socket;
    this.socket = undefined;
    if (s && !s.destroyed) {
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.destroy();
      });
    }
    this.powerOff();
  }

  private connect(): void {
    if (this.stopped) return;
    const s = new Socket();
    this.socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      s.setNoDelay(true);
      this.failures = 0;
      this.delay = this.opts.backoffMs ?? 100;
      this.log('info', `${this.everConnected ? 'reconnected' : 'connected'} to vpcd at ${this.host}:${this.port}: the card is inserted`);
      this.everConnected = true;
      this.emit('connected');
      this.watchSilence(s);
    });
    s.on('data', (chunk: Buffer) => {
      this.clearSilence();
      this.onData(s, chunk);
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      s.destroy();
      this.onClosed(s, e);
    });
    s.on('close', () => this.onClosed(s));
    s.connect(this.port, this.host);
  }

  private watchSilence(s: Socket): void {
    const ms = this.opts.silenceTimeoutMs;
    if (ms === undefined) return;
    this.clearSilence();
    this.silence = setTimeout(() => {
      this.silence = undefined;
      if (this.socket !== s || this.stopped) return;
      const msg = `vpcd at ${this.host}:${this.port} accepted the connection but sent nothing for ${(ms / 1000).toFixed(1)} s: this slot already serves a card (another "cardforge emulate" or a vicc; vpcd takes one card per slot). Stop that one, or serve this card in the other slot (--slot 1)`;
      this.log('error', msg);
      void this.stop().then(() => this.emit('busy', msg));
    }, ms);
  }

  private clearSilence(): void {
    if (this.silence) clearTimeout(this.silence);
    this.silence = undefined;
  }

  private onClosed(s: Socket, err?: NodeJS.ErrnoException): void {
    if (this.socket !== s) return; // already handled, or replaced by stop()/a newer socket
    this.clearSilence();
    this.socket = undefined;
    const dropped = this.reader.reset();
    const wasUp = !s.connecting && s.bytesRead + s.bytesWritten > 0;
    this.powerOff();
    if (this.stopped) return;
    let reason: string;
    if (err?.code === 'ECONNREFUSED') reason = `vpcd at ${this.host}:${this.port} refused the connection (is pcscd running with the vpcd reader? start a private one with: cardforge pcscd)`;
    else if (err?.code === 'ENOTFOUND') reason = `vpcd host "${this.host}" not found (ENOTFOUND)`;
    else if (err) reason = `vpcd connection to ${this.host}:${this.port} failed: ${err.code ?? err.message}`;
    else reason = `vpcd at ${this.host}:${this.port} closed the connection (pcscd stopped or the reader was reset)`;
    if (dropped > 0) reason += `; ${dropped} bytes of an incomplete frame discarded`;
    if (wasUp) this.emit('disconnected', reason);
    this.failures++;
    // One line per state change, then one every 10 attempts: a loud but not flooding retry log.
    if (this.failures === 1 || this.failures % 10 === 0) this.log('warn', `${reason}; retrying in ${(this.delay / 1000).toFixed(1)} s (attempt ${this.failures})`);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, this.opts.maxBackoffMs ?? 2000);
  }

  private onData(s: Socket, chunk: Buffer): void {
    // FrameReader copies the bytes, so the Buffer's pooled memory is never retained.
    let msgs: VpcdMessage[];
    try {
      msgs = this.reader.push(chunk);
    } catch (e) {
      this.log('error', `vpcd framing failed: ${(e as Error).message}`);
      return;
    }
    for (const m of msgs) {
      if (this.stopped) return; // a failed save ended the service: later commands get no answer either
      const reply = this.handle(m);
      if (reply && !s.destroyed && !this.stopped) s.write(encodeFrame(reply));
    }
  }

  /** Returns the reply payload, or undefined when the message takes no reply. Never throws. */
  private handle(m: VpcdMessage): Uint8Array | undefined {
    try {
      if (m.kind === 'malformed') {
        this.log('warn', `ignored malformed frame from vpcd: ${m.reason}`);
        this.emit('malformed', m.reason);
        return undefined;
      }
      if (m.kind === 'control') return this.control(m.code);
      const t0 = performance.now();
      let rsp: Uint8Array;
      try {
        rsp = this.card.transmit(m.apdu);
      } catch (e) {
        if (e instanceof CardNotSavedError) throw e;
        this.log('warn', `card did not answer ${bytesToHex(m.apdu)}: ${(e as Error).message}`);
        rsp = new Uint8Array(0);
      }
      this.opts.autosave?.afterCommand();
      this.emit('exchange', m.apdu, rsp, performance.now() - t0);
      return rsp;
    } catch (e) {
      if (e instanceof CardNotSavedError) return this.stopped ? undefined : this.fail(e);
      this.log('error', `internal error while serving vpcd: ${(e as Error).message}`);
      return m.kind === 'apdu' ? new Uint8Array(0) : undefined;
    }
  }

  private control(code: number): Uint8Array | undefined {
    this.emit('control', code);
    this.log('debug', `vpcd: ${CONTROL_NAMES[code] ?? `unknown control ${code}`}`);
    switch (code) {
      case VPCD_CTRL.OFF:
        this.card.powerOff();
        return undefined;
      case VPCD_CTRL.ON:
        this.card.powerOn();
        this.opts.autosave?.afterCommand();
        return undefined;
      case VPCD_CTRL.RESET:
        this.card.reset();
        this.opts.autosave?.afterCommand();
        return undefined;
      case VPCD_CTRL.ATR:
        return this.card.atr;
      default:
        this.log('warn', `ignored unknown vpcd control code ${code}`);
        this.emit('malformed', `unknown control code ${code}`);
        return undefined;
    }
  }

  /** Withhold the reply, remove the card for good (no reconnect), say so loudly. */
  private fail(e: Error): undefined {
    this.log('error', `${e.message}; the card is removed from the reader`);
    void this.stop();
    this.emit('fatal', e);
    return undefined;
  }

  private powerOff(): void {
    try {
      this.card.powerOff();
    } catch (e) {
      if (!(e instanceof CardNotSavedError)) throw e;
      if (this.stopped) this.log('error', e.message);
      else this.fail(e);
    }
  }
}
