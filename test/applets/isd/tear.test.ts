/**
 * Tear sweeps (card/runtime/tear.ts) over the ISD's persistent commands: the power is cut after each
 * persistent write in turn; after the next power-up the ISD's persistent state is exactly the old
 * one or exactly the new one — the key table never holds half a key set, the life cycle and the
 * data objects never half a STORE DATA. The command is wrapped in a secure channel session (RAM,
 * restored with the snapshot before every point), so each point replays the same C-MACed bytes.
 * EXTERNAL AUTHENTICATE is the one exception by design: its try is counted before the check, so a
 * tear after that write leaves the counter one lower (as a wrong guess would).
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, concat, tearSweep, type Card } from '../../../card/runtime/index.js';
import { AUTH_TRIES, ISD_AID } from '../../../card/applets/isd/index.js';
import { HostSession, h, hex, openSession, send } from './host.js';
import { TEST_KEYS, isdCard } from './fixture.js';

function isdState(card: Card): string {
  return [...card.memory.cells].filter(([k]) => k.startsWith(ISD_AID)).map(([k, v]) => `${k}=${bytesToHex(v)}`).join(';');
}

/** Sweep one command; every torn point is the old or the new state. Returns the write count. */
function sweep(card: Card, cmd: Uint8Array): number {
  const start = card.snapshot();
  const before = isdState(card);
  expect(hex(card.transmit(cmd).slice(-2))).toBe('9000');
  const after = isdState(card);
  expect(after).not.toBe(before);
  card.restore(start);
  let olds = 0;
  let news = 0;
  const r = tearSweep(card, cmd, (p) => {
    const s = isdState(card);
    expect(s === before || s === after, `point ${p.point}: neither the old nor the new state`).toBe(true);
    if (s === before) olds++;
    else news++;
  });
  expect(hex(r.response.slice(-2))).toBe('9000');
  // A tear before the commit record rolls back; after it (and in the untorn run) the new state stands.
  if (r.writes > 1) expect(olds).toBeGreaterThan(0);
  expect(news).toBeGreaterThan(0);
  return r.writes;
}

describe('ISD commands under tears', () => {
  it('SET STATUS SECURED → CARD_LOCKED (one write)', () => {
    const { card } = isdCard();
    const s = openSession(card, TEST_KEYS, 0x01, 0x30);
    expect(sweep(card, s.wrap(h('80f0807f')))).toBe(1);
  });

  for (const [scp, kvn, type] of [['SCP03', 0x30, 0x88], ['SCP02', 0x20, 0x80]] as const) {
    it(`${scp} PUT KEY of a new key set (three keys: nine cells in one transaction)`, () => {
      const { card } = isdCard();
      const s = openSession(card, TEST_KEYS, 0x03, kvn);
      const k = h('000102030405060708090a0b0c0d0e0f');
      const writes = sweep(card, s.wrap(h('80d80081'), concat(Uint8Array.of(kvn + 1), s.keyBlock(type, k), s.keyBlock(type, k), s.keyBlock(type, k)), true));
      expect(writes).toBeGreaterThan(3);
    });

    it(`${scp} PUT KEY replacing the session's own key set`, () => {
      const { card } = isdCard();
      const s = openSession(card, TEST_KEYS, 0x01, kvn);
      const k = h('505152535455565758595a5b5c5d5e5f');
      sweep(card, s.wrap(h(`80d8${kvn.toString(16)}81`), concat(Uint8Array.of(kvn + 2), s.keyBlock(type, k), s.keyBlock(type, k), s.keyBlock(type, k)), true));
    });
  }

  it('DELETE of a key version', () => {
    const { card } = isdCard();
    const s = openSession(card, TEST_KEYS, 0x01, 0x30);
    sweep(card, s.wrap(h('80e40000'), h('d20120'), true));
  });

  it('STORE DATA of IIN, CIN and key diversification data (one transaction)', () => {
    const { card } = isdCard();
    const s = openSession(card, TEST_KEYS, 0x03, 0x30);
    expect(sweep(card, s.wrap(h('80e29000'), h('420400010203' + '4506cafe00000001' + 'cf0a00112233445566778899')))).toBeGreaterThanOrEqual(3);
  });

  it('EXTERNAL AUTHENTICATE: old state, the try counted, or the new state (counter reset, SCP02 sequence counter moved on)', () => {
    const { card, isd } = isdCard();
    const s = new HostSession(TEST_KEYS);
    s.accept(send(card, s.initializeUpdate(0x20)).data);
    const cmd = s.externalAuthenticate(0x01);
    const start = card.snapshot();
    const before = isdState(card);
    expect(hex(card.transmit(cmd))).toBe('9000');
    const after = isdState(card);
    card.restore(start);
    const seen: string[] = [];
    const r = tearSweep(card, cmd, (p) => {
      const now = isdState(card);
      if (now === before) seen.push('old');
      else if (now === after) seen.push('new');
      else {
        // Only the try counter moved, one down.
        expect(isd.authTriesLeft, `point ${p.point}`).toBe(AUTH_TRIES - 1);
        seen.push('counted');
      }
    });
    expect(hex(r.response)).toBe('9000');
    expect(seen).toContain('counted');
    expect(seen[seen.length - 1]).toBe('new');
    expect(seen).not.toContain('old'); // the first write is the count itself
  });
});
