/**
 * What `trace show`, `send` and the shell say about files: an FCP (TS 102.221 §11.1.1.3) tag by
 * tag, a classic GSM response (TS 51.011 §9.2.1), a SELECT by FID or path as the file it reaches
 * (not as `aid:`), and a READ through the codec of the EF the decoder knows is selected on that
 * channel. Inputs are real: every FCP of the sysmoISIM-SJA2 export and every GSM response of the
 * sysmoSIM-GR1 export, checked against the decoding pySim printed beside them; the SIMtrace
 * capture of the SJA2 in a phone through `trace show`. Guards: a FID shown as an AID, a channel's
 * ISIM file read as the USIM's EF of the same FID, garbage decoded into a plausible value.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ExchangeDecoder, describeFcp, describeGsmResponse } from '../../host/trace/decode.js';
import { showTrace } from '../../host/trace/show.js';
import { formatExchange } from '../../host/cli/format.js';
import { readTraceFile } from '../../host/trace/formats/index.js';
import { hexToBytes } from '../../card/runtime/bytes.js';
import { REAL_GSMTAP } from './helpers.js';
import { pinField, simCard, tx } from '../applets/sim/helpers.js';

interface Exported {
  readonly path: string;
  readonly raw: string;
  readonly pysim: string;
}

function exported(name: string): Exported[] {
  const text = readFileSync(`/work/shared/fixtures/real-cards/${name}`, 'utf8');
  const out: Exported[] = [];
  let path = '';
  let raw = '';
  for (const line of text.split('\n')) {
    const d = /^# directory: .* \(([0-9a-f/]+)\)$/.exec(line);
    if (d) path = d[1]!;
    const r = /^# RAW FCP Template: ([0-9a-f]+)$/.exec(line);
    if (r) raw = r[1]!;
    const p = /^# Decoded FCP Template: (.*)$/.exec(line);
    if (p && raw) out.push({ path, raw, pysim: p[1]! });
  }
  return out;
}

const SJA2 = exported('sysmoisim-sja2-backup.script');
const GR1 = exported('sysmosim-gr1-classic-backup.script');
const field = (pysim: string, key: string): string | undefined => new RegExp(`'${key}': ('[^']*'|[^,}]+)`).exec(pysim)?.[1]?.replace(/'/g, '');

describe('FCP, tag by tag (TS 102.221 §11.1.1.3)', () => {
  it('the MF of a sysmoISIM-SJA2', () => {
    expect(describeFcp(hexToBytes('622d8202782183023f00a509800171830400018d088a01058c04261a0000c60f90017083010183018183010a83010b'))).toEqual([
      '62 FCP template, 45 bytes:',
      '  82 file descriptor: 78 21 — DF, shareable',
      '  83 file identifier: 3F00',
      '  A5 proprietary information:',
      '    80 UICC characteristics: 71 — clock stop allowed; supply voltage classes A, B, C',
      '    83 available memory: 101640 bytes',
      '  8A life cycle status: 05 — operational, activated',
      '  8C security attributes, compact: 26 1A 00 00 — terminate: 1A (user authentication, b4-b1 A); create DF: always; create EF: always',
      '  C6 PIN status template:',
      '    90 PS_DO: 70',
      '    83 key reference: 01 PIN Appl 1 (disabled)',
      '    83 key reference: 81 Second PIN Appl 1 (enabled)',
      '    83 key reference: 0A ADM1 (enabled)',
      '    83 key reference: 0B ADM2 (enabled)',
    ]);
  });

  it('EF.IMSI of the same card: transparent, 9 bytes, rule 3 of EF_ARR 6F06, no SFI', () => {
    expect(describeFcp(hexToBytes('621e8202412183026f07a506d00130d2010f8a01058b036f0603800200098800'))).toEqual([
      '62 FCP template, 30 bytes:',
      '  82 file descriptor: 41 21 — working EF, transparent, shareable',
      '  83 file identifier: 6F07',
      '  A5 proprietary information:',
      '    D0 (proprietary): 30',
      '    D2 (proprietary): 0F',
      '  8A life cycle status: 05 — operational, activated',
      '  8B security attributes, referenced: EF_ARR 6F06 record 3',
      '  80 file size: 9 bytes',
      '  88 short file identifier: none',
    ]);
  });

  it(`every FCP of the sysmoISIM-SJA2 export (${SJA2.length}) decodes, and agrees with the decoding pySim printed beside it`, () => {
    expect(SJA2.length).toBeGreaterThan(250);
    for (const e of SJA2) {
      const text = describeFcp(hexToBytes(e.raw)).join('\n');
      const at = `${e.path}: ${e.raw}`;
      expect(text, at).not.toMatch(/unknown|cannot/);
      const fid = field(e.pysim, 'file_identifier');
      if (fid) expect(text, at).toContain(`83 file identifier: ${fid.toUpperCase()}`);
      const size = field(e.pysim, 'file_size');
      if (size) expect(text, at).toContain(`80 file size: ${size} bytes`);
      const recLen = field(e.pysim, 'record_len');
      if (recLen && recLen !== 'None') expect(text, at).toContain(`, ${field(e.pysim, 'num_of_rec')} records of ${recLen} bytes`);
      const mem = field(e.pysim, 'available_memory');
      if (mem) expect(text, at).toContain(`83 available memory: ${mem} bytes`);
      const arr = field(e.pysim, 'ef_arr_file_id');
      if (arr) expect(text, at).toContain(`EF_ARR ${arr.toUpperCase()} record ${field(e.pysim, 'ef_arr_record_nr')}`);
      const sfi = field(e.pysim, 'short_file_identifier');
      if (sfi) expect(text, at).toContain(`88 short file identifier: ${sfi === 'None' ? 'none' : Number(sfi).toString(16).toUpperCase().padStart(2, '0')}`);
      const lcsi = field(e.pysim, 'life_cycle_status_integer');
      if (lcsi) expect(text, at).toContain(lcsi === 'operational_activated' ? 'operational, activated' : 'operational, deactivated');
      const structure = field(e.pysim, 'structure');
      if (structure && structure !== 'no_info_given') expect(text, at).toContain(structure.replace('_', ' ').replace('ber tlv', 'BER-TLV'));
    }
  });

  it('an FCP that does not parse is a RangeError naming the offset', () => {
    expect(() => describeFcp(hexToBytes('621f8202412183026f07'))).toThrow(/offset 1/);
    expect(() => describeFcp(hexToBytes('6403830100'))).toThrow(/expected one template 62/);
  });
});

describe('GSM response (TS 51.011 §9.2.1)', () => {
  it('the MF of a sysmoSIM-GR1', () => {
    expect(describeGsmResponse(hexToBytes('0000125c3f000100000000000a9303020c00838a838a00'))).toEqual([
      'file 3F00, MF',
      'bytes 3-4 free memory: 4700 bytes',
      'byte 14 file characteristics: 93 — clock stop allowed, CHV1 disabled',
      'bytes 15-17: 3 DFs, 2 EFs, 12 CHVs, UNBLOCK CHVs and administrative codes',
      'byte 19 CHV1: 83 — initialised, 3 tries left',
      'byte 20 UNBLOCK CHV1: 8A — initialised, 10 tries left',
      'byte 21 CHV2: 83 — initialised, 3 tries left',
      'byte 22 UNBLOCK CHV2: 8A — initialised, 10 tries left',
    ]);
  });

  it(`every response of the sysmoSIM-GR1 export (${GR1.length}) agrees with pySim's decoding beside it`, () => {
    expect(GR1.length).toBeGreaterThan(30);
    for (const e of GR1) {
      const text = describeGsmResponse(hexToBytes(e.raw)).join('\n');
      const at = `${e.path}: ${e.raw}`;
      expect(text, at).toContain(`file ${field(e.pysim, 'file_id')!.toUpperCase()}, ${{ mf: 'MF', df: 'DF', working_ef: 'EF' }[field(e.pysim, 'file_type')!]}`);
      const size = field(e.pysim, 'file_size');
      if (size) expect(text, at).toContain(`file size: ${size} bytes`);
      const mem = field(e.pysim, 'available_memory');
      if (mem) expect(text, at).toContain(`free memory: ${mem} bytes`);
      const structure = field(e.pysim, 'structure');
      if (structure) expect(text, at).toContain(`structure: ${structure.replace('_', ' ')}`);
      const dfs = field(e.pysim, 'num_direct_child_df');
      if (dfs) expect(text, at).toContain(`${dfs} DFs, ${field(e.pysim, 'num_direct_child_ef')} EFs, ${field(e.pysim, 'num_chv_unblock_adm_codes')} CHVs`);
    }
  });
});

describe('ExchangeDecoder follows the selected file on each channel', () => {
  const ex = (d: ExchangeDecoder, cmd: string, rsp: string) => d.decode(hexToBytes(cmd), hexToBytes(rsp));
  const USIM = '00a4040410a0000000871002ffffffff8907090000';

  it('SELECT by FID and by path is shown as the declared file; SELECT by AID keeps its AID', () => {
    const d = new ExchangeDecoder();
    expect(ex(d, '00a40004023f00', '9000').command.file).toBe('3F00 MF');
    expect(ex(d, '00a40004027f20', '9000').command.file).toBe('3F00/7F20 DF_GSM');
    expect(ex(d, '00a40004026f07', '9000').command.file).toBe('3F00/7F20/6F07 EF_IMSI');
    expect(ex(d, USIM, '9000').command.file).toBeUndefined();
    expect(ex(d, '00a40004026f07', '9000').command.file).toBe('3F00/7FFF/6F07 EF_IMSI');
    expect(ex(d, '00a40804047fff6f38', '9000').command.file).toBe('3F00/7FFF/6F38 EF_UST');
    expect(ex(d, '00a40804047f206f38', '9000').command.file).toBe('3F00/7F20/6F38 EF_SST');
    expect(ex(d, '00a40804067fff5f3b4f20', '9000').command.file).toBe('3F00/7FFF/5F3B/4F20 EF_Kc');
    // From DF_GSM-ACCESS, 6F07 is its parent's child (TS 102.221 §8.4.1), not a child of 5F3B.
    expect(ex(d, '00a40004026f07', '9000').command.file).toBe('3F00/7FFF/6F07 EF_IMSI');
    expect(ex(d, '00a40004027f10', '9000').command.file).toBe('3F00/7F10 DF_TELECOM');
    expect(ex(d, '00a40004026f40', '9000').command.file).toBe('3F00/7F10/6F40 EF_MSISDN');
    expect(ex(d, '00a40004025f3a', '9000').command.file).toBe('3F00/7F10/5F3A');
  });

  it('class A0: SELECT by FID, GET RESPONSE decoded as the GSM response, READ BINARY through the EF codec', () => {
    const card = simCard();
    const d = new ExchangeDecoder();
    const run = (cmd: string) => ex(d, cmd, tx(card, cmd));
    expect(run('a0a40000027f20').command.file).toBe('3F00/7F20 DF_GSM');
    expect(run('a0a40000026f07').command.file).toBe('3F00/7F20/6F07 EF_IMSI');
    const gr = run('a0c000000f');
    expect(gr.response.details).toContain('bytes 3-4 file size: 9 bytes');
    expect(run(`a020000108${pinField('1234')}`).response.sw).toBe(0x9000);
    expect(run('a0b0000009').response.details).toEqual(['EF_IMSI: IMSI 001010123456789']);
  });

  it('the emulated USIM: SELECT answered 61xx, its FCP by GET RESPONSE; READ by SFI; UPDATE shown decoded', () => {
    const card = simCard();
    const d = new ExchangeDecoder();
    const run = (cmd: string) => ex(d, cmd, tx(card, cmd));
    run('00a4040410a0000000871002ff49ffff8907090000');
    expect(run(`0020000108${pinField('1234')}`).response.sw).toBe(0x9000);
    const sel = run('00a40004026fad');
    expect(sel.command.file).toBe('3F00/7FFF/6FAD EF_AD');
    const fcp = run(`00c00000${sel.response.swHex.slice(2)}`);
    expect(fcp.response.details?.[0]).toMatch(/^62 FCP template/);
    expect(fcp.response.details).toContain('  80 file size: 4 bytes');
    expect(run('00b0000004').response.details).toEqual(['EF_AD: normal operation, MNC length 2']);
    // READ BINARY with SFI 07 (EF_IMSI below the ADF) names the file by its SFI.
    expect(run('00b0870009').response.details).toEqual(['EF_IMSI: IMSI 001010123456789']);
    expect(ex(d, '00d600000400000003', '9000').command.details).toEqual(['EF_IMSI: bytes 0..3 of the file (not decoded alone)']);
  });

  it('an ISIM on channel 1 keeps its files apart from the USIM on channel 0', () => {
    const d = new ExchangeDecoder();
    ex(d, USIM, '9000');
    ex(d, '0070000001', '019000');
    ex(d, '01a4040410a0000000871004ffffffff8907090000', '9000');
    expect(ex(d, '01a40004026f07', '9000').command.file).toBe('3F00/7FFF/6F07 (in ADF A0000000871004FFFFFFFF8907090000)');
    expect(ex(d, '01b0000003', '1902009000').response.details).toBeUndefined();
    expect(ex(d, '00a40004026f07', '9000').command.file).toBe('3F00/7FFF/6F07 EF_IMSI');
    expect(ex(d, '00b0000009', '0809101000000010209000').response.details).toEqual(['EF_IMSI: IMSI 001010000000102']);
  });

  it('send / formatExchange: the file on the command line, the FCP and content below', () => {
    const d = new ExchangeDecoder();
    const fcp = '621e8202412183026f07a506d00130d2010f8a01058b036f0603800200098800';
    formatExchange(hexToBytes(USIM), hexToBytes('9000'), d);
    const s = formatExchange(hexToBytes('00a40004026f07'), hexToBytes(`${fcp}9000`), d);
    expect(s.split('\n').slice(0, 4)).toEqual(['> 00 A4 00 04 02 6F 07  (SELECT 3F00/7FFF/6F07 EF_IMSI)', expect.stringMatching(/^< 62 1E 82 02 .* 9000 {2}Normal ending/), '    62 FCP template, 30 bytes:', '      82 file descriptor: 41 21 — working EF, transparent, shareable']);
    expect(formatExchange(hexToBytes('00b0000009'), hexToBytes('0809101000000010209000'), d)).toBe('> 00 B0 00 00 09  (UICC_READ_BINARY)\n< 08 09 10 10 00 00 00 10 20  9000  Normal ending of the command\n    EF_IMSI: IMSI 001010000000102');
  });
});

describe('trace show over the real phone session (sysmoISIM-SJA2, SIMtrace)', () => {
  const lines = [...showTrace(readTraceFile(REAL_GSMTAP))];
  const block = (n: number): string[] => {
    const i = lines.findIndex((l) => l.startsWith(`#${n} > `));
    const j = lines.findIndex((l, k) => k > i && /^#\d+ > /.test(l));
    return lines.slice(i, j);
  };

  it('shows the EF_IMSI select as a file with its FCP, and the read as an IMSI', () => {
    expect(block(33)).toContain('      file: 3F00/7FFF/6F07 EF_IMSI');
    expect(block(33)).toContain('        80 file size: 9 bytes');
    expect(block(34)).toContain('      EF_IMSI: IMSI 901700000046734');
    expect(block(3)).toContain('      EF_ICCID: ICCID 8988211000000465008');
    expect(block(42).at(-1)).toMatch(/^ {6}EF_UST: available: 2 Fixed Dialling Numbers \(FDN\), 3 Extension 2,/);
    expect(block(8)).toContain('      EF_DIR record 1: application a0000000871002ffffffff8907090000 "USim1"');
  });

  it('never shows a SELECT by FID or path as aid:', () => {
    const selects = lines.flatMap((l, i) => (/> .. A4 0[0389] /.test(l) ? [lines[i + 1]] : []));
    expect(selects.length).toBeGreaterThan(300);
    expect(selects.filter((l) => !/^ {6}file: /.test(l ?? ''))).toEqual([]);
  });

  it('the ISIM on channel 1 is not read as the USIM, and the phone-written EF_MSISDN is reported as garbage', () => {
    const isim = lines.findIndex((l) => l.startsWith('#374 > 01 A4 00 04 02 6F 07'));
    expect(lines[isim + 1]).toBe('      file: 3F00/7FFF/6F07 (in ADF A0000000871004FFFFFFFF8907090000)');
    expect(lines.slice(isim, isim + 20).join('\n')).not.toContain('EF_IMSI');
    expect(block(127)).toContain('      EF_MSISDN: cannot decode: "alphaIdentifier" at offset 1: expected FF padding, got 07');
  });

  it('every FCP in the session decodes', () => {
    expect(lines.filter((l) => /cannot decode/.test(l) && !/EF_MSISDN/.test(l))).toEqual([]);
    expect(lines.filter((l) => /^ {6}62 FCP template/.test(l)).length).toBeGreaterThan(100);
  });
});
