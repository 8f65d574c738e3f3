/**
 * A Transport that replays a recorded session: each command sent must equal the next recorded
 * command byte for byte, and gets the recorded response. A host that computes one byte differently
 * from the real session fails at that exchange. Not a card: it knows nothing but the recording.
 */
import { EventEmitter } from 'node:events';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import type { Transport, TransportEvents } from '../../host/transport/index.js';

export class RecordedSession extends EventEmitter<TransportEvents> implements Transport {
  readonly name = 'recorded session';
  readonly protocol = 'T=1' as const;
  readonly atr = undefined;
  readonly sent: string[] = [];
  private i = 0;
  constructor(private readonly exchanges: readonly (readonly [string | null, string])[]) {
    super();
  }
  async connect(): Promise<Uint8Array> {
    return new Uint8Array(0);
  }
  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const got = bytesToHex(command);
    this.sent.push(got);
    const ex = this.exchanges[this.i++];
    if (!ex) throw new Error(`exchange ${this.i}: the recording has ended, the host sent ${got}`);
    // null: the recorded command is not known (only its answer): accept any.
    if (ex[0] !== null && ex[0].toLowerCase() !== got) throw new Error(`exchange ${this.i}: the host sent\n  ${got}\nthe recorded session has\n  ${ex[0].toLowerCase()}`);
    return hexToBytes(ex[1]);
  }
  async reset(): Promise<Uint8Array> {
    return new Uint8Array(0);
  }
  async close(): Promise<void> {}
  get remaining(): number {
    return this.exchanges.length - this.i;
  }
}
