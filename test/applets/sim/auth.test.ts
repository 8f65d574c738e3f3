/**
 * RUN GSM ALGORITHM and AUTHENTICATE through the APDU interface against every vector in
 * ../shared/vectors, SQN freshness and resynchronisation (AUTS the AuC can open), MAC failure,
 * error SWs, and a tear sweep of AUTHENTICATE (the SQN array). Guards: wrong algorithm wiring,
 * swapped SRES/Kc, an SQN accepted twice, an SQN array left half-written by a tear.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { generateAuthVector, milenageAka, openAuts, sqnToBytes, xor3gAka } from '../../../card/algorithms/index.js';
import { bytesToHex, hexToBytes, tearSweep } from '../../../card/runtime/index.js';
import { SESSION_FACTS } from '../../../apdu-specs/session-facts.js';
import { imsiHash } from '../../../card/protocol/index.js';
import { USIM_AID } from '../../../card/applets/sim/index.js';
import { pinField, simCard, split, tx } from './helpers.js';

const V = '/work/shared/vectors/';
const load = (f: string): any => JSON.parse(readFileSync(V + f, 'utf8'));
const milenageSets: any[] = load('milenage-ts35207.json').sets;
const gsmMil: any[] = load('gsm-milenage-ts55205.json').sets;
const other = load('xor-and-comp128.json');

function runGsm(card: ReturnType<typeof simCard>, rand: string): string {
  expect(tx(card, 'a0a40000027f20').slice(0, 2)).toBe('9f');
  expect(tx(card, `a020000108${pinField('1234')}`)).toBe('9000');
  expect(tx(card, `a088000010${rand}`)).toBe('9f0c');
  const r = split(tx(card, 'a0c000000c'));
  expect(r.sw).toBe('9000');
  return r.data;
}

/** SQN one SEQ (2^5 with the default IND length) below the given one. */
function below(sqn: string): string {
  return bytesToHex(sqnToBytes(parseInt(sqn, 16) - 32));
}

function usim(card: ReturnType<typeof simCard>): void {
  expect(split(tx(card, `00a4040410${USIM_AID}`)).sw).toMatch(/^(61|90)/);
  expect(tx(card, `0020000108${pinField('1234')}`)).toBe('9000');
}

function auth3g(card: ReturnType<typeof simCard>, rand: Uint8Array, autn: Uint8Array): { data: string; sw: string } {
  const r = tx(card, `008800812210${bytesToHex(rand)}10${bytesToHex(autn)}`);
  if (r.startsWith('61')) return split(tx(card, `00c00000${r.slice(2)}`));
  return split(r);
}

describe('RUN GSM ALGORITHM vectors (A0 88, 9F0C + GET RESPONSE)', () => {
  const cases: [string, string, string, string, string, 1 | 2 | undefined, string?][] = [
    ...other.comp128v1.map((v: any) => ['comp128v1', v.ki, v.rand, v.sres, v.kc, undefined]),
    ...other.comp128v2.map((v: any) => ['comp128v2', v.ki, v.rand, v.sres, v.kc, undefined]),
    ...other.comp128v3.map((v: any) => ['comp128v3', v.ki, v.rand, v.sres, v.kc, undefined]),
    ['xor2g', other.xor2g.ki, other.xor2g.rand, other.xor2g.sres, other.xor2g.kc, undefined],
    ...gsmMil.map((v: any) => ['gsm-milenage', v.k, v.rand, v.sres1, v.kc, 1, v.opc]),
    ...gsmMil.map((v: any) => ['gsm-milenage', v.k, v.rand, v.sres2, v.kc, 2, v.opc]),
  ];
  it.each(cases)('%s ki=%s', (alg, ki, rand, sres, kc, deriv, opc) => {
    const card = simCard({}, { ki, gsmAlgorithm: alg as any, algorithm: 'xor', ...(opc ? { opc } : {}), ...(deriv ? { gsmMilenageSres: deriv } : {}) });
    expect(runGsm(card, rand)).toBe(sres + kc);
    expect(card.snapshot().session.get(SESSION_FACTS.SUBSCRIBER_AUTHENTICATED.key)).toBe('gsm');
  });

  it('needs CHV1 (9804) and checks P1/P2 (6B00) and P3 (6710); writes nothing', () => {
    const card = simCard();
    expect(tx(card, 'a0a40000027f20').slice(0, 2)).toBe('9f');
    expect(tx(card, 'a088000010' + '00'.repeat(16))).toBe('9804');
    tx(card, `a020000108${pinField('1234')}`);
    const before = card.snapshot().persistent;
    expect(tx(card, 'a088010010' + '00'.repeat(16))).toBe('6b00');
    expect(tx(card, 'a08800000f' + '00'.repeat(15))).toBe('6710');
    expect(tx(card, 'a088000010' + '00'.repeat(16))).toBe('9f0c');
    // TS 51.011: the ME, not the SIM, stores Kc in EF_Kc; RUN GSM ALGORITHM writes nothing.
    expect(card.snapshot().persistent).toEqual(before);
  });

  it('runs only with DF_GSM (or below) current, TS 51.011 §8.16: MF or DF_TELECOM → 9804, 7F20 or an EF in it → 9F0C (guards: A3/A8 reachable from any directory)', () => {
    const card = simCard();
    expect(tx(card, `a020000108${pinField('1234')}`)).toBe('9000');
    const run = 'a088000010' + '11'.repeat(16);
    expect(tx(card, run)).toBe('9804'); // after power-on the MF is current
    expect(tx(card, 'a0a40000027f10').slice(0, 2)).toBe('9f');
    expect(tx(card, run)).toBe('9804');
    expect(tx(card, 'a0a40000027f20').slice(0, 2)).toBe('9f');
    expect(tx(card, run)).toBe('9f0c');
    expect(tx(card, 'a0a40000026f07').slice(0, 2)).toBe('9f'); // an EF of DF_GSM: DF_GSM stays current
    expect(tx(card, run)).toBe('9f0c');
    expect(tx(card, 'a0a40000023f00').slice(0, 2)).toBe('9f');
    expect(tx(card, run)).toBe('9804');
  });
});

describe('AUTHENTICATE (00 88) 3G and GSM context', () => {
  it.each(milenageSets)('Milenage TS 35.207 set $set: DB RES CK IK Kc', (v: any) => {
    // The card's SQN_MS one SEQ below the vector's SQN: within Δ (TS 33.102 C.2.1), so it is fresh.
    const card = simCard({}, { ki: v.k, opc: v.opc, sqn: below(v.sqn) });
    usim(card);
    const fns = milenageAka(hexToBytes(v.k), hexToBytes(v.opc));
    const av = generateAuthVector(fns, hexToBytes(v.rand), hexToBytes(v.sqn), hexToBytes(v.amf));
    const r = auth3g(card, av.rand, av.autn);
    expect(r.sw).toBe('9000');
    expect(r.data.slice(0, 22)).toBe(`db08${v.f2}10${v.f3}`.slice(0, 22));
    expect(r.data).toMatch(new RegExp(`^db08${v.f2}10${v.f3}10${v.f4}08[0-9a-f]{16}$`));
    expect(card.snapshot().session.get(SESSION_FACTS.SUBSCRIBER_AUTHENTICATED.key)).toBe('3g');
    // The same AUTN again is a replay: synchronisation failure whose AUTS carries the vector's SQN.
    const again = auth3g(card, av.rand, av.autn);
    expect(again.data.slice(0, 4)).toBe('dc0e');
    const o = openAuts(fns, av.rand, hexToBytes(again.data.slice(4)));
    expect(o.macOk).toBe(true);
    expect(bytesToHex(o.sqnMs)).toBe(v.sqn);
  });

  it('XOR (TS 34.108): RES/CK/IK from the vector; its SQN 0 is never fresh (DC), a fresh SQN passes; GSM context SRES/Kc', () => {
    const x = other.xor3g;
    const card = simCard({}, { ki: x.k, algorithm: 'xor', gsmAlgorithm: 'xor2g' });
    usim(card);
    const stale = auth3g(card, hexToBytes(x.rand), hexToBytes(x.autn));
    expect(stale.data.slice(0, 4)).toBe('dc0e');
    const av = generateAuthVector(xor3gAka(hexToBytes(x.k)), hexToBytes(x.rand), sqnToBytes(32), hexToBytes(x.amf));
    const r = auth3g(card, av.rand, av.autn);
    expect(r).toEqual({ data: `db10${x.res}10${x.ck}10${x.ik}08${x.kc}`, sw: '9000' });
    const g = tx(card, `0088008011 10${x.rand}`);
    expect(split(tx(card, `00c00000${g.slice(2)}`)).data).toBe(`04${x.sres}08${x.kc}`);
  });

  it('GSM context with Milenage equals GSM-Milenage SRES#1/Kc (TS 55.205)', () => {
    const v = gsmMil[0];
    const card = simCard({}, { ki: v.k, opc: v.opc });
    usim(card);
    const g = tx(card, `008800801110${v.rand}`);
    expect(split(tx(card, `00c00000${g.slice(2)}`)).data).toBe(`04${v.sres1}08${v.kc}`);
  });

  it('MAC failure 9862 and error SWs change nothing', () => {
    const v = milenageSets[0];
    const card = simCard({}, { ki: v.k, opc: v.opc });
    const fns = milenageAka(hexToBytes(v.k), hexToBytes(v.opc));
    const av = generateAuthVector(fns, hexToBytes(v.rand), hexToBytes(v.sqn), hexToBytes(v.amf));
    expect(auth3g(card, av.rand, av.autn).sw).toBe('6985'); // no ADF selected
    tx(card, `00a4040c10${USIM_AID}`);
    expect(auth3g(card, av.rand, av.autn).sw).toBe('6982'); // PIN1 not verified
    tx(card, `0020000108${pinField('1234')}`);
    const before = card.snapshot().persistent;
    const bad = av.autn.slice();
    bad[15]! ^= 1;
    expect(auth3g(card, av.rand, bad).sw).toBe('9862');
    expect(tx(card, `008800822210${bytesToHex(av.rand)}10${bytesToHex(av.autn)}`)).toBe('6a86');
    expect(tx(card, `008800812110${bytesToHex(av.rand)}10${bytesToHex(av.autn).slice(2)}`)).toBe('6a80');
    expect(card.snapshot().persistent).toEqual(before);
  });

  it('a stale SQN gives AUTS with the highest accepted SQN (other IND), AMF* = 0000', () => {
    const v = milenageSets[0];
    const card = simCard({}, { ki: v.k, opc: v.opc, sqn: '000000001000' });
    usim(card);
    const fns = milenageAka(hexToBytes(v.k), hexToBytes(v.opc));
    const av = generateAuthVector(fns, hexToBytes(v.rand), sqnToBytes(0x500), hexToBytes('8000'));
    const r = auth3g(card, av.rand, av.autn);
    expect(r.data.slice(0, 4)).toBe('dc0e');
    expect(openAuts(fns, av.rand, hexToBytes(r.data.slice(4))).sqnMsValue).toBe(0x1000);
  });

  it('tear sweep: the SQN array is either untouched (retry accepted) or updated (replay refused)', () => {
    const v = milenageSets[1];
    const card = simCard({}, { ki: v.k, opc: v.opc, sqn: below(v.sqn) });
    usim(card);
    const fns = milenageAka(hexToBytes(v.k), hexToBytes(v.opc));
    const av = generateAuthVector(fns, hexToBytes(v.rand), hexToBytes(v.sqn), hexToBytes(v.amf));
    const cmd = hexToBytes(`008800812210${bytesToHex(av.rand)}10${bytesToHex(av.autn)}`);
    const res = tearSweep(card, cmd, (p) => {
      if (!p.torn) return;
      usim(p.card);
      const again = auth3g(p.card, av.rand, av.autn);
      expect(['db08', 'dc0e']).toContain(again.data.slice(0, 4));
    });
    expect(res.writes).toBe(2); // the SEQ write and the commit record
    expect(bytesToHex(res.response)).toBe('6135'); // T=0: DB 08 RES 10 CK 10 IK 08 Kc waits behind 61xx
  });
});

describe('identification facts (issue 18, SFR seed): RAND and IMSI hash of the last successful authentication', () => {
  const facts = (card: ReturnType<typeof simCard>) => {
    const s = card.snapshot().session;
    return { ctx: s.get(SESSION_FACTS.SUBSCRIBER_AUTHENTICATED.key), rand: s.get(SESSION_FACTS.AUTHENTICATION_RAND.key), imsi: s.get(SESSION_FACTS.SUBSCRIBER_IMSI_HASH.key) };
  };

  it('RUN GSM ALGORITHM records the RAND it answered and SHA-256 of the EF_IMSI digits; a later one replaces them; reset clears them (RAM only)', () => {
    const card = simCard();
    expect(facts(card)).toEqual({ ctx: undefined, rand: undefined, imsi: undefined });
    runGsm(card, '11'.repeat(16));
    expect(facts(card)).toEqual({ ctx: 'gsm', rand: '11'.repeat(16), imsi: bytesToHex(imsiHash('001010123456789')) });
    runGsm(card, '22'.repeat(16));
    expect(facts(card).rand).toBe('22'.repeat(16));
    // A refused run (no CHV1 after a reset) records nothing; the reset cleared the facts.
    card.reset();
    expect(facts(card)).toEqual({ ctx: undefined, rand: undefined, imsi: undefined });
    expect(tx(card, 'a0a40000027f20').slice(0, 2)).toBe('9f');
    expect(tx(card, 'a088000010' + '33'.repeat(16))).toBe('9804');
    expect(facts(card).rand).toBeUndefined();
  });

  it('AUTHENTICATE GSM context records the RAND; a MAC failure records nothing', () => {
    const card = simCard();
    usim(card);
    const rand = '44'.repeat(16);
    expect(split(tx(card, `0088008011 10${rand}`.replace(' ', ''))).sw).toMatch(/^(61|90)/);
    expect(facts(card)).toMatchObject({ ctx: 'gsm-context', rand });
    const bad = auth3g(card, hexToBytes('55'.repeat(16)), new Uint8Array(16));
    expect(bad.sw).toBe('9862');
    expect(facts(card).rand).toBe(rand);
  });
});
