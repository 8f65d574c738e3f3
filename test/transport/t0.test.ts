/** Host-side T=0 handling (61xx / 9Fxx GET RESPONSE, 6Cxx re-send) against a real T=0 Card. */
import { describe, expect, it } from 'vitest';
import { Card, buildAtr, bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { getResponseCla, transmitT0, withLe } from '../../host/transport/t0.js';

function t0Card(): { card: Card; log: string[]; raw: (c: Uint8Array) => Promise<Uint8Array> } {
  const card = new Card({ atr: buildAtr([0]) });
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  card.powerOn();
  const log: string[] = [];
  return {
    card,
    log,
    raw: async (c) => {
      const r = card.transmit(c);
      log.push(`${bytesToHex(c)} > ${bytesToHex(r)}`);
      return r;
    },
  };
}

describe('T=0 response handling', () => {
  it('fetches held data with GET RESPONSE after 61xx (case 4 on T=0)', async () => {
    const { raw, log } = t0Card();
    const rsp = await transmitT0(raw, hexToBytes('8014000003616263'));
    expect(bytesToHex(rsp)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad9000');
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/> 6120$/);
    expect(log[1]).toMatch(/^00c0000020 > /);
  });

  it('re-sends with the exact Le after 6Cxx', async () => {
    const { raw, log } = t0Card();
    const rsp = await transmitT0(raw, hexToBytes('8012000005'));
    expect(bytesToHex(rsp)).toBe('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000');
    expect(log.map((l) => l.split(' > ')[0])).toEqual(['8012000005', '8012000010']);
  });

  it('passes a plain answer through in one exchange', async () => {
    const { raw, log } = t0Card();
    expect(bytesToHex(await transmitT0(raw, hexToBytes('8012000010')))).toBe('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000');
    expect(log).toHaveLength(1);
  });

  it('follows a chain of 61xx and concatenates the pieces', async () => {
    const answers = ['6102', 'aabb6101', 'cc9000'].map(hexToBytes);
    const sent: string[] = [];
    const rsp = await transmitT0(async (c) => (sent.push(bytesToHex(c)), answers.shift()!), hexToBytes('01a4040000'));
    expect(bytesToHex(rsp)).toBe('aabbcc9000');
    expect(sent).toEqual(['01a4040000', '01c0000002', '01c0000001']);
  });

  it('answers 9Fxx only for the GSM class, with an A0 GET RESPONSE', async () => {
    const answers = ['9f0f', '0102039000'].map(hexToBytes);
    const sent: string[] = [];
    const rsp = await transmitT0(async (c) => (sent.push(bytesToHex(c)), answers.shift()!), hexToBytes('a0a40000027f20'));
    expect(bytesToHex(rsp)).toBe('0102039000');
    expect(sent[1]).toBe('a0c000000f');
    // 9Fxx under an ISO class is a plain status word, not a GET RESPONSE prompt.
    expect(bytesToHex(await transmitT0(async () => hexToBytes('9f0f'), hexToBytes('00a4000000')))).toBe('9f0f');
  });

  it('stops a card that never ends its 61xx chain', async () => {
    let n = 0;
    const rsp = await transmitT0(async () => (n++, hexToBytes('616101')), hexToBytes('80120000'));
    expect(n).toBeLessThanOrEqual(257);
    expect(rsp.length).toBeGreaterThan(2);
  });

  it('computes GET RESPONSE class bytes and Le rewrites', () => {
    expect(getResponseCla(0x80)).toBe(0x00);
    expect(getResponseCla(0x83)).toBe(0x03);
    expect(getResponseCla(0x45)).toBe(0x45);
    expect(getResponseCla(0xa0)).toBe(0xa0);
    expect(bytesToHex(withLe(hexToBytes('80120000'), 0x10)!)).toBe('8012000010');
    expect(bytesToHex(withLe(hexToBytes('8010000002aabb'), 0x02)!)).toBe('8010000002aabb02');
    expect(bytesToHex(withLe(hexToBytes('8010000002aabb05'), 0x02)!)).toBe('8010000002aabb02');
    expect(withLe(hexToBytes('80100000000002aabb'), 1)).toBeUndefined();
  });
});
