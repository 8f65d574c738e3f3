/**
 * pySim-read against a classic SIM, in CI without pySim: the exact commands osmocom pySim-read
 * sent to a cardforge classic card in a hand check through pcscd + vpcd
 * (pysim-read-classic.commands), replayed here against the same kind of card. pySim-read stops
 * with a traceback when it cannot read ICCID, IMSI, SMSP, ACC, AD or SST (pySim-read.py: these are
 * read without a try), so each of those reads must answer 9000 with the file's whole content; an
 * optional file it probes may be absent (9404), and nothing may answer 6E00/6D00/6F00 in class A0.
 * Guards issue 12: a classic card driven as a UICC (pySim's ATR detection), 67xx to STATUS/GET
 * RESPONSE lengths, 6D00 for class A0 commands.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCard } from '../../host/profile/build.js';
import { parseProfileText } from '../../host/profile/load.js';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';

const COMMANDS = readFileSync(new URL('pysim-read-classic.commands', import.meta.url), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.toLowerCase());
const PROFILE = readFileSync(new URL('../../profiles/example-sim.yaml', import.meta.url), 'utf8').replace(/^personality: \w+/m, 'personality: classic').replace('pin1_enabled: true', 'pin1_enabled: false');
/** The files pySim-read cannot do without (TS 51.011 FIDs). */
const REQUIRED = { '2fe2': 10, '6f07': 9, '6f42': 40, '6f78': 2, '6fad': 4, '6f38': 5 } as const;

describe('pySim-read session on a classic SIM', () => {
  it('every required file reads 9000 with its whole content; probes of absent files 9404; no class errors', () => {
    const card = buildCard(parseProfileText(PROFILE, 'example-sim.yaml'), 'example-sim.yaml');
    expect(COMMANDS.length).toBeGreaterThan(90);
    let selected = '';
    const read = new Map<string, string>();
    for (const [i, cmd] of COMMANDS.entries()) {
      const r = bytesToHex(card.transmit(hexToBytes(cmd)));
      const sw = r.slice(-4);
      if (i === 0) {
        expect(cmd.slice(0, 2)).toBe('00');
        expect(sw, 'the class-00 probe that tells pySim it holds a classic SIM').toBe('6e00');
        continue;
      }
      expect(cmd.slice(0, 2), `#${i + 1}`).toBe('a0');
      expect(['6e00', '6d00', '6f00'], `#${i + 1} ${cmd} → ${r}`).not.toContain(sw);
      if (cmd.startsWith('a0a4')) {
        selected = cmd.slice(-4);
        expect(sw === '9404' || sw.startsWith('9f'), `#${i + 1} SELECT ${selected} → ${sw}`).toBe(true);
      }
      if ((cmd.startsWith('a0b0') || cmd.startsWith('a0b2')) && selected in REQUIRED) {
        expect(sw, `#${i + 1} READ of ${selected}`).toBe('9000');
        read.set(selected, r.slice(0, -4));
      }
    }
    for (const [fid, len] of Object.entries(REQUIRED)) expect(read.get(fid)?.length, `pySim-read reads ${fid}`).toBe(2 * len);
  });
});
