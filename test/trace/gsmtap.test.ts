/**
 * GSMTAP-SIM: the real SIMtrace capture of a sysmoISIM-SJA2 (957 packets, T=0 TPDUs) is read and
 * folded into APDU exchanges; our pcap/pcapng writers round-trip; Debian's tshark decodes what we
 * write as GSM SIM APDUs. Guards: GET RESPONSE left unfolded, TPDU data put on the wrong side,
 * a case-1 command read as Le=256, pcapng timestamps, a writer Wireshark cannot dissect.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex } from '../../card/runtime/index.js';
import { exchangesOf, stripEvents, type TraceEvent } from '../../host/trace/events.js';
import { readTraceFile, readTraceText } from '../../host/trace/formats/index.js';
import { readPcapng } from '../../host/trace/formats/pcap.js';
import { unfold } from '../../host/trace/formats/gsmtap.js';
import { REAL_GSMTAP, bytesOf, events, gsmtapEvents, recordSession } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

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
  it('unfolds case 4 into the TPDU plus GET RESPONSE (9Fxx and A0 C0 for the GSM class)', () => {
    const iso = unfold(Uint8Array.from([0x80, 0x14, 0, 0, 3, 0x61, 0x62, 0x63]), Uint8Array.from([1, 2, 3, 0x90, 0]), 0);
    expect(iso.map(([s, b]) => `${s}:${bytesToHex(b)}`)).toEqual(['0:8014000003616263' + '6103', '0:00c0000003010203' + '9000']);
    const gsm = unfold(Uint8Array.from([0xa0, 0x88, 0, 0, 2, 0xaa, 0xbb]), Uint8Array.from([9, 9, 0x90, 0]), 0);
    expect(gsm.map(([, b]) => bytesToHex(b))).toEqual(['a088000002aabb9f02', 'a0c0000002' + '09099000']);
  });

  it.each([1, 0] as const)('a recorded T=%i session survives native → pcapng → native (exchanges and ATRs)', async (proto) => {
    const native = await recordSession('s', proto === 1 ? 1 : 0);
    const orig = events(native, 'native');
    const back = gsmtapEvents(bytesOf(readTraceText(native, 'native'), 'pcapng'));
    // T=0 never sends the Le of a case-4 command (ISO/IEC 7816-3 §12.2.4): it is not in a TPDU trace.
    const t0Form = (e: TraceEvent): TraceEvent => (e.kind === 'command' && e.apdu.length === 6 + e.apdu[4]! && e.apdu[4]! > 0 ? { kind: 'command', apdu: e.apdu.subarray(0, e.apdu.length - 1) } : e);
    expect(stripEvents(back)).toEqual(stripEvents(orig).map(t0Form));
  });
});

const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
const noTshark = tshark.error !== undefined || tshark.status !== 0;
const mandatory = process.env['CI'] === 'true';

describe.skipIf(noTshark && !mandatory)(`tshark reads our pcapng${noTshark ? ' [SKIPPED: tshark missing — apt-get install tshark; CI=true makes this mandatory]' : ''}`, () => {
  it('decodes every packet as GSMTAP GSM SIM, with SELECT and GET RESPONSE named', async () => {
    expect(noTshark, 'tshark is required with CI=true (scripts/install-deps.sh installs it)').toBe(false);
    const dir = tempDir('cf-tshark-');
    const file = join(dir, 'session.pcapng');
    const native = await recordSession('s', 0);
    writeFileSync(file, bytesOf(readTraceText(native, 'native'), 'pcapng'));
    const fields = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.protocols', '-e', 'gsm_sim.apdu.ins'], { encoding: 'utf8' });
    expect(fields.status, fields.stderr).toBe(0);
    const rows = fields.stdout.trim().split('\n');
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) expect(r).toMatch(/^eth:ethertype:ip:udp:gsmtap:gsm_sim[:\t]/);
    const verbose = spawnSync('tshark', ['-r', file, '-V'], { encoding: 'utf8' });
    expect(verbose.stdout).toContain('GSM SIM 11.11');
    expect(verbose.stdout).toMatch(/Instruction: SELECT \(0xa4\)/);
    expect(verbose.stdout).toMatch(/Instruction: GET RESPONSE \(0xc0\)/);
    expect(verbose.stdout).toMatch(/Status Word: 9000/);
  });
});
