/**
 * The host AuC against the published vectors (TS 35.207 Milenage, TS 55.205 GSM-Milenage, XOR,
 * COMP128) and its own SQN bookkeeping: fresh SQN per vector, resynchronisation from AUTS.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { AuC, AucError } from '../../host/backend/auc.js';
import { buildAuts, milenageAka, openAutn, sqnFromBytes } from '../../card/algorithms/index.js';
import { bytesToHex, hexToBytes } from '../../card/runtime/bytes.js';
import { imsiHash } from '../../card/protocol/index.js';

const vectors = (name: string): any => JSON.parse(readFileSync(new URL(`../../../shared/vectors/${name}`, import.meta.url), 'utf8'));
const h = hexToBytes;

describe('AuC', () => {
  it('makes the TS 35.207 quintuplets (RES, CK, IK, AK and MAC-A inside AUTN) for every test set', () => {
    for (const s of vectors('milenage-ts35207.json').sets) {
      const auc = new AuC({ amf: h(s.amf) });
      auc.addSubscriber({ imsi: '1', ki: h(s.k), opc: h(s.opc), algorithm: 'milenage', gsmAlgorithm: 'gsm-milenage' });
      const v = auc.quintuplet('1', { rand: h(s.rand), sqn: sqnFromBytes(h(s.sqn)) });
      const conc = bytesToHex(h(s.sqn).map((b, i) => b ^ h(s.f5)[i]!));
      expect(bytesToHex(v.autn), `set ${s.set}`).toBe(conc + s.amf + s.f1);
      expect([bytesToHex(v.xres), bytesToHex(v.ck), bytesToHex(v.ik)]).toEqual([s.f2, s.f3, s.f4]);
      expect(openAutn(milenageAka(h(s.k), h(s.opc)), h(s.rand), v.autn).macOk).toBe(true);
      expect(auc.checkRes(v, h(s.f2))).toBe(true);
    }
  });

  it('makes the 2G triplets of every GSM algorithm from the vectors', () => {
    const x = vectors('xor-and-comp128.json');
    const cases: Array<[string, any]> = [
      ['comp128v1', x.comp128v1[0]], ['comp128v2', x.comp128v2[0]], ['comp128v3', x.comp128v3[0]], ['xor2g', x.xor2g],
    ];
    for (const [alg, v] of cases) {
      const auc = new AuC();
      auc.addSubscriber({ imsi: '1', ki: h(v.ki), algorithm: 'xor', gsmAlgorithm: alg as 'comp128v1' });
      const t = auc.triplet('1', { rand: h(v.rand) });
      expect([bytesToHex(t.sres), bytesToHex(t.kc)], alg).toEqual([v.sres, v.kc]);
      expect(auc.checkSres(t, h(v.sres))).toBe(true);
      expect(auc.checkSres(t, h('00000000'))).toBe(false);
    }
    const gsmSets = vectors('gsm-milenage-ts55205.json').sets;
    expect(gsmSets.length).toBeGreaterThan(0);
    for (const s of gsmSets) {
      const auc = new AuC();
      auc.addSubscriber({ imsi: '1', ki: h(s.k), opc: h(s.opc), algorithm: 'milenage', gsmAlgorithm: 'gsm-milenage' });
      const t = auc.triplet('1', { rand: h(s.rand) });
      expect(bytesToHex(t.sres)).toBe(s.sres1);
      expect(bytesToHex(t.kc)).toBe(s.kc);
    }
  });

  it('the XOR 3G vector (TS 34.108) reproduces the published AUTN, RES, CK, IK and GSM context', () => {
    const v = vectors('xor-and-comp128.json').xor3g;
    const auc = new AuC({ amf: h(v.amf) });
    auc.addSubscriber({ imsi: '1', ki: h(v.k), algorithm: 'xor', gsmAlgorithm: 'xor2g' });
    const q = auc.quintuplet('1', { rand: h(v.rand), sqn: sqnFromBytes(h(v.sqn)) });
    expect([bytesToHex(q.autn), bytesToHex(q.xres), bytesToHex(q.ck), bytesToHex(q.ik)]).toEqual([v.autn, v.res, v.ck, v.ik]);
    const g = AuC.gsmContextOf(q);
    expect([bytesToHex(g.sres), bytesToHex(g.kc)]).toEqual([v.sres, v.kc]);
  });

  it('every vector carries a higher SQN, cycling IND', () => {
    const auc = new AuC();
    auc.addSubscriber({ imsi: '1', ki: h('000102030405060708090a0b0c0d0e0f'), opc: h('00'.repeat(16)), algorithm: 'milenage', gsmAlgorithm: 'gsm-milenage' });
    const sqns = Array.from({ length: 40 }, () => auc.quintuplet('1').sqn);
    for (let i = 1; i < sqns.length; i++) expect(sqns[i]).toBeGreaterThan(sqns[i - 1]!);
    expect(new Set(sqns.map((s) => s % 32)).size).toBe(32);
  });

  it('resynchronises SQN_HE from a valid AUTS and refuses a forged one', () => {
    const k = h('465b5ce8b199b49faa5f0a2ee238a6bc');
    const opc = h('cd63cb71954a9f4e48a5994e37a02baf');
    const auc = new AuC();
    auc.addSubscriber({ imsi: '1', ki: k, opc, algorithm: 'milenage', gsmAlgorithm: 'gsm-milenage' });
    const rand = h('23553cbe9637a89d218ae64dae47bf35');
    const sqnMs = 5000 * 32 + 7;
    const auts = buildAuts(milenageAka(k, opc), rand, sqnMs);
    expect(auc.resync('1', rand, auts)).toBe(sqnMs);
    expect(auc.quintuplet('1').sqn).toBeGreaterThan(sqnMs);
    const forged = auts.slice();
    forged[13] = forged[13]! ^ 1;
    expect(() => auc.resync('1', rand, forged)).toThrow(AucError);
  });

  it('unknown subscribers and missing OPc are typed errors', () => {
    const auc = new AuC();
    expect(() => auc.quintuplet('nobody')).toThrow(/no subscriber with IMSI nobody/);
    expect(() => auc.addSubscriber({ imsi: '1', ki: new Uint8Array(16), algorithm: 'milenage', gsmAlgorithm: 'comp128v1' })).toThrow(/needs OPc/);
  });

  describe('identification log (issue 18, SFR seed): RAND issued → answer verified → confirmed until expiry', () => {
    const IMSI = '208011234567890';
    const make = () => {
      let t = Date.UTC(2026, 0, 1);
      const auc = new AuC({ now: () => t, identificationTtlMs: 1000 });
      auc.addSubscriber({ imsi: IMSI, ki: h('000102030405060708090a0b0c0d0e0f'), opc: h('cd63cb71954a9f4e48a5994e37a02baf'), algorithm: 'milenage', gsmAlgorithm: 'xor2g' });
      return { auc, tick: (ms: number) => (t += ms) };
    };

    it('a triplet answered with the right SRES is logged and confirmed for that IMSI hash, in the gsm context, until it expires', () => {
      const { auc, tick } = make();
      const t = auc.triplet(IMSI);
      expect(auc.checkSres(t, t.sres)).toBe(true);
      const log = auc.identificationLog();
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ imsi: IMSI, imsiHash: bytesToHex(imsiHash(IMSI)), rand: bytesToHex(t.rand), context: 'gsm', outcome: 'verified' });
      expect(auc.confirmIdentification(imsiHash(IMSI), t.rand, 'gsm').rand).toBe(bytesToHex(t.rand));
      expect(() => auc.confirmIdentification(imsiHash(IMSI), t.rand, '3g')).toThrow(/verified in the gsm context, the card claims 3g/);
      expect(() => auc.confirmIdentification(imsiHash('208019999999999'), t.rand)).toThrow(/issued to another subscriber/);
      tick(1001);
      expect(() => auc.confirmIdentification(imsiHash(IMSI), t.rand)).toThrow(/expired/);
    });

    it('refuses a RAND it never issued, one never answered, a wrong answer; each issued RAND is answered once', () => {
      const { auc } = make();
      const host = new Uint8Array(16).fill(7);
      expect(() => auc.confirmIdentification(imsiHash(IMSI), host)).toThrow(/never issued this RAND/);
      expect(() => auc.verifyAnswer(IMSI, host, new Uint8Array(4), 'gsm')).toThrow(/was not issued by this AuC/);
      const t = auc.triplet(IMSI);
      expect(() => auc.confirmIdentification(imsiHash(IMSI), t.rand)).toThrow(/never verified an answer/);
      expect(auc.verifyAnswer(IMSI, t.rand, new Uint8Array(4), 'gsm').outcome).toBe('mismatch');
      expect(() => auc.confirmIdentification(imsiHash(IMSI), t.rand)).toThrow(/did not match/);
      expect(() => auc.verifyAnswer(IMSI, t.rand, t.sres, 'gsm')).toThrow(/already answered/);
      try {
        auc.confirmIdentification(imsiHash(IMSI), t.rand);
      } catch (e) {
        expect((e as AucError).code).toBe('AUC_NOT_CONFIRMED');
      }
    });

    it('quintuplets: RES (3g) and the GSM-context SRES c2(XRES) are logged in their context', () => {
      const { auc } = make();
      const q = auc.quintuplet(IMSI);
      expect(auc.checkRes(q, q.xres)).toBe(true);
      expect(auc.confirmIdentification(imsiHash(IMSI), q.rand, '3g').context).toBe('3g');
      const g = auc.quintuplet(IMSI);
      expect(auc.checkGsmContext(g, AuC.gsmContextOf(g).sres)).toBe(true);
      expect(auc.confirmIdentification(imsiHash(IMSI), g.rand, 'gsm-context').outcome).toBe('verified');
      expect(() => auc.verifyAnswer(IMSI, auc.quintuplet(IMSI).rand, new Uint8Array(4), 'gsm')).toThrow(/issued in a quintuplet/);
    });
  });
});
