/**
 * Golden transcripts: every test/golden/*.apdu file replayed against a freshly personalized card
 * (test/fuzz/targets.ts), compared exchange by exchange. Guards: any change of a response byte or
 * status word in a real session (dispatch, T=0 GET RESPONSE, 6Cxx, algorithms, counters).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { bytesToHex } from '../../card/runtime/index.js';
import { isdTarget, loopbackTarget, ledgerTarget, paymentTarget, simTarget, walletTarget, type FuzzTarget } from '../fuzz/targets.js';
import { GOLDEN_DIR, loadGolden, parseTranscript } from './transcript.js';

const TARGETS: Record<string, () => FuzzTarget | Promise<FuzzTarget>> = { loopback: loopbackTarget, sim: simTarget, payment: paymentTarget, ledger: ledgerTarget, wallet: walletTarget, isd: isdTarget };

describe('golden transcripts', () => {
  it('there is one transcript per applet target', () => {
    expect(readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.apdu')).sort()).toEqual(Object.keys(TARGETS).map((n) => `${n}.apdu`).sort());
  });

  for (const name of Object.keys(TARGETS)) {
    it(`${name}.apdu replays byte-exact against a fresh card`, async () => {
      const t = await TARGETS[name]!();
      t.fresh();
      const ex = loadGolden(name);
      expect(ex.length).toBeGreaterThan(8);
      for (const e of ex) {
        const got = bytesToHex(t.card.transmit(e.command));
        expect(got, `${name}.apdu:${e.line} > ${bytesToHex(e.command)}`).toBe(bytesToHex(e.response));
      }
    });
  }

  it('the parser names file:line for malformed transcripts', () => {
    expect(() => parseTranscript('> 00a4\n> 00b0\n', 'x.apdu')).toThrow('x.apdu:2: command without a response before it (line 1)');
    expect(() => parseTranscript('< 9000\n', 'x.apdu')).toThrow('x.apdu:1: response without a command');
    expect(() => parseTranscript('> 00\n< 90\n', 'x.apdu')).toThrow('x.apdu:2: a response needs at least the 2-byte status word');
    expect(() => parseTranscript('> 0g\n', 'x.apdu')).toThrow(/^x\.apdu:1: /);
    expect(() => parseTranscript('? 00\n', 'x.apdu')).toThrow('x.apdu:1: expected');
    expect(() => parseTranscript('> 00a4\n', 'x.apdu')).toThrow('x.apdu:1: command without a response at the end of the file');
  });
});
