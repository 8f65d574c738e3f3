/**
 * The outside world's figure (issues 12 and 13): a real phone's session with a real
 * sysmoISIM-SJA2 (GSMTAP capture, 657 exchanges at T=0 TPDU level: SELECT/GET RESPONSE, READ,
 * SEARCH, MANAGE CHANNEL on channels 1-2, TERMINAL PROFILE, STATUS, PIN retry queries, resets)
 * replayed against the clone `image import` makes of the same card model's export, with the
 * card's ATR (which decides its 4 logical channels). The status words must agree on >= 99% of
 * the exchanges; the figure is printed and quoted in the README.
 * What differs is the export's limits, printed here: files the export does not hold (6FC3, 6FE5),
 * and labels the real card keeps in phonebook EFs the export omits (built empty from EF_PBR). The
 * ARA-M the export lists is on the clone (8 SELECTs on channel 2).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importPysimExport } from '../../host/fs/index.js';
import { readTraceFile } from '../../host/trace/formats/index.js';
import { replay, type ExchangeResult } from '../../host/trace/replay.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { bytesToHex } from '../../card/runtime/index.js';

const FX = new URL('../../../shared/fixtures/real-cards/', import.meta.url);
/** The capture's ATR (shared/fixtures/README.md). */
const SJA2_ATR = '3b9f96801f878031e073fe211b674a4c753034054ba9';

describe('a real phone session replayed on the imported sysmoISIM-SJA2', () => {
  it('status words agree on >= 99% of the 657 exchanges (T=0, key-dependent fields masked)', async () => {
    const clone = importPysimExport(readFileSync(new URL('sysmoisim-sja2-backup.script', FX), 'utf8'), 'sysmoisim-sja2-backup.script', { atr: SJA2_ATR });
    const trace = readTraceFile(fileURLToPath(new URL('sysmoisim-sja2-gsmtap.pcapng', FX)));
    const swDiffs: ExchangeResult[] = [];
    const t = new EmulatorTransport(clone.card); // the GSMTAP reader joins each TPDU and its GET RESPONSE into one APDU exchange, as a terminal's T=0 layer does
    const s = await replay(trace, t, { maskKeyDependent: true, onExchange: (r) => void (r.index >= 0 && r.diffs.some((d) => d.field === 'SW') && swDiffs.push(r)) });
    await t.close();
    const agree = s.exchanges - s.swDifferent;
    console.log(`real phone session on the imported SJA2: status words agree on ${agree} of ${s.exchanges} (${((100 * agree) / s.exchanges).toFixed(1)}%)`);
    for (const r of swDiffs) console.log(`  #${r.index + 1} ${bytesToHex(r.command)}: recorded ${bytesToHex(r.expected!.subarray(-2))}, clone ${bytesToHex(r.actual!.subarray(-2))}`);
    expect(s.exchanges).toBe(657);
    expect(swDiffs.length).toBe(s.swDifferent);
    expect(agree / s.exchanges).toBeGreaterThanOrEqual(0.99);
  }, 60_000);
});
