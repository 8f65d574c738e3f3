/**
 * Recording: a Transport wrapper that writes every power event, ATR and exchange of the session
 * to a trace sink (native JSON Lines by default), and a recorder for the vpcd endpoint of
 * `cardforge emulate`, which sees the card side of pcscd. Times are µs since the recording began.
 */
import { EventEmitter } from 'node:events';
import type { VpcdEndpoint } from '../transport/vpcd-endpoint.js';
import type { Protocol, Transport, TransportEvents } from '../transport/types.js';
import type { TraceEvent, TraceHeader } from './events.js';
import { eventLine, headerLine } from './formats/native.js';
import { FileSink, type Sink } from './io.js';

export const TOOL_VERSION = 'cardforge 0.1.0';

/** Writes native trace lines as events happen. */
export class TraceRecorder {
  private readonly t0 = performance.now();
  private closed = false;
  constructor(
    private readonly sink: Sink,
    header: Omit<TraceHeader, 'tool'> & { tool?: string },
  ) {
    sink.write(headerLine({ tool: header.tool ?? TOOL_VERSION, start: new Date().toISOString(), ...header }));
  }
  /** µs since the recording began. */
  now(): number {
    return Math.round((performance.now() - this.t0) * 1000);
  }
  record(e: TraceEvent): void {
    if (!this.closed) this.sink.write(eventLine(e.t === undefined ? { ...e, t: this.now() } : e));
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.close();
  }

  static toFile(path: string, header: Omit<TraceHeader, 'tool'> & { tool?: string }): TraceRecorder {
    return new TraceRecorder(new FileSink(path), header);
  }
}

/** Any Transport, recorded: connect → power-on + atr, reset → reset + atr, transmit → command + response, close → power-off. */
export class RecordingTransport extends EventEmitter<TransportEvents> implements Transport {
  constructor(
    readonly inner: Transport,
    readonly recorder: TraceRecorder,
  ) {
    super();
    for (const ev of ['atr', 'exchange', 'removed', 'closed'] as const) {
      inner.on(ev, (...args: unknown[]) => (this.emit as (e: string, ...a: unknown[]) => boolean)(ev, ...args));
    }
  }
  get name(): string {
    return this.inner.name;
  }
  get protocol(): Protocol | undefined {
    return this.inner.protocol;
  }
  get atr(): Uint8Array | undefined {
    return this.inner.atr;
  }
  async connect(): Promise<Uint8Array> {
    this.recorder.record({ kind: 'power-on', transport: this.inner.name });
    const atr = await this.inner.connect();
    this.recorder.record({ kind: 'atr', atr });
    return atr;
  }
  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const cmd = command.slice();
    this.recorder.record({ kind: 'command', apdu: cmd });
    const t = performance.now();
    const rsp = await this.inner.transmit(command);
    this.recorder.record({ kind: 'response', data: rsp.slice(), us: Math.round((performance.now() - t) * 1000) });
    return rsp;
  }
  async reset(): Promise<Uint8Array> {
    this.recorder.record({ kind: 'reset' });
    const atr = await this.inner.reset();
    this.recorder.record({ kind: 'atr', atr });
    return atr;
  }
  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      this.recorder.record({ kind: 'power-off' });
      this.recorder.close();
    }
  }
}

/** Record what pcscd asks of an emulated card through vpcd (power, reset, every APDU). */
export function recordVpcdEndpoint(endpoint: VpcdEndpoint, recorder: TraceRecorder, atr: () => Uint8Array): () => void {
  const onControl = (code: number): void => {
    if (code === 0) recorder.record({ kind: 'power-off' });
    else if (code === 1 || code === 2) {
      recorder.record(code === 1 ? { kind: 'power-on', transport: `vpcd ${endpoint.host}:${endpoint.port}` } : { kind: 'reset' });
      recorder.record({ kind: 'atr', atr: atr() });
    }
  };
  const onExchange = (c: Uint8Array, r: Uint8Array, ms: number): void => {
    recorder.record({ kind: 'command', apdu: c.slice() });
    // An empty reply means the card went mute (a tear): the command stays without a response.
    if (r.length >= 2) recorder.record({ kind: 'response', data: r.slice(), us: Math.round(ms * 1000) });
  };
  endpoint.on('control', onControl);
  endpoint.on('exchange', onExchange);
  return () => {
    endpoint.off('control', onControl);
    endpoint.off('exchange', onExchange);
  };
}
