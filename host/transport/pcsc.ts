/**
 * PC/SC transport over the `smartcard` addon (pcsc-lite on Linux, WinSCard elsewhere): list
 * readers, wait for a card, connect shared or exclusive with T=0 and/or T=1, transmit (with the
 * T=0 GET RESPONSE / 6Cxx loop of t0.ts), reset, close. Every failure a user can meet becomes a
 * TransportError with a code and an actionable message ("no reader named X; readers are: …").
 * A libpcsclite client honours PCSCLITE_CSOCK_NAME, which is how tests reach a private pcscd.
 */
import { EventEmitter } from 'node:events';
import { TransportError, type TransportErrorCode } from './errors.js';
import { loadSmartcard, type ScCard, type ScContext, type ScReader, type SmartcardModule } from './pcsc-loader.js';
import { transmitT0 } from './t0.js';
import type { Protocol, Transport, TransportEvents } from './types.js';

export interface ReaderInfo {
  name: string;
  cardPresent: boolean;
  /** Another program holds the card exclusively / the card is in use. */
  exclusive: boolean;
  inUse: boolean;
  mute: boolean;
  atr?: Uint8Array;
}

export interface PcscTransportOptions {
  /** Reader name: exact, or a substring matching exactly one reader. Default: the first reader with a card. */
  reader?: string;
  share?: 'shared' | 'exclusive';
  /** Protocols to accept; default both. */
  protocol?: Protocol | 'any';
  /** How long connect() waits for a card in the reader, in ms (0 = fail at once). */
  waitMs?: number;
  /** Run the T=0 GET RESPONSE / 6Cxx loop on T=0 connections (default true). */
  autoGetResponse?: boolean;
}

function socketName(): string {
  return process.env['PCSCLITE_CSOCK_NAME'] ?? '/run/pcscd/pcscd.comm';
}

/** Map a smartcard/pcsc-lite error message to our code and advice. */
export function pcscError(e: unknown, what: string): TransportError {
  if (e instanceof TransportError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const table: [RegExp, TransportErrorCode, string][] = [
    [/service (not running|stopped)|no service/i, 'PCSC_NO_SERVICE', `pcscd is not running or not reachable at ${socketName()}; start it (systemctl start pcscd.socket, or "cardforge pcscd" for a private one with the vpcd reader, then export the PCSCLITE_CSOCK_NAME it prints) and retry`],
    [/no smart card|card is unpowered|no card/i, 'PCSC_NO_CARD', 'no card in the reader; insert a card (or start "cardforge emulate") and retry'],
    [/sharing violation/i, 'PCSC_SHARING', 'another program holds the card exclusively; close it (or connect shared) and retry'],
    [/removed|unresponsive|communication error|reader unavailable/i, 'PCSC_CARD_REMOVED', 'the card was removed or stopped answering; re-insert it and reconnect'],
  ];
  for (const [re, code, advice] of table) if (re.test(msg)) return new TransportError(code, `${what}: ${msg}; ${advice}`, { cause: e });
  return new TransportError('PCSC_FAILED', `${what}: ${msg}`, { cause: e });
}

function openContext(sc: SmartcardModule): ScContext {
  try {
    return new sc.Context();
  } catch (e) {
    throw pcscError(e, 'cannot open a PC/SC context');
  }
}

function info(sc: SmartcardModule, r: ScReader): ReaderInfo {
  const present = (r.state & sc.SCARD_STATE_PRESENT) !== 0;
  return {
    name: r.name,
    cardPresent: present,
    exclusive: (r.state & sc.SCARD_STATE_EXCLUSIVE) !== 0,
    inUse: (r.state & sc.SCARD_STATE_INUSE) !== 0,
    mute: (r.state & sc.SCARD_STATE_MUTE) !== 0,
    ...(present && r.atr && r.atr.length > 0 ? { atr: new Uint8Array(r.atr) } : {}),
  };
}

/** The PC/SC readers and their card state. */
export async function listReaders(): Promise<ReaderInfo[]> {
  const sc = await loadSmartcard();
  const ctx = openContext(sc);
  try {
    return ctx.listReaders().map((r) => info(sc, r));
  } catch (e) {
    throw pcscError(e, 'cannot list PC/SC readers');
  } finally {
    ctx.close();
  }
}

/**
 * Pick a reader by exact name, else by its index in the list (`cardforge readers` prints it:
 * all digits, and no reader is named so), else by a substring that matches exactly one reader.
 * This is the one place every --reader option is resolved.
 */
export function pickReader<T extends { name: string }>(readers: readonly T[], wanted: string | undefined, hasCard: (r: T) => boolean): T {
  if (readers.length === 0) throw new TransportError('PCSC_NO_READER', `no PC/SC reader is attached${wanted ? ` (wanted "${wanted}")` : ''}; connect a reader, or start a vpcd reader ("cardforge pcscd") and "cardforge emulate"`);
  const names = readers.map((r, i) => `${i} "${r.name}"`).join(', ');
  if (wanted === undefined) return readers.find(hasCard) ?? readers[0]!;
  const exact = readers.find((r) => r.name === wanted);
  if (exact) return exact;
  if (/^\d+$/.test(wanted)) {
    const byIndex = readers[Number(wanted)];
    if (byIndex) return byIndex;
    throw new TransportError('PCSC_NO_READER', `no reader at index ${wanted}; readers are: ${names} (see cardforge readers)`);
  }
  const partial = readers.filter((r) => r.name.toLowerCase().includes(wanted.toLowerCase()));
  if (partial.length === 1) return partial[0]!;
  if (partial.length > 1) throw new TransportError('PCSC_NO_READER', `reader name "${wanted}" is ambiguous; it matches ${partial.map((r) => `"${r.name}"`).join(', ')} — give the full name`);
  throw new TransportError('PCSC_NO_READER', `no reader named "${wanted}"; readers are: ${names}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class PcscTransport extends EventEmitter<TransportEvents> implements Transport {
  private sc: SmartcardModule | undefined;
  private ctx: ScContext | undefined;
  private card: ScCard | undefined;
  private readerName: string | undefined;
  private atrBytes: Uint8Array | undefined;
  private proto: Protocol | undefined;

  constructor(private readonly opts: PcscTransportOptions = {}) {
    super();
  }

  get name(): string {
    return `pcsc:${this.readerName ?? this.opts.reader ?? '(first reader with a card)'}`;
  }
  get protocol(): Protocol | undefined {
    return this.proto;
  }
  get atr(): Uint8Array | undefined {
    return this.atrBytes?.slice();
  }
  get reader(): string | undefined {
    return this.readerName;
  }

  /** Find the reader, wait for a card (up to waitMs), connect. Also reconnects after a removal. */
  async connect(): Promise<Uint8Array> {
    this.dropCard();
    const sc = (this.sc ??= await loadSmartcard());
    const deadline = Date.now() + (this.opts.waitMs ?? 0);
    let reader: ScReader;
    for (;;) {
      let readers: ScReader[];
      try {
        this.ctx ??= openContext(sc);
        readers = this.ctx.listReaders();
      } catch (e) {
        const err = pcscError(e, 'cannot list PC/SC readers');
        // pcscd down or restarting: within the wait budget, retry with a fresh context.
        if (err.code !== 'PCSC_NO_SERVICE' || Date.now() >= deadline) throw err;
        this.releaseContext();
        await sleep(200);
        continue;
      }
      reader = pickReader(readers, this.opts.reader, (r) => (r.state & sc.SCARD_STATE_PRESENT) !== 0);
      const ready = (reader.state & sc.SCARD_STATE_PRESENT) !== 0 && (reader.state & sc.SCARD_STATE_MUTE) === 0;
      if (ready) break;
      if (Date.now() >= deadline) {
        const waited = this.opts.waitMs ? ` after waiting ${(this.opts.waitMs / 1000).toFixed(1)} s` : '';
        throw new TransportError('PCSC_NO_CARD', `no card in reader "${reader.name}"${waited}; insert a card (or start "cardforge emulate") and retry`);
      }
      await sleep(100);
    }
    this.readerName = reader.name;
    const share = this.opts.share === 'exclusive' ? sc.SCARD_SHARE_EXCLUSIVE : sc.SCARD_SHARE_SHARED;
    const want = this.opts.protocol ?? 'any';
    const mask = want === 'T=0' ? sc.SCARD_PROTOCOL_T0 : want === 'T=1' ? sc.SCARD_PROTOCOL_T1 : sc.SCARD_PROTOCOL_T0 | sc.SCARD_PROTOCOL_T1;
    let card: ScCard;
    try {
      card = await reader.connect(share, mask);
    } catch (e) {
      const err = pcscError(e, `cannot connect to the card in "${reader.name}"`);
      if (/protocol mismatch/i.test(err.message)) throw new TransportError('PCSC_FAILED', `the card in "${reader.name}" does not speak ${want}; retry without forcing the protocol`, { cause: e });
      throw err;
    }
    this.card = card;
    this.proto = card.protocol === sc.SCARD_PROTOCOL_T0 ? 'T=0' : 'T=1';
    this.atrBytes = this.readAtr(card);
    this.emit('atr', this.atrBytes.slice());
    return this.atrBytes.slice();
  }

  private readAtr(card: ScCard): Uint8Array {
    try {
      return new Uint8Array(card.getStatus().atr);
    } catch {
      return new Uint8Array(card.atr ?? []);
    }
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const card = this.card;
    if (!card) throw new TransportError('NOT_CONNECTED', `${this.name}: not connected; call connect() first`);
    if (command.length < 4) throw new TransportError('BAD_APDU', `a command APDU has at least 4 bytes (CLA INS P1 P2), got ${command.length}`);
    const t0 = performance.now();
    const raw = async (c: Uint8Array): Promise<Uint8Array> => {
      try {
        // Buffer only at this edge: copy in, copy out (a Buffer may share a pooled slab).
        const r = new Uint8Array(await card.transmit(Buffer.from(c), { maxRecvLength: 65538 }));
        // A card (or vpcd endpoint) that died mid-command can leave pcscd returning nothing: that is
        // no answer at all, never a response without a status word.
        if (r.length < 2) throw new TransportError('PCSC_CARD_REMOVED', `${this.readerName}: the card gave no status word (${r.length} byte${r.length === 1 ? '' : 's'}); it was removed or lost power during the command`);
        return r;
      } catch (e) {
        if (e instanceof TransportError) {
          this.dropCard();
          this.emit('removed', e.message);
          throw e;
        }
        const err = pcscError(e, `transmit to "${this.readerName}" failed`);
        if (err.code === 'PCSC_CARD_REMOVED' || err.code === 'PCSC_NO_CARD') {
          this.dropCard();
          this.emit('removed', err.message);
        }
        throw err;
      }
    };
    const rsp = this.proto === 'T=0' && this.opts.autoGetResponse !== false ? await transmitT0(raw, command) : await raw(command);
    this.emit('exchange', command.slice(), rsp.slice(), performance.now() - t0);
    return rsp;
  }

  async reset(): Promise<Uint8Array> {
    const sc = this.sc;
    const card = this.card;
    if (!sc || !card) throw new TransportError('NOT_CONNECTED', `${this.name}: not connected; call connect() first`);
    const share = this.opts.share === 'exclusive' ? sc.SCARD_SHARE_EXCLUSIVE : sc.SCARD_SHARE_SHARED;
    const mask = this.proto === 'T=0' ? sc.SCARD_PROTOCOL_T0 : sc.SCARD_PROTOCOL_T1;
    try {
      const p = await card.reconnect(share, mask, sc.SCARD_RESET_CARD);
      this.proto = p === sc.SCARD_PROTOCOL_T0 ? 'T=0' : 'T=1';
    } catch (e) {
      throw pcscError(e, `reset of the card in "${this.readerName}" failed`);
    }
    this.atrBytes = this.readAtr(card);
    this.emit('atr', this.atrBytes.slice());
    return this.atrBytes.slice();
  }

  private dropCard(): void {
    const card = this.card;
    this.card = undefined;
    this.atrBytes = undefined;
    this.proto = undefined;
    if (card && this.sc) {
      try {
        card.disconnect(this.sc.SCARD_LEAVE_CARD);
      } catch {
        // Already gone (removed card, stopped pcscd): nothing left to release.
      }
    }
  }

  private releaseContext(): void {
    try {
      this.ctx?.close();
    } catch {
      // A context whose pcscd went away cannot be released more than it is.
    }
    this.ctx = undefined;
  }

  async close(): Promise<void> {
    this.dropCard();
    this.releaseContext();
    this.emit('closed');
  }
}
