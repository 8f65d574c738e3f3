/**
 * GSMTAP-SIM: the real SIMtrace capture of a sysmoISIM-SJA2 (957 packets, T=0 TPDUs) is read and
 * folded into APDU exchanges; our pcap/pcapng writers round-trip. Guards: GET RESPONSE left
 * unfolded, TPDU data put on the wrong side, a case-1 command read as Le=256, pcapng timestamps.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { bytesToHex } from '../../card/runtime/index.js';
import { exchangesOf, stripEvents } from '../../host/trace/events.js';
import { readTraceFile, readTraceText } from '../../host/trace/formats/index.js';
import { readPcapng } from '../../host/trace/formats/pcap.js';
import { REAL_GSMTAP, bytesOf, events, gsmtapEvents, recordSession } from './helpers.js';

describe('the real SIMtrace capture', () => {
  const t = readTraceFile(REAL_GSMTAP);
  const evs = [...t.events];
  const ex = [...exchangesOf(evs)];

  it('has 957 packets: 25 ATRs and 932 TPDUs folded into 657 APDU exchanges', () => {
    expect([...readPcapng(new Uint8Array(readFileSync(REAL_GSMTAP)), 'x')]).toHaveLength(957);
    expect(t.format).toBe('pcapng');
    expect(evs.filter((e) => e.kind === 'atr')).toHaveLength(25);
    expect(bytesToHex((evs[0] as { atr: Uint8Array }).atr)).toBe('3b9f96801f878031e073fe211b674a4c753034054ba9');
    expect(ex).toHaveLength(657);
    // Every 61xx was followed by its GET RESPONSE, so none is left over.
    expect(ex.filter((x) => x.command[1] === 0xc0)).toHaveLength(0);
    expect(ex.filter((x) => x.response![x.response!.length - 2] === 0x61)).toHaveLength(0);
  });

  it('decodes the directions: SELECT data in, READ BINARY / STATUS / MANAGE CHANNEL data out, case 1 stays 4 bytes', () => {
    const hex = ex.map((x) => `${bytesToHex(x.command)}>${bytesToHex(x.response!)}`);
    expect(hex[0]).toBe('00a40004023f00>622d8202782183023f00a509800171830400018b908a01058c04261a0000c60f90017083010183018183010a83010b9000');
    expect(hex[2]).toBe('00b000000a>988812010000405600f89000');
    expect(hex).toContain('0070000001>019000');
    expect(hex).toContain('002c0001>63ca'); // UNBLOCK retry query: P3=00 and no data is case 1
    expect(hex.some((h) => h.startsWith('80f2010112>8410a0000000871002'))).toBe(true);
  });

  it('round-trips through our pcapng and pcap writers (times in µs kept)', () => {
    for (const fmt of ['pcapng', 'pcap'] as const) {
      const again = gsmtapEvents(bytesOf({ header: t.header, events: evs }, fmt));
      expect(again).toEqual(evs);
    }
  });

  it('round-trips through native', () => {
    const text = new TextDecoder().decode(bytesOf({ header: t.header, events: evs }, 'native'));
    expect(events(text, 'native')).toEqual(evs);
  });
});

describe('writing GSMTAP from an APDU-level trace', () => {
  it.each([1, 0] as const)('a recorded T=%i session survives native → pcapng → native exactly (case-4 Le kept, issue 15 item 5)', async (proto) => {
    const native = await recordSession('s', proto === 1 ? 1 : 0);
    const orig = events(native, 'native');
    const back = gsmtapEvents(bytesOf(readTraceText(native, 'native'), 'pcapng'));
    expect(stripEvents(back)).toEqual(stripEvents(orig));
  });
});

// What tshark makes of our captures: test/trace/tshark.test.ts.
