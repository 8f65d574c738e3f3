/** EmulatorTransport: connect/transmit/reset/close over a Card, events, autosave and power loss. */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Card, bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { PersistentCard, loadImageFile, saveImageFile } from '../../host/store/index.js';
import { EmulatorTransport, TransportError } from '../../host/transport/index.js';

function loopbackCard(): Card {
  const card = new Card();
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  return card;
}

describe('EmulatorTransport', () => {
  it('refuses to transmit before connect, with a code', async () => {
    const t = new EmulatorTransport(loopbackCard());
    await expect(t.transmit(hexToBytes('8012000010'))).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('returns the ATR, the protocol and exchanges, and emits events', async () => {
    const card = loopbackCard();
    const t = new EmulatorTransport(card);
    const seen: string[] = [];
    t.on('exchange', (c, r) => seen.push(`${bytesToHex(c)}:${bytesToHex(r)}`));
    expect(await t.connect()).toEqual(card.atr);
    expect(t.protocol).toBe('T=1');
    expect(bytesToHex(await t.transmit(hexToBytes('8012000010')))).toBe('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000');
    expect(seen).toEqual(['8012000010:a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000']);
    expect(await t.reset()).toEqual(card.atr);
    await t.close();
    expect(card.isPowered).toBe(false);
    expect(t.protocol).toBeUndefined();
  });

  it('does not let the caller mutate the command the card saw', async () => {
    const t = new EmulatorTransport(loopbackCard());
    await t.connect();
    const seen: Uint8Array[] = [];
    t.on('exchange', (c) => seen.push(c));
    const cmd = hexToBytes('8010000002aabb02');
    await t.transmit(cmd);
    cmd.fill(0);
    expect(bytesToHex(seen[0]!)).toBe('8010000002aabb02');
  });

  it('autosaves committed changes so a reload sees them', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cf-emu-')), 'card.json');
    const card = loopbackCard();
    saveImageFile(file, card);
    const t = new EmulatorTransport(new PersistentCard(card, file));
    await t.connect();
    expect(bytesToHex(await t.transmit(hexToBytes('8016000003070809')))).toBe('9000');
    const again = loadImageFile(file);
    again.powerOn();
    expect(bytesToHex(again.transmit(hexToBytes('8018000003')))).toBe('0708099000');
    expect(readFileSync(file, 'utf8')).toContain('cardforge');
  });

  it('turns an injected tear into CARD_POWER_LOST and a removed event', async () => {
    const card = loopbackCard();
    const t = new EmulatorTransport(card);
    await t.connect();
    const removed: string[] = [];
    t.on('removed', (r) => removed.push(r));
    card.tearAfterWrites(1);
    const err = await t.transmit(hexToBytes('8016000003010203')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('CARD_POWER_LOST');
    expect(removed).toHaveLength(1);
    await t.connect();
    expect(bytesToHex(await t.transmit(hexToBytes('8018000003')))).toBe('0000009000');
  });

  // Issue 14: the two transports disagreed; both now withhold an answer whose change is not on disk.
  it('a failed save withholds the answer: IMAGE_NOT_SAVED, removed event, and the card stays mute', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-emu-'));
    try {
      const images = join(dir, 'images');
      mkdirSync(images);
      const file = join(images, 'card.json');
      const card = loopbackCard();
      saveImageFile(file, card);
      const t = new EmulatorTransport(new PersistentCard(card, file));
      await t.connect();
      expect(bytesToHex(await t.transmit(hexToBytes('8016000003010203')))).toBe('9000');
      renameSync(images, join(dir, 'moved'));
      writeFileSync(images, 'not a directory');
      const removed: string[] = [];
      t.on('removed', (r) => removed.push(r));
      const exchanges: string[] = [];
      t.on('exchange', (c, r) => exchanges.push(bytesToHex(r)));
      const err = await t.transmit(hexToBytes('8016000003040506')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).code).toBe('IMAGE_NOT_SAVED');
      expect((err as Error).message).toMatch(/cannot save the card image.*answer was withheld/);
      expect(removed).toHaveLength(1);
      expect(exchanges).toEqual([]);
      // Read-only commands get no answer either: the card in memory is ahead of its image.
      await expect(t.connect()).rejects.toMatchObject({ code: 'IMAGE_NOT_SAVED' });
      await t.close();
      const back = loadImageFile(join(dir, 'moved', 'card.json'));
      back.powerOn();
      expect(bytesToHex(back.transmit(hexToBytes('8018000003')))).toBe('0102039000');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
