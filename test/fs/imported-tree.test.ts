/**
 * The file system as data (issue 13): a tree given as raw FCPs is served as the real card served
 * it. Inputs are real: the sysmoISIM-SJA2 export's FCPs and EF_ARR records
 * (../shared/fixtures/real-cards/sysmoisim-sja2-backup.script), the sysmoSIM-GR1's GSM responses.
 * Guards: access read from the wrong AM_DO, a compact SC byte taken for the wrong bit, SELECT
 * answering a regenerated FCP instead of the card's, the life cycle lost on DEACTIVATE.
 */
import { describe, expect, it } from 'vitest';
import { classicRule, compactRule, expandedRule, parseGsmResponse, parseUiccFcp, FileTree, FsLayoutError, type FsTreeData } from '../../card/fs/index.js';
import { Card, hexToBytes, bytesToHex, tearSweep } from '../../card/runtime/index.js';
import { installSim, type SimPersonalization } from '../../card/applets/sim/index.js';
import { pinField, tx } from '../applets/sim/helpers.js';

const h = hexToBytes;
// ADF.USIM EF.ARR records 3 and 5 of the real card (export lines 2451, 2453).
const ARR3 = h('800101a40683010195010880011aa40683010a9501088401d4a40683010a950108ffffff');
const ARR5 = h('840132a406830101950108800101a406830101950108800102a406830181950108800118a40683010a95010880012097008401d4a40683010a950108ffff');

describe('security attributes', () => {
  it('expanded rules of the real EF_ARR: READ PIN1, UPDATE/DEACTIVATE/ACTIVATE ADM1 (record 3)', () => {
    expect(expandedRule(ARR3, 'read')).toEqual({ key: 0x01 });
    expect(expandedRule(ARR3, 'update')).toEqual({ key: 0x0a });
    expect(expandedRule(ARR3, 'invalidate')).toEqual({ key: 0x0a });
    expect(expandedRule(ARR3, 'rehabilitate')).toEqual({ key: 0x0a });
    expect(expandedRule(ARR3, 'increase')).toEqual({ key: 0x0a }); // no AM_DO 84 with INS 32: follows UPDATE
  });

  it('EF_ACM\'s rule (record 5): INCREASE by its own AM_DO 84 32 (PIN1), UPDATE PIN2', () => {
    expect(expandedRule(ARR5, 'increase')).toEqual({ key: 0x01 });
    expect(expandedRule(ARR5, 'read')).toEqual({ key: 0x01 });
    expect(expandedRule(ARR5, 'update')).toEqual({ key: 0x81 });
    expect(expandedRule(ARR5, 'invalidate')).toEqual({ key: 0x0a });
  });

  it('always / never / OR templates', () => {
    expect(expandedRule(h('8001019000'), 'read')).toBe('always');
    expect(expandedRule(h('8001019000'), 'update')).toBe('never');
    expect(expandedRule(h('800102a010a406830101950108a406830181950108'), 'update')).toEqual({ any: [{ key: 0x01 }, { key: 0x81 }] });
    expect(expandedRule(h('8001029700'), 'update')).toBe('never');
  });

  it('compact format: the real MF\'s 8C 26 1A 00 00 (SC bytes in the order b7..b1)', () => {
    const mf = h('261a0000');
    expect(compactRule(mf, 'read')).toBe('never');
    expect(compactRule(mf, 'update')).toBe('always'); // b2: third SC byte
    expect(compactRule(h('0311ff'), 'read')).toBe('never'); // b1 → second SC byte FF
    expect(compactRule(h('0311ff'), 'update')).toEqual({ key: 0x01 }); // b2 → first SC byte: user authentication, key 1
  });

  it('classic nibbles (GR1 EF_ICCID 05 FF 55: read ALW, update / rehabilitate / invalidate ADM level 5)', () => {
    const info = parseGsmResponse(h('0000000a2fe2040005ff5501020000'));
    expect(info.security.kind).toBe('classic');
    const n = (info.security as { nibbles: Uint8Array }).nibbles;
    expect(classicRule(n, 'read')).toBe('always');
    expect(classicRule(n, 'update')).toEqual({ key: 0x0a });
    expect(classicRule(n, 'invalidate')).toEqual({ key: 0x0a });
  });
});

describe('FCP parsing', () => {
  it('real FCPs: EF.IMSI transparent 9 bytes SFI 7 → ARR 6F06/03; EF.ARR linear fixed 12 × 110', () => {
    const imsi = parseUiccFcp(h('621f8202412183026f07a506d00120d2010f8a01058b036f060380020009880138'));
    expect(imsi).toMatchObject({ kind: 'EF', fid: 0x6f07, structure: 'transparent', size: 9, sfi: 7, active: true, security: { kind: 'referenced', arrFid: 0x6f06, record: 3 } });
    const arr = parseUiccFcp(h('622282054221006e0c83026f06a506d00120d201038a01058b036f0606800205288801b8'));
    expect(arr).toMatchObject({ structure: 'linear-fixed', recordLength: 110, records: 12, size: 1320, sfi: 0x17 });
    const mf = parseUiccFcp(h('622d8202782183023f00a509800171830400018d088a01058c04261a0000c60f90017083010183018183010a83010b'));
    expect(mf).toMatchObject({ kind: 'MF', fid: 0x3f00, security: { kind: 'compact' } });
  });

  it('refuses descriptions that do not add up', () => {
    expect(() => parseUiccFcp(h('6f108408a000000003000000a5049f6501ff'))).toThrow(/expected tag 62/);
    expect(() => parseUiccFcp(h('621f8202412183026f07a506d00120d2010f8a01058b036f0603800200098801'))).toThrow(RangeError);
    expect(() => parseUiccFcp(h('620f82054221001005 83026f06 800200ff'.replace(/ /g, '')))).toThrow(/records of 16 bytes but file size 255/);
    expect(() => parseGsmResponse(h('0000000a2fe2070005ff5501020000'))).toThrow(/type of file/);
  });
});

const MF_FCP = '622d8202782183023f00a509800171830400018d088a01058c04261a0000c60f90017083010183018183010a83010b';
const ARR_MF = '622282054221006e0c83026f06a506d00120d201038a01058b036f0606800205288801b8'.replace('6f0606', '2f0601').replace('83026f06', '83022f06');
const ICCID = '621f8202412183022fe2a506d00120d201058a01058b032f0602800200 0a880110'.replace(/ /g, '');
const IMSI_MF = '621f8202412183026f07a506d00120d2010f8a01048b032f060380020009880138'; // LCSI 04: deactivated
const TREE: FsTreeData = {
  format: 'cardforge.fs/1', flavour: 'uicc',
  mf: { name: 'MF', kind: 'MF', fid: '3f00', fcp: MF_FCP, children: [
    { name: 'EF_ARR', kind: 'EF', fid: '2f06', fcp: ARR_MF },
    { name: 'EF_ICCID', kind: 'EF', fid: '2fe2', fcp: ICCID },
    { name: 'EF_IMSI', kind: 'EF', fid: '6f07', fcp: IMSI_MF },
  ] },
};
const PERSO = {
  ki: '000102030405060708090a0b0c0d0e0f', opc: '000102030405060708090a0b0c0d0e0f', algorithm: 'milenage', gsmAlgorithm: 'gsm-milenage',
  pins: { pin1: '1234', puk1: '12345678', pin2: '5678', puk2: '87654321', adm1: '88888888' },
  files: {
    '3F00/2F06': ['8001019000800102a40683010a950108', '8001019000', '800101a406830101950108800118a40683010a950108'],
    '3F00/2FE2': '988812010000405600f8',
    '3F00/6F07': '080910100000001020',
  },
} as unknown as SimPersonalization;

function importedCard(tree: FsTreeData = TREE): Card {
  const card = new Card({ atr: h('3b9f96801f878031e073fe211b674a4c753034054ba9') });
  installSim(card, { personality: 'both', tree }, PERSO);
  card.powerOn();
  return card;
}

describe('a card serving an imported tree', () => {
  it('SELECT answers each file\'s own FCP byte for byte; READ the imported contents', () => {
    const card = importedCard();
    expect(tx(card, '00a4000400').slice(0, -4)).toBe('');
    const mf = tx(card, '00a40004023f00');
    expect(mf).toBe('61' + (MF_FCP.length / 2).toString(16));
    expect(tx(card, `00c00000${(MF_FCP.length / 2).toString(16)}`)).toBe(MF_FCP + '9000');
    tx(card, '00a40004022fe2');
    expect(tx(card, `00c00000${(ICCID.length / 2).toString(16)}`)).toBe(ICCID + '9000');
    expect(tx(card, '00b000000a')).toBe('988812010000405600f89000');
  });

  it('access follows the EF_ARR record the FCP names: EF_IMSI (2F06 record 3) READ needs PIN1, UPDATE ADM1', () => {
    const card = importedCard();
    tx(card, '00a4000c026f07');
    tx(card, '0044000000'); // deactivated on the real card: ACTIVATE needs ADM1
    expect(tx(card, '00b0000009')).toBe('6982');
    expect(tx(card, '0020000108' + pinField('1234'))).toBe('9000');
    expect(tx(card, '00b0000009').slice(-4)).not.toBe('6982');
    expect(tx(card, '00d6000001ff')).toBe('6982');
  });

  it('the life cycle comes from the FCP (8A 04: deactivated) and follows ACTIVATE', () => {
    const card = importedCard();
    const r = tx(card, '00a40004026f07');
    expect(r).toBe('6283'.slice(0, 0) + r); // FCP held behind 61xx on T=0
    const fcp = tx(card, `00c00000${r.slice(2)}`);
    expect(fcp.slice(0, -4)).toBe(IMSI_MF);
    expect(fcp.slice(-4)).toBe('6283'); // TS 102.221 §11.1.1: selected file deactivated
    expect(tx(card, '0020000a083838383838383838')).toBe('9000');
    expect(tx(card, '0044000000')).toBe('9000');
    tx(card, '00a40004026f07');
    expect(tx(card, `00c00000${r.slice(2)}`)).toBe(IMSI_MF.replace('8a0104', '8a0105') + '9000');
  });

  it('the classic view of a UICC file is derived from its FCP and rule (EF_ICCID: ALW / NEV)', () => {
    const card = importedCard();
    expect(tx(card, 'a0a40000022fe2')).toBe('9f0f');
    const r = tx(card, 'a0c000000f');
    expect(r.slice(4, 12)).toBe('000a2fe2'); // size 10, FID
    expect(r.slice(16, 18)).toBe('0f'); // record 2 of this EF_ARR: read ALW, update never
  });

  it('a tree that does not add up is refused with the field named', () => {
    const bad = (mf: FsTreeData['mf']): (() => FileTree) => () => new FileTree({ ...TREE, mf });
    expect(bad({ ...TREE.mf, fcp: 'zz' })).toThrow(FsLayoutError);
    expect(bad({ ...TREE.mf, children: [{ name: 'EF_X', kind: 'DF', fid: '6f07', fcp: IMSI_MF }] })).toThrow(/tree\.MF\.children\[0\]\.kind/);
    expect(bad({ ...TREE.mf, children: [TREE.mf.children![1]!, TREE.mf.children![1]!] })).toThrow(/a second file at 3F00\/2FE2/);
  });

  it('a card announcing 4 logical channels in its ATR (73 .. .. 1B) opens 3 besides the basic one', () => {
    const card = importedCard();
    expect(card.channelLimit).toBe(4);
    expect(tx(card, '0070000001')).toBe('019000');
    expect(tx(card, '0070000001')).toBe('029000');
    expect(tx(card, '0070000001')).toBe('039000');
    expect(tx(card, '0070000001')).toBe('6a81');
    expect(tx(card, '0070000400')).toBe('6881');
    expect(bytesToHex(card.atr)).toBe('3b9f96801f878031e073fe211b674a4c753034054ba9');
  });
});

describe('an imported file under tears', () => {
  it('UPDATE RECORD of an imported EF (its EF_ARR, ADM1) torn at every write leaves the old or the new record', () => {
    const card = importedCard();
    const adm = (): void => void expect(tx(card, '0020000a083838383838383838')).toBe('9000');
    adm();
    tx(card, '00a4000c022f06');
    const read = (): string => tx(card, '00b202046e').slice(0, -4);
    const old = read();
    const next = '8001039000'.padEnd(220, 'f');
    expect(old).not.toBe(next);
    const r = tearSweep(card, hexToBytes(`00dc02046e${next}`), (p) => {
      if (p.torn) {
        adm();
        tx(card, '00a4000c022f06');
      }
      expect([old, next], `tear after write ${p.point}`).toContain(read());
      if (!p.torn) expect(read()).toBe(next);
    });
    expect(r.writes).toBeGreaterThan(0);
  });
});
