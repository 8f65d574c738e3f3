/**
 * Clone a real card (issue 13): `image import` of both real exports gives cards whose SELECT
 * answers equal the exports' raw FCPs / GSM responses and whose READs equal the exported contents,
 * for every file, over APDUs (T=0 rules, GET RESPONSE), with the ADM1 and PINs the clone has. The
 * expectations are the export's own lines, read here independently of the importer.
 * Guards: a file lost or moved, an FCP regenerated instead of served, contents shifted or padded,
 * access rules that open what the real card kept closed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importPysimExport, parseImportProfile, exportedPin1Enabled } from '../../host/fs/index.js';
import { parsePysimExport } from '../../host/fs/index.js';
import { bytesToHex, hexToBytes, type Card } from '../../card/runtime/index.js';
import { readTlvs } from '../../card/runtime/tlv.js';
import { ProfileError } from '../../host/profile/load.js';

const FX = new URL('../../../shared/fixtures/real-cards/', import.meta.url);
const SJA2 = readFileSync(new URL('sysmoisim-sja2-backup.script', FX), 'utf8');
const GR1 = readFileSync(new URL('sysmosim-gr1-classic-backup.script', FX), 'utf8');
const ADM1 = bytesToHex(new TextEncoder().encode('12345678'));

/** The export read the plain way: each selected path's raw FCP and its contents, as the lines say. */
function expectations(text: string): Map<string, { fids: string[]; fcp: string; binary?: string; records: Map<number, string> }> {
  const out = new Map<string, { fids: string[]; fcp: string; binary?: string; records: Map<number, string> }>();
  let dir: { name: string; fids: string[] } | undefined;
  let fcp: string | undefined;
  let cur: ReturnType<typeof out.get>;
  for (const line of text.split('\n')) {
    let m = /^# directory: (\S+) \((\S+)\)$/.exec(line);
    if (m) {
      dir = { name: m[1]!, fids: m[2]!.split('/') };
      fcp = undefined;
      continue;
    }
    m = /^# RAW FCP Template: ([0-9a-f]+)$/.exec(line);
    if (m) fcp = m[1]!;
    m = /^select (\S+)$/.exec(line);
    if (m && dir && fcp && (fcp.startsWith('62') || !/^6f/.test(fcp))) {
      cur = { fids: dir.fids, fcp, records: new Map() };
      out.set(m[1]!, cur);
    }
    m = /^update_binary ([0-9a-f]+)$/.exec(line);
    if (m && cur) cur.binary = m[1]!;
    m = /^update_record (\d+) ([0-9a-f]+)$/.exec(line);
    if (m && cur) cur.records.set(Number(m[1]), m[2]!);
  }
  return out;
}

/** Send with the T=0 procedure a terminal runs: 61xx/9Fxx → GET RESPONSE, 6Cxx → resend. */
function send(card: Card, hex: string): { data: string; sw: string } {
  let r = bytesToHex(card.transmit(hexToBytes(hex)));
  const cla = hex.slice(0, 2);
  if (r.startsWith('6c')) r = bytesToHex(card.transmit(hexToBytes(hex.slice(0, 8) + r.slice(2))));
  if (r.length === 4 && (r.startsWith('61') || r.startsWith('9f'))) r = bytesToHex(card.transmit(hexToBytes(`${cla === 'a0' ? 'a0' : '00'}c00000${r.slice(2)}`)));
  return { data: r.slice(0, -4), sw: r.slice(-4) };
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

function readAll(card: Card, cla: string, fcpInfo: { structure: string; size: number; recLen: number; records: number }): { data: string; sw: string } | { records: string[]; sw: string } {
  if (fcpInfo.structure === 'transparent') {
    let data = '';
    for (let off = 0; off < fcpInfo.size; off += 0xf0) {
      const n = Math.min(0xf0, fcpInfo.size - off);
      const r = send(card, `${cla}b0${hex2(off >> 8)}${hex2(off & 0xff)}${hex2(n)}`);
      if (r.sw !== '9000') return { data, sw: r.sw };
      data += r.data;
    }
    return { data, sw: '9000' };
  }
  const records: string[] = [];
  for (let i = 1; i <= fcpInfo.records; i++) {
    const r = send(card, `${cla}b2${hex2(i)}04${hex2(fcpInfo.recLen)}`);
    if (r.sw !== '9000') return { records, sw: r.sw };
    records.push(r.data);
  }
  return { records, sw: '9000' };
}

describe('image import: the sysmoISIM-SJA2 export', () => {
  const clone = importPysimExport(SJA2, 'sja2.script');
  const card = clone.card;
  const want = expectations(SJA2);

  it('is a UICC answering both worlds, PIN1 disabled as the export\'s PS_DO says', () => {
    expect(clone.personality).toBe('both');
    expect(exportedPin1Enabled(parsePysimExport(SJA2, 'x').tree)).toBe(false);
    expect(send(card, '0020000100').sw).toBe('63c3'); // the real card's answer in the phone session
    expect(want.size).toBeGreaterThan(250);
  });

  it('every exported file: SELECT answers its raw FCP byte for byte; READ gives the exported contents', () => {
    expect(send(card, `0020000a08${ADM1}`).sw).toBe('9000');
    let files = 0;
    let withContents = 0;
    const closed: string[] = [];
    for (const [name, w] of want) {
      const fids = w.fids.slice(1);
      const adfAt = fids.findIndex((f) => f.length > 4);
      let r: { data: string; sw: string };
      if (name === 'MF') r = send(card, '00a40004023f00');
      else if (adfAt < 0) r = send(card, `00a40804${hex2(fids.length * 2)}${fids.join('')}`);
      else {
        // The ADF by its full AID from its FCP's tag 84 (the directory line shows a prefix), then the rest from it.
        const adf = want.get(name.split('/').slice(0, adfAt + 2).join('/'))!;
        const full = bytesToHex(readTlvs(readTlvs(hexToBytes(adf.fcp))[0]!.value).find((t) => t.tag === 0x84)!.value);
        r = send(card, `00a40404${hex2(full.length / 2)}${full}`);
        const rest = fids.slice(adfAt + 1);
        if (rest.length) r = send(card, `00a40904${hex2(rest.length * 2)}${rest.join('')}`);
      }
      expect(r.sw, name).toMatch(/^(9000|6283)$/);
      expect(r.data, name).toBe(w.fcp);
      files++;
      const tags = readTlvs(readTlvs(hexToBytes(w.fcp))[0]!.value);
      const fd = tags.find((t) => t.tag === 0x82)!.value;
      if ((fd[0]! & 0x38) === 0x38) continue; // a DF
      const size = tags.find((t) => t.tag === 0x80)!.value.reduce((v, b) => v * 256 + b, 0);
      const structure = (fd[0]! & 0x07) === 0x01 ? 'transparent' : 'record';
      const recLen = fd.length >= 5 ? (fd[2]! << 8) | fd[3]! : 0;
      const got = readAll(card, '00', { structure, size, recLen, records: recLen ? fd[4]! : 0 });
      if (w.binary === undefined && w.records.size === 0) {
        closed.push(name);
        continue;
      }
      withContents++;
      expect(got.sw, name).toBe('9000');
      if ('data' in got) expect(got.data, name).toBe(w.binary);
      else for (const [n, rec] of w.records) expect(got.records[n - 1], `${name} record ${n}`).toBe(rec);
    }
    expect(files).toBe(want.size);
    expect(withContents).toBe(226);
    // What the real card would not let pySim read stays closed on the clone too (no contents exported).
    expect(closed.some((n) => n.endsWith('EF.CHV1'))).toBe(true);
  });
});

describe('image import: the sysmoSIM-GR1 classic export', () => {
  const clone = importPysimExport(GR1, 'gr1.script');
  const card = clone.card;
  const want = expectations(GR1);

  it('is a classic SIM (class 00 → 6E00), CHV1 disabled as its MF response byte 14 says', () => {
    expect(clone.personality).toBe('classic');
    expect(send(card, '00a40004023f00').sw).toBe('6e00');
  });

  it('every exported file: SELECT + GET RESPONSE give its GSM response byte for byte; READ the contents', () => {
    expect(send(card, `a020000a08${ADM1}`).sw).toBe('9000');
    let n = 0;
    for (const [name, w] of want) {
      let r: { data: string; sw: string } = { data: '', sw: '' };
      for (const fid of w.fids) r = send(card, `a0a4000002${fid}`);
      expect(r.sw, name).toBe('9000');
      expect(r.data, name).toBe(w.fcp);
      n++;
      const raw = hexToBytes(w.fcp);
      if (raw[6] !== 0x04) continue;
      const size = (raw[2]! << 8) | raw[3]!;
      const structure = raw[13] === 0 ? 'transparent' : 'record';
      const got = readAll(card, 'a0', { structure, size, recLen: raw[14]!, records: raw[14] ? size / raw[14] : 0 });
      if (w.binary === undefined && w.records.size === 0) continue;
      expect(got.sw, name).toBe('9000');
      if ('data' in got) expect(got.data, name).toBe(w.binary);
      else for (const [i, rec] of w.records) expect(got.records[i - 1], `${name} record ${i}`).toBe(rec);
    }
    expect(n).toBe(want.size);
    expect(n).toBeGreaterThan(25);
  });
});

describe('image import: inputs that do not fit', () => {
  it('a malformed export line is an error naming file:line, and no card is built', () => {
    const broken = SJA2.replace('update_binary 080910100000001020', 'update_binary 08091010000000102');
    const line = broken.split('\n').findIndex((l) => l === 'update_binary 08091010000000102') + 1;
    expect(() => importPysimExport(broken, 'sja2.script')).toThrow(new RegExp(`^sja2\\.script:${line}: `));
  });

  it('an import profile gives keys and PINs only: a key the export answers is refused with its field', () => {
    const ok = 'auth: { algorithm: milenage, gsm_algorithm: gsm-milenage, ki: "000102030405060708090a0b0c0d0e0f", opc: "000102030405060708090a0b0c0d0e0f" }\npins: { pin1: "1111", puk1: "11111111", pin2: "2222", puk2: "22222222", adm1: "87654321" }\n';
    const p = parseImportProfile(ok, 'keys.yaml');
    const c = importPysimExport(SJA2, 'sja2.script', { profile: p, profileFile: 'keys.yaml' });
    expect(c.warnings.some((w) => w.includes('no --profile'))).toBe(false);
    expect(send(c.card, `0020000a08${bytesToHex(new TextEncoder().encode('87654321'))}`).sw).toBe('9000');
    expect(() => parseImportProfile(ok + 'imsi: "001010000000001"\n', 'keys.yaml')).toThrow(ProfileError);
    expect(() => parseImportProfile(ok + 'imsi: "001010000000001"\n', 'keys.yaml')).toThrow(/keys\.yaml.*imsi: the export holds the card's files/);
    expect(() => importPysimExport(GR1, 'gr1.script', { profile: { ...p, personality: 'both' }, profileFile: 'keys.yaml' })).toThrow(/classic SIM/);
  });
});
