/**
 * pySim-shell on the USIM, in CI without pySim: the exchanges osmocom pySim-shell had with a
 * cardforge SIM+USIM in a hand check through pcscd + vpcd (pysim-shell-usim.exchanges) — ADF.USIM
 * on channel 0 and on channel 1 opened by MANAGE CHANNEL, EF.UST decoded, its ust_service_check
 * finding no service without its files, every file of every advertised service read — replayed on
 * the same card: each command must get the status word pySim got and accepted. T=0 as pySim
 * forces it: the 61xx answers are followed by pySim's own GET RESPONSE.
 * Guards issue 12: the USIM unusable on a logical channel, services advertised without files.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCard } from '../../host/profile/build.js';
import { loadProfileFile } from '../../host/profile/load.js';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { fileURLToPath } from 'node:url';

const EXCHANGES = readFileSync(new URL('pysim-shell-usim.exchanges', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => l.split(' ') as [string, string]);

describe('pySim-shell session on the USIM, channels 0 and 1', () => {
  it('every command gets the status word pySim-shell got and accepted', () => {
    const file = fileURLToPath(new URL('../../profiles/example-sim.yaml', import.meta.url));
    const card = buildCard(loadProfileFile(file), file);
    expect(EXCHANGES.length).toBeGreaterThan(300);
    expect(EXCHANGES.some(([c]) => c.startsWith('0070000100'))).toBe(true);
    expect(EXCHANGES.filter(([c]) => c.startsWith('01')).length).toBeGreaterThan(5);
    for (const [i, [cmd, sw]] of EXCHANGES.entries()) {
      const r = bytesToHex(card.transmit(hexToBytes(cmd)));
      expect(r.slice(-4), `#${i + 1} ${cmd}`).toBe(sw);
    }
  });
});
