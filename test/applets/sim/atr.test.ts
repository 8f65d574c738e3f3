/**
 * ATR per personality (issue 12): T=0 as SIMs are; the UICC ATR's card capabilities tell the
 * truth about logical channels (ISO/IEC 7816-4 §12.1.1.11, third software function table), and no
 * personality wears a vendor card's ATR. The vendor ATRs below are the exact-match list of osmocom
 * pySim's card detection (pySim/cards.py and pySim-shell's SJA2/SJA5 check, at commit a437d11),
 * checked by hand: an ATR on that list makes pySim-read drive the emulator as that vendor's card.
 */
import { describe, expect, it } from 'vitest';
import { SIM_ATRS, simDefaultAtr, type SimPersonality } from '../../../card/applets/sim/index.js';
import { MAX_CHANNELS, bytesToHex, parseAtr } from '../../../card/runtime/index.js';
import { readFileSync } from 'node:fs';
import { buildCard as buildProfileCard } from '../../../host/profile/build.js';
import { parseProfileText } from '../../../host/profile/load.js';
import { simCard, tx } from './helpers.js';

const EXAMPLE = readFileSync(new URL('../../../profiles/example-sim.yaml', import.meta.url), 'utf8');
const profileWith = (o: { personality: SimPersonality; atr?: string }): string =>
  EXAMPLE.replace(/^personality: \w+/m, `personality: ${o.personality}`) + (o.atr ? `atr: "${o.atr}"\n` : '');
const buildCard = (text: string): ReturnType<typeof buildProfileCard> => buildProfileCard(parseProfileText(text, 'test.yaml'), 'test.yaml');

const PYSIM_VENDOR_ATRS = [
  '3b991800118822334455667760', // sysmoSIM-GR1
  '3b7d94000055555 30a7486930b247c4d5468'.replace(/\s/g, ''), // sysmoSIM-GR2
  '3b9f96801fc78031a073be21136743200718000001a5', // sysmoUSIM-SJS1
  '3b9f96801fc78031a073be21136744220610000001a9', // Fairwaves
  '3b9f95801fc38031e073fe211357868102869844 18a8'.replace(/\s/g, ''), // OpenCells
  '3b9f95801fc78031e073f62113674d4516004301008f', // Wavemobile
  '3b9f95801fc78031a073b6a10067cf3215ca9cd70920', // Gialer
  '3b9f96801f878031e073fe211b674a4c753034054ba9', // sysmoISIM-SJA2
  '3b9f96801f878031e073fe211b674a4c7531330251b2',
  '3b9f96801f878031e073fe211b674a4c52753104 51d5'.replace(/\s/g, ''),
  '3b9f96801f878031e073fe211b674a357530350251cc', // sysmoISIM-SJA5
  '3b9f96801f878031e073fe211b674a357530350265f8',
  '3b9f96801f878031e073fe211b674a357530350259c4',
];

/** Compact-TLV historical bytes (ISO/IEC 7816-4 §12.1.1) after the category indicator 80. */
function compactTlv(hist: Uint8Array): Map<number, Uint8Array> {
  expect(hist[0]).toBe(0x80);
  const out = new Map<number, Uint8Array>();
  for (let i = 1; i < hist.length; ) {
    const tag = hist[i]! >> 4;
    const len = hist[i]! & 0x0f;
    out.set(tag, hist.slice(i + 1, i + 1 + len));
    i += 1 + len;
  }
  return out;
}

describe('SIM ATRs', () => {
  const personalities: SimPersonality[] = ['classic', 'uicc', 'both'];

  it('every personality has a well-formed T=0-only ATR that is no pySim-detected vendor card', () => {
    expect(new Set(PYSIM_VENDOR_ATRS.map((a) => a.length % 2)).size).toBe(1);
    for (const p of personalities) {
      const info = parseAtr(simDefaultAtr(p));
      expect(info.defaultProtocol, p).toBe(0);
      expect(info.protocols.filter((t) => t !== 15), p).toEqual([0]);
      expect(PYSIM_VENDOR_ATRS, p).not.toContain(SIM_ATRS[p]);
    }
  });

  it('the UICC ATR announces card- and terminal-assigned channels, "8 or more", and the runtime serves 19 besides the basic one', () => {
    const caps = compactTlv(parseAtr(simDefaultAtr('uicc')).historical).get(7)!;
    expect(caps).toHaveLength(3);
    const third = caps[2]!;
    expect(third & 0x18).toBe(0x18); // b5 card assignment, b4 terminal assignment
    expect(third & 0x07).toBe(0x07); // 111: 8 or more
    expect(MAX_CHANNELS).toBeGreaterThanOrEqual(8);
    const card = simCard({ personality: 'uicc' });
    for (let ch = 1; ch < MAX_CHANNELS; ch++) expect(tx(card, '0070000001')).toBe(`${ch.toString(16).padStart(2, '0')}9000`);
  });

  it('a classic card carries the classic ATR and answers class 00 with 6E00, so pySim-read takes it for a SIM', () => {
    const card = buildCard(profileWith({ personality: 'classic' }));
    expect(bytesToHex(card.atr)).toBe(SIM_ATRS.classic);
    expect(parseAtr(card.atr).historical[0]).not.toBe(0x80);
    expect(tx(card, '00a40004023f00')).toBe('6e00');
    expect(tx(card, 'a0a40000023f00').slice(0, 2)).toBe('9f');
  });

  it('a profile\'s own atr wins over the default', () => {
    const card = buildCard(profileWith({ personality: 'uicc', atr: '3b9f96801fc78031a073be21136743200718000001a5' }));
    expect(bytesToHex(card.atr)).toBe('3b9f96801fc78031a073be21136743200718000001a5');
    expect(bytesToHex(buildCard(profileWith({ personality: 'uicc' })).atr)).toBe(SIM_ATRS.uicc);
  });
});
