/**
 * Regression tests for the bugs the fuzzers found, one per bug, named after it.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { loadGolden } from '../golden/transcript.js';
import { ledgerTarget, paymentTarget } from './targets.js';

describe('fuzz regressions', () => {
  it('bug: a state-changing command with a short Le answered 6Cxx after it committed (SIGN TRANSACTION counter moved, signature lost)', async () => {
    const t = await paymentTarget();
    t.fresh();
    const g = loadGolden('payment');
    for (const e of g.slice(0, 7)) t.card.transmit(e.command); // … VERIFY payment code
    const sign = g[7]!.command.slice();
    sign[sign.length - 1] = 0x01; // Le = 1: far too short for the record and signature
    const r = t.card.transmit(sign);
    expect(bytesToHex(r)).toMatch(/^61[0-9a-f]{2}$/); // not 6Cxx: the result is held, not thrown away
    const full = t.card.transmit(hexToBytes(`00c00000${bytesToHex(r.subarray(1))}`));
    expect(bytesToHex(full)).toBe(bytesToHex(g[7]!.response)); // the very signature the golden session got
  });

  it('bug: EXPORT LOG with a short Le moved the export counter and answered 6Cxx', () => {
    const t = ledgerTarget();
    t.fresh();
    const g = loadGolden('ledger');
    for (const e of g.slice(0, 4)) t.card.transmit(e.command); // one DEBIT recorded
    const r = t.card.transmit(hexToBytes('8056000001'));
    expect(bytesToHex(r)).toMatch(/^61/);
    const full = t.card.transmit(hexToBytes(`00c00000${bytesToHex(r.subarray(1))}`));
    expect(full.length).toBe(r[1]! + 2);
    expect(bytesToHex(full.subarray(-2))).toBe('9000');
    expect(bytesToHex(full.subarray(0, 4))).toBe('00000001'); // export counter 1, delivered
  });

  it('a read-only command with a short Le still gets 6Cxx (nothing changed, resend is harmless)', () => {
    const t = ledgerTarget();
    t.fresh();
    expect(bytesToHex(t.card.transmit(hexToBytes('8040000001')))).toMatch(/^6c/);
  });
});
