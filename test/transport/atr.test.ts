/**
 * The ATR as `readers` shows it (ISO/IEC 7816-3 §8.2), against real cards' ATRs: the
 * sysmoISIM-SJA2 of the phone capture (../shared/fixtures/README.md), the GlobalPlatformPro log's
 * T=0 card and the SCE / Yubikey-style T=0+T=1 ATRs of the trace fixtures. Guards: T=15 counted
 * as a protocol, TD2's protocol taken as the default, a missing TCK accepted when T=1 is offered,
 * a wrong TCK hidden, a truncated ATR throwing instead of saying what is missing.
 */
import { describe, expect, it } from 'vitest';
import { buildAtr, bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { describeAtr, formatAtr, historicalText } from '../../host/transport/atr.js';

const d = (hex: string) => describeAtr(hexToBytes(hex));

describe('describeAtr on real ATRs', () => {
  it('sysmoISIM-SJA2: TA1 96, T=0 only (TD2 is T=15, global), 15 historical bytes, TCK a9 ok', () => {
    const a = d('3b9f96801f878031e073fe211b674a4c753034054ba9');
    expect(a.convention).toBe('direct');
    expect(a.t0).toBe(0x9f);
    expect(a.interfaceBytes.map((b) => `${b.name}=${b.value.toString(16)}`)).toEqual(['TA1=96', 'TD1=80', 'TD2=1f', 'TA3=87']);
    expect(a.protocols).toEqual([0]);
    expect(a.defaultProtocol).toBe(0);
    expect(bytesToHex(a.historical)).toBe('8031e073fe211b674a4c753034054b');
    expect(a.tck).toEqual({ present: true, required: false, value: 0xa9, ok: true });
    expect(a.problems).toEqual([]);
  });

  it('the GlobalPlatformPro log card: TB1 TC1, no TD1 so T=0 and no TCK', () => {
    const a = d('3b6a00ff0031c173c84000009000');
    expect(a.interfaceBytes.map((b) => b.name)).toEqual(['TB1', 'TC1']);
    expect(a.protocols).toEqual([0]);
    expect(a.tck).toEqual({ present: false, required: false });
    expect(a.historical.length).toBe(10);
    expect(a.problems).toEqual([]);
  });

  it('T=0 and T=1 offered: the default is TD1\'s T=0, TCK required and checked; printable historical bytes as text', () => {
    const a = d('3b8980015343452e372020202044');
    expect(a.protocols).toEqual([0, 1]);
    expect(a.defaultProtocol).toBe(0);
    expect(a.tck.ok).toBe(true);
    expect(historicalText(a.historical)).toBe('SCE.7    ');
    expect(d('3b8880010000000000718100f9').problems).toEqual([]);
  });

  it('cardforge\'s own ATRs (buildAtr) read back', () => {
    const t1 = describeAtr(buildAtr([1], new TextEncoder().encode('cardforge')));
    expect([t1.protocols, t1.defaultProtocol, t1.tck.ok, historicalText(t1.historical)]).toEqual([[1], 1, true, 'cardforge']);
    const t0 = describeAtr(buildAtr([0], new TextEncoder().encode('x')));
    expect([t0.protocols, t0.tck.present]).toEqual([[0], false]);
  });

  it('what is wrong is said, never thrown: bad TCK, missing TCK, truncated, bad TS', () => {
    expect(d('3b8980015343452e372020202045').problems).toEqual(['TCK 45 is wrong (the XOR of T0..TCK is 01, expected 00)']);
    expect(d('3b8980015343452e3720202020').problems).toEqual(['TCK missing (required when a protocol other than T=0 is offered)']);
    expect(d('3b9f9680').problems).toContain('TD2 announced but the ATR ends at byte 4');
    expect(d('3b9f96801f87').problems).toContain('T0 announces 15 historical bytes, 0 present');
    expect(d('4b00').problems[0]).toMatch(/TS 4b is neither 3b/);
    expect(d('').problems).toEqual(['empty ATR']);
  });

  it('formatAtr: the lines `readers` prints', () => {
    expect(formatAtr(d('3b9f96801f878031e073fe211b674a4c753034054ba9'))).toEqual([
      'TS 3B (direct convention), T0 9F (15 historical bytes)',
      'protocols offered: T=0; used without PPS: T=0',
      'interface bytes: TA1 96, TD1 80, TD2 1F, TA3 87',
      'historical bytes: 8031E073FE211B674A4C753034054B',
      'TCK A9 ok',
    ]);
  });
});
