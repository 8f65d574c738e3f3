/**
 * The mandatory files of each spec, per personality (issue #12): a classic card shows the TS 51.011
 * §10 mandatory EFs in class A0; a uicc/both card shows the TS 102.221 §13 MF EFs and the TS 31.102
 * §4.2 ADF_USIM EFs in class 00, selectable by FID (and read by SFI where the spec gives one), each
 * with its declared layout. Also the EF_ARR domains: files below the ADF reference the ADF's own
 * EF_ARR 6F06, the rest the MF's 2F06, and the record referenced holds the file's rule.
 * Guards the missing EF_ARR/EF_PSLOCI/EF_UMPC/EF_BCCH/EF_NETPAR and ADF files pointing at 2F06.
 */
import { describe, expect, it } from 'vitest';
import { FileTree, GSM_MANDATORY, MF_MANDATORY, USIM_MANDATORY, type MandatoryFile } from '../../card/fs/index.js';
import { USIM_AID, type SimPersonality } from '../../card/applets/sim/index.js';
import type { Card } from '../../card/runtime/index.js';
import { bytesToHex } from '../../card/runtime/bytes.js';
import { PERSO, pinField, simCard, split, tx } from '../applets/sim/helpers.js';
import { parseFcp, readSelected, selectPath, type Selected } from './service-helpers.js';

const tree = new FileTree(USIM_AID);
const CHV1 = pinField(PERSO.pins.pin1);
const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

function declared(m: MandatoryFile): void {
  const n = tree.byPath(m.path);
  expect(n?.name, `${m.name} (${m.clause}) declared at ${m.path}`).toBe(m.name);
  if (m.sfi !== undefined) expect(n!.ef!.sfi, `${m.name}: SFI`).toBe(m.sfi);
}

function asDeclared(m: MandatoryFile, s: Selected): void {
  const ef = tree.byPath(m.path)!.ef!;
  expect(s.structure, `${m.name}: structure`).toBe(ef.structure);
  expect(s.size === 0 ? ef.size : s.size, `${m.name}: size`).toBe(ef.size);
  if (ef.structure !== 'transparent') expect(s.recordLength, `${m.name}: record length`).toBe(ef.recordLength);
}

/** UICC: SELECT by FID within its DF (MF, or the ADF by AID), FCP as declared, READ; then READ by SFI. */
function uiccByFid(c: Card, m: MandatoryFile): void {
  const fids = m.path.toLowerCase().split('/').slice(1);
  expect(split(tx(c, fids[0] === '7fff' ? `00a4040410${USIM_AID}00` : '00a40004023f0000')).sw).toBe('9000');
  const fid = fids[fids.length - 1]!;
  const r = split(tx(c, `00a4000402${fid}00`));
  expect(r.sw, `${m.name}: SELECT ${fid}`).toBe('9000');
  const s = parseFcp(m.path, r.data);
  asDeclared(m, s);
  if (m.sfi !== undefined) expect(s.sfi, `${m.name}: FCP 88`).toBe(m.sfi);
  const data = readSelected(c, m.path, s, 'uicc');
  if (m.sfi === undefined) return;
  // READ by SFI from the file's DF (TS 102.221 §11.1.3: P1 = 100xxxxx; §11.1.5: P2 = SFI << 3 | 4).
  const bySfi = s.structure === 'transparent' ? `00b0${hex2(0x80 | m.sfi)}00${hex2(Math.min(s.size, 255))}` : `00b201${hex2((m.sfi << 3) | 4)}${hex2(s.recordLength)}`;
  const b = split(tx(c, bySfi));
  expect(b.sw, `${m.name}: READ by SFI ${m.sfi}`).toBe('9000');
  expect(b.data, `${m.name}: READ by SFI ${m.sfi}`).toBe(data);
}

describe('mandatory files per personality', () => {
  it('the lists name declared files (with the SFI the spec gives)', () => {
    for (const m of [...GSM_MANDATORY, ...MF_MANDATORY, ...USIM_MANDATORY]) {
      declared(m);
      expect(m.clause).toMatch(/^(3GPP|ETSI) TS \d{2,3}\.\d{3} §[\d.]+$/);
    }
  });

  it.each(['classic', 'both'] as const)('%s: every TS 51.011 mandatory EF is selectable and readable in class A0 as declared', (p: SimPersonality) => {
    const c = simCard({ personality: p }, {}, false);
    expect(tx(c, `a020000108${CHV1}`)).toBe('9000');
    for (const m of GSM_MANDATORY) {
      const s = selectPath(c, m.path, 'classic');
      asDeclared(m, s);
      readSelected(c, m.path, s, 'classic');
    }
  });

  it.each(['uicc', 'both'] as const)('%s: every TS 102.221 MF and TS 31.102 ADF_USIM mandatory EF is selectable by FID and SFI in class 00 as declared', (p: SimPersonality) => {
    const c = simCard({ personality: p }, {}, false);
    expect(tx(c, `0020000108${CHV1}`)).toBe('9000');
    for (const m of [...MF_MANDATORY, ...USIM_MANDATORY]) uiccByFid(c, m);
  });

  it('EF_ARR domains: ADF files reference 6F06 of the ADF, MF-level files 2F06; the record holds the file\'s rule', () => {
    const c = simCard({ personality: 'uicc' }, {}, false);
    // Every EF_ARR's records, read over APDUs, start with the generated rules.
    const records = new Map<number, string[]>();
    for (const a of tree.arrs) {
      const s = selectPath(c, a.node.path, 'uicc');
      expect(s.recordLength, a.node.path).toBe(a.node.ef!.recordLength);
      records.set(a.node.fid, a.rules.map((rule, i) => {
        const r = split(tx(c, `00b2${hex2(i + 1)}04${hex2(s.recordLength)}`));
        expect(r.sw, `${a.node.path} record ${i + 1}`).toBe('9000');
        expect(r.data.startsWith(bytesToHex(rule)), `${a.node.path} record ${i + 1}`).toBe(true);
        return r.data;
      }));
    }
    expect([...records.keys()]).toEqual([0x2f06, 0x6f06]);
    let below = 0;
    for (const n of tree.nodes) {
      if (n.kind === 'ADF' || n.kind === 'MF') continue;
      const s = selectPath(c, n.path, 'uicc', n.kind !== 'EF');
      const underAdf = n.path.startsWith('3F00/7FFF/');
      const fid = underAdf ? 0x6f06 : 0x2f06;
      expect(s.arr, `${n.path}: 8B`).toBe(`${fid.toString(16).padStart(4, '0')}${hex2(n.arrRecord)}`);
      // The referenced record exists in that EF_ARR and holds the rule of this file's access conditions.
      const arr = tree.arrs.find((a) => a.node.fid === fid)!;
      expect(records.get(fid)![n.arrRecord - 1], `${n.path}: record ${n.arrRecord}`).toBeDefined();
      expect(tree.arrOf(n), n.path).toBe(arr.node);
      if (underAdf) below++;
    }
    expect(below).toBeGreaterThan(20);
  });
});
