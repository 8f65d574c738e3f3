/**
 * VpcdEndpoint against a scripted vpcd peer (a local TCP server speaking vpcd's framing). The real
 * vpcd + pcscd path is covered in test/integration; here we drive what vpcd rarely does on demand:
 * frames split byte by byte, malformed frames, dropped and refused connections.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Card, bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { PersistentCard, loadImageFile, saveImageFile } from '../../host/store/index.js';
import { encodeFrame, FrameReader, VpcdEndpoint } from '../../host/transport/index.js';

function loopbackCard(): Card {
  const card = new Card();
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  return card;
}

/** A fake vpcd: accepts the card's connection and exchanges frames with it. */
class FakeVpcd {
  server: Server;
  socket: Socket | undefined;
  private reader = new FrameReader();
  private replies: Uint8Array[] = [];
  private waiters: (() => void)[] = [];
  private conn: (() => void)[] = [];
  constructor() {
    this.server = createServer((s) => {
      this.socket = s;
      s.setNoDelay(true);
      s.on('data', (d) => {
        for (const m of this.reader.push(Uint8Array.from(d))) if (m.kind === 'apdu') this.replies.push(m.apdu);
        else if (m.kind === 'control') this.replies.push(Uint8Array.of(m.code));
        else this.replies.push(new Uint8Array(0));
        this.waiters.splice(0).forEach((w) => w());
      });
      s.on('error', () => {});
      this.conn.splice(0).forEach((w) => w());
    });
  }
  listen(port = 0): Promise<number> {
    return new Promise((resolve) => this.server.listen(port, '127.0.0.1', () => resolve((this.server.address() as { port: number }).port)));
  }
  connection(): Promise<void> {
    return this.socket && !this.socket.destroyed ? Promise.resolve() : new Promise((r) => this.conn.push(r));
  }
  /** Send raw bytes (optionally one byte per write) and wait for one reply frame. */
  async ask(bytes: Uint8Array, byteByByte = false): Promise<Uint8Array> {
    if (byteByByte) for (const b of bytes) this.socket!.write(Uint8Array.of(b));
    else this.socket!.write(bytes);
    while (this.replies.length === 0) await new Promise<void>((r) => this.waiters.push(r));
    return this.replies.shift()!;
  }
  send(bytes: Uint8Array): void {
    this.socket!.write(bytes);
  }
  dropClient(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.reader.reset();
  }
  close(): Promise<void> {
    this.dropClient();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: { persistent?: PersistentCard; card?: Card } = {}) {
  const vpcd = new FakeVpcd();
  const port = await vpcd.listen();
  const card = opts.persistent?.card ?? opts.card ?? loopbackCard();
  const logs: string[] = [];
  const ep = new VpcdEndpoint(opts.persistent ?? card, { port, backoffMs: 20, maxBackoffMs: 100, log: (l, m) => logs.push(`${l}: ${m}`) });
  cleanups.push(() => vpcd.close(), () => ep.stop());
  await ep.start();
  await vpcd.connection();
  return { vpcd, ep, card, logs, port };
}

describe('VpcdEndpoint', () => {
  it('answers get-ATR and APDUs, one frame each, with frames split byte by byte', async () => {
    const { vpcd, card } = await setup();
    expect(await vpcd.ask(encodeFrame(Uint8Array.of(4)), true)).toEqual(card.atr);
    vpcd.send(encodeFrame(Uint8Array.of(1))); // power on: no reply
    expect(bytesToHex(await vpcd.ask(encodeFrame(hexToBytes('8012000010')), true))).toBe('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000');
    expect(card.isPowered).toBe(true);
  });

  it('maps power off / on / reset to the card', async () => {
    const { vpcd, card } = await setup();
    vpcd.send(encodeFrame(Uint8Array.of(1)));
    await vpcd.ask(encodeFrame(hexToBytes('8012000010')));
    vpcd.send(encodeFrame(Uint8Array.of(0)));
    // Powered off: the card cannot answer, so the endpoint sends an empty frame (vpcd: comm error).
    expect(await vpcd.ask(encodeFrame(hexToBytes('8012000010')))).toEqual(new Uint8Array(0));
    expect(card.isPowered).toBe(false);
    vpcd.send(encodeFrame(Uint8Array.of(2)));
    expect(bytesToHex(await vpcd.ask(encodeFrame(hexToBytes('8012000010'))))).toMatch(/9000$/);
  });

  it('survives a zero-length frame, an unknown control code and a too-short APDU', async () => {
    const { vpcd, ep } = await setup();
    const malformed: string[] = [];
    ep.on('malformed', (r) => malformed.push(r));
    vpcd.send(encodeFrame(Uint8Array.of(1)));
    vpcd.send(Uint8Array.of(0, 0));
    vpcd.send(encodeFrame(Uint8Array.of(0x37)));
    expect(bytesToHex(await vpcd.ask(encodeFrame(hexToBytes('8012'))))).toBe('6700');
    expect(malformed).toEqual(['zero-length frame', 'unknown control code 55']);
    expect(bytesToHex(await vpcd.ask(encodeFrame(hexToBytes('8012000010'))))).toMatch(/9000$/);
  });

  it('reconnects when vpcd drops the connection mid-frame (length beyond the data)', async () => {
    const { vpcd, ep, logs } = await setup();
    const reasons: string[] = [];
    ep.on('disconnected', (r) => reasons.push(r));
    vpcd.send(Uint8Array.of(0x01, 0x00, 0x80, 0x12)); // announces 256 bytes, sends 2
    await new Promise((r) => setTimeout(r, 30));
    const back = new Promise<void>((r) => ep.once('connected', r));
    vpcd.dropClient();
    await back;
    await vpcd.connection();
    expect(reasons[0]).toMatch(/closed the connection.*4 bytes of an incomplete frame discarded/);
    expect(logs.some((l) => l.startsWith('info: reconnected to vpcd'))).toBe(true);
    vpcd.send(encodeFrame(Uint8Array.of(1)));
    expect(bytesToHex(await vpcd.ask(encodeFrame(hexToBytes('8012000010'))))).toMatch(/9000$/);
  });

  it('keeps retrying while vpcd refuses, says why, and connects once it listens', async () => {
    const probe = new FakeVpcd();
    const port = await probe.listen();
    await probe.close(); // a port that refuses now
    const logs: string[] = [];
    const ep = new VpcdEndpoint(loopbackCard(), { port, backoffMs: 20, maxBackoffMs: 50, log: (l, m) => logs.push(`${l}: ${m}`) });
    cleanups.push(() => ep.stop());
    const up = ep.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(ep.connected).toBe(false);
    expect(logs[0]).toMatch(new RegExp(`^warn: vpcd at 127.0.0.1:${port} refused the connection \\(is pcscd running with the vpcd reader\\? start a private one with: cardforge pcscd\\); retrying in 0.0 s`));
    const vpcd = new FakeVpcd();
    await vpcd.listen(port);
    cleanups.push(() => vpcd.close());
    await up;
    await vpcd.connection();
    expect(await vpcd.ask(encodeFrame(Uint8Array.of(4)))).toEqual(new Card().atr);
  });

  it('saves the image after a command that changed persistent state, before replying', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-vpcd-'));
    const file = join(dir, 'card.json');
    const card = loopbackCard();
    saveImageFile(file, card);
    const before = readFileSync(file, 'utf8');
    const { vpcd } = await setup({ persistent: new PersistentCard(card, file) });
    vpcd.send(encodeFrame(Uint8Array.of(1)));
    await vpcd.ask(encodeFrame(hexToBytes('8012000010')));
    expect(readFileSync(file, 'utf8')).toBe(before); // read-only command: no save
    expect(bytesToHex(await vpcd.ask(encodeFrame(hexToBytes('8016000003010203'))))).toBe('9000');
    expect(readFileSync(file, 'utf8')).not.toBe(before);
  });

  // Issue 14: the endpoint answered 9000 after save() had swallowed the error.
  it('withholds the answer when the save fails: no reply frame, the card is removed for good, fatal is emitted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-vpcd-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const images = join(dir, 'images');
    const file = join(images, 'card.json');
    const card = loopbackCard();
    mkdirSync(images);
    saveImageFile(file, card);
    const { vpcd, ep, logs } = await setup({ persistent: new PersistentCard(card, file) });
    const fatal = new Promise<Error>((r) => ep.once('fatal', r));
    vpcd.send(encodeFrame(Uint8Array.of(1)));
    expect(bytesToHex(await vpcd.ask(encodeFrame(hexToBytes('8016000003010203'))))).toBe('9000');
    // The image directory goes away; a file stands where it was (root ignores modes, not ENOTDIR).
    renameSync(images, join(dir, 'moved'));
    writeFileSync(images, 'not a directory');
    const closed = new Promise<void>((r) => vpcd.socket!.once('close', () => r()));
    vpcd.send(encodeFrame(hexToBytes('8016000003040506')));
    expect((await fatal).message).toMatch(/cannot save the card image.*answer was withheld/);
    await closed;
    expect(await Promise.race([vpcd.ask(new Uint8Array(0)).then(() => 'reply'), new Promise((r) => setTimeout(() => r('none'), 100))])).toBe('none');
    expect(logs.some((l) => /^error: .*cannot save the card image.*removed from the reader/.test(l))).toBe(true);
    expect(ep.connected).toBe(false);
    await new Promise((r) => setTimeout(r, 150)); // backoff is 20 ms: a reconnect would have happened
    expect(ep.connected).toBe(false);
    const back = loadImageFile(join(dir, 'moved', 'card.json'));
    back.powerOn();
    expect(bytesToHex(back.transmit(hexToBytes('8018000003')))).toBe('0102039000');
  });
});
