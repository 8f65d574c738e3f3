/**
 * One test walks every EF codec (card/fs/ef-codecs.ts) against the published vectors of
 * test/fs/ef-codec-vectors.ts: every codec has at least one vector from a named external source
 * (pySim's test vectors, a real card's export, a real phone session); decode gives the vector's
 * meaning; encode of that meaning gives the same bytes back; content cut short, and content the
 * spec's coding cannot produce, is a RangeError naming the EF and the offset. Guards: a codec
 * reading our own encoder's idea of the spec (the vectors are not ours), silent truncation, a
 * service table read with the wrong bits per service, garbage decoded into plausible values.
 */
import { describe, expect, it } from 'vitest';
import { EF_CODECS } from '../../card/fs/ef-codecs.js';
import { ADF_USIM_FILES, DF_GSM_FILES, FileTree, codecOf, masterFile, type EfDecl, type FileDecl } from '../../card/fs/index.js';
import { USIM_AID } from '../../card/applets/sim/index.js';
import { bytesToHex, hexToBytes } from '../../card/runtime/bytes.js';
import { EF_GARBAGE, EF_VECTORS } from './ef-codec-vectors.js';

const EXTERNAL = /^(osmocom pySim \S+\.py EF_\S+|sysmoISIM-SJA2 export \(real card\)|sysmoSIM-GR1 export \(real card\)|sysmoISIM-SJA2 in a phone, SIMtrace capture)/;

/**
 * Codecs of EFs that real cards hold (their pySim exports and SIMtrace captures are the vectors)
 * but card/fs does not declare yet: no declaration uses them, so they are listed here. Declaring
 * one of these EFs removes it from the list (the test fails until then: no stale entry, no new
 * codec without a declaration).
 */
const UNDECLARED_EF_CODECS = ['EF_PBR', 'EF_EHPLMNPI', 'EF_EPSLOCI', 'EF_EHPLMN', 'EF_PLMNwAcT', 'EF_OPLMNwAcT', 'EF_HPLMNwAcT', 'EF_LOCIGPRS', 'EF_GID1', 'EF_GID2'] as const;

/** Every EF declaration (card/fs ts51011, ts102221, ts31102): the UICC tree, the classic DF_GSM and ADF_USIM lists. */
function declaredEfs(): EfDecl[] {
  const out: EfDecl[] = [];
  const walk = (d: FileDecl): void => {
    if (d.kind === 'EF') out.push(d);
    else d.children.forEach(walk);
  };
  [masterFile(USIM_AID).mf, ...DF_GSM_FILES, ...ADF_USIM_FILES].forEach(walk);
  for (const n of new FileTree(USIM_AID).nodes) if (n.decl.kind === 'EF') out.push(n.decl);
  return [...new Set(out)];
}

describe('EF codecs: the registry', () => {
  it('has a codec for every EF the issue names, under the declared spelling', () => {
    const named = ['EF_IMSI', 'EF_ICCID', 'EF_AD', 'EF_SST', 'EF_UST', 'EF_EST', 'EF_SPN', 'EF_MSISDN', 'EF_PLMNwAcT', 'EF_OPLMNwAcT', 'EF_HPLMNwAcT', 'EF_PLMNsel', 'EF_FPLMN',
      'EF_LOCI', 'EF_PSLOCI', 'EF_EPSLOCI', 'EF_ACC', 'EF_ARR', 'EF_DIR', 'EF_LI', 'EF_LP', 'EF_PL', 'EF_HPPLMN', 'EF_Kc', 'EF_KcGPRS', 'EF_Keys', 'EF_KeysPS', 'EF_ECC', 'EF_SMSP',
      'EF_ACM', 'EF_ACMmax', 'EF_PUCT', 'EF_START-HFN', 'EF_THRESHOLD', 'EF_UMPC', 'EF_Phase', 'EF_GID1', 'EF_GID2', 'EF_EHPLMN', 'EF_ADN', 'EF_PBR'];
    expect(named.filter((n) => EF_CODECS[n] === undefined)).toEqual([]);
  });

  it('each declared EF has its coding on the declaration: a codec (codecOf), or `codec: { none: reason }`; no codec is unused', () => {
    const efs = declaredEfs();
    expect(efs.length).toBeGreaterThan(40);
    const without = efs.filter((d) => codecOf(d) === undefined);
    // An EF without a codec says why on its declaration (EfDecl.codec = { none }).
    expect(without.filter((d) => typeof d.codec !== 'object' || d.codec.none.length < 20).map((d) => d.name), 'give it a codec in ef-codecs.ts or codec: { none: reason }').toEqual([]);
    expect([...new Set(without.map((d) => d.name))]).toEqual(['EF_NETPAR']);
    const used = new Set(efs.map((d) => codecOf(d)).filter((c) => c !== undefined));
    expect(Object.values(EF_CODECS).filter((c) => !used.has(c)).map((c) => c.name).sort(), 'a codec no declared EF uses').toEqual([...UNDECLARED_EF_CODECS].sort());
    // The codec reads what the declaration holds: whole records for record EFs, the content for transparent ones.
    expect(efs.filter((d) => codecOf(d) !== undefined && codecOf(d)!.record !== (d.structure !== 'transparent')).map((d) => d.name)).toEqual([]);
  });

  it("codecOf: the named codec, else the EF’s own, none for { none }; an unknown codec name does not type-check", () => {
    const imsi = declaredEfs().find((d) => d.name === 'EF_IMSI')!;
    expect(codecOf(imsi)).toBe(EF_CODECS['EF_IMSI']);
    expect(codecOf({ ...imsi, name: 'EF_OTHER', codec: 'EF_IMSI' })).toBe(EF_CODECS['EF_IMSI']);
    expect(codecOf({ ...imsi, name: 'EF_OTHER' })).toBeUndefined();
    expect(codecOf({ ...imsi, codec: { none: 'opaque to us' } })).toBeUndefined();
    // @ts-expect-error: codec names only the codecs of ef-codecs.ts
    const bad: EfDecl = { ...imsi, codec: 'EF_NO_SUCH_CODEC' };
    expect(codecOf(bad)).toBeUndefined();
  });

  it('names each codec as its key, cites its clause, and flags record EFs', () => {
    for (const [k, c] of Object.entries(EF_CODECS)) {
      expect(c.name).toBe(k);
      expect(c.ref).toMatch(/(3GPP|ETSI) TS \d+\.\d+ §/);
    }
    expect(['EF_ADN', 'EF_MSISDN', 'EF_SMSP', 'EF_ECC', 'EF_DIR', 'EF_ARR', 'EF_PBR', 'EF_ACM'].every((n) => EF_CODECS[n]!.record)).toBe(true);
    expect(EF_CODECS['EF_IMSI']!.record).toBe(false);
  });
});

describe('EF codecs: every codec has an externally sourced vector', () => {
  it.each(Object.keys(EF_CODECS))('%s', (name) => {
    const mine = EF_VECTORS.filter((v) => v.ef === name);
    expect(mine.length, `${name} has no vector`).toBeGreaterThan(0);
    for (const v of mine) expect(v.source).toMatch(EXTERNAL);
  });
  it('every vector names a codec that exists', () => {
    expect(EF_VECTORS.filter((v) => EF_CODECS[v.ef] === undefined).map((v) => v.ef)).toEqual([]);
  });
});

describe('EF codecs: the vectors', () => {
  it.each(EF_VECTORS.map((v) => [`${v.ef} ${v.hex.length > 40 ? `${v.hex.slice(0, 40)}…` : v.hex} ← ${v.source}`, v] as const))('%s', (_, v) => {
    const c = EF_CODECS[v.ef]!;
    const bytes = hexToBytes(v.hex);
    expect(c.decode(bytes)).toEqual(v.decoded);
    // The decoded value is plain JSON: it survives a JSON round trip unchanged.
    expect(JSON.parse(JSON.stringify(c.decode(bytes)))).toEqual(v.decoded);
    expect(typeof c.describe(bytes)).toBe('string');
    if (!v.decodeOnly) expect(bytesToHex(c.encode(v.decoded, bytes.length))).toBe(v.hex.toLowerCase());
    else expect(c.decode(c.encode(v.decoded, bytes.length))).toEqual(v.decoded);
  });
});

describe('EF codecs: strict decoding', () => {
  it.each(Object.values(EF_CODECS).map((c) => [c.name, c] as const))('%s: content shorter than the coding allows is a RangeError with the offset', (_, c) => {
    const v = EF_VECTORS.find((x) => x.ef === c.name)!;
    const short = hexToBytes(v.hex).subarray(0, c.minSize - 1);
    expect(() => c.decode(short)).toThrow(RangeError);
    expect(() => c.decode(short)).toThrow(new RegExp(`^${c.name}: .*at offset ${c.minSize - 1}`));
  });

  it.each(EF_GARBAGE.map((g) => [`${g.ef} ${g.hex}: ${g.why}`, g] as const))('%s', (_, g) => {
    const c = EF_CODECS[g.ef]!;
    expect(() => c.decode(hexToBytes(g.hex))).toThrow(RangeError);
    expect(() => c.decode(hexToBytes(g.hex))).toThrow(new RegExp(`^${g.ef}: .*at offset ${g.offset}\\b`));
    expect(() => c.describe(hexToBytes(g.hex))).toThrow(RangeError);
  });

  it('encode refuses a wrong type (TypeError) and a value that does not fit (RangeError)', () => {
    expect(() => EF_CODECS['EF_IMSI']!.encode('001010000000102', 9)).toThrow(TypeError);
    expect(() => EF_CODECS['EF_IMSI']!.encode({ imsi: '00101' }, 9)).toThrow(/EF_IMSI: "imsi" expected 6\.\.15/);
    expect(() => EF_CODECS['EF_SPN']!.encode({ displayCondition: { registeredPlmnNameRequired: true, spnNotRequiredOutsideHome: false }, serviceProviderName: 'A name far too long for it' }, 17)).toThrow(RangeError);
    expect(() => EF_CODECS['EF_FPLMN']!.encode([{ mcc: '26', mnc: '01' }], 12)).toThrow(/"value\[0\]\.mcc"/);
    expect(() => EF_CODECS['EF_PLMNsel']!.encode([], 4)).toThrow(/whole 3-byte entries/);
    expect(() => EF_CODECS['EF_SMSP']!.decode(hexToBytes('e1'))).toThrow(/at offset 1/);
  });
});

describe('EF codecs: codings that are easy to get wrong', () => {
  it('EF_SST takes 2 bits per service (b1 allocated, b2 activated), EF_UST 1 bit', () => {
    // Byte 01: service 1 allocated only; 02: service 1 activated only; 04: service 2 allocated.
    expect(EF_CODECS['EF_SST']!.decode(hexToBytes('0102'))).toEqual({ allocated: [1], activated: [5] });
    expect(EF_CODECS['EF_SST']!.decode(hexToBytes('0600'))).toEqual({ allocated: [2], activated: [1] });
    expect(EF_CODECS['EF_UST']!.decode(hexToBytes('05'))).toEqual({ available: [1, 3] });
    expect(EF_CODECS['EF_SST']!.describe(hexToBytes('0f01'))).toBe('allocated and activated: 1 CHV1 disable function, 2 Abbreviated Dialling Numbers (ADN); allocated only: 5 Advice of Charge (AoC)');
  });

  it('text fields: SMS default alphabet incl. its extension table, UCS2 forms 80, 81 and 82 (TS 31.102 Annex A)', () => {
    const spn = EF_CODECS['EF_SPN']!;
    const dc = '00';
    expect(spn.decode(hexToBytes(`${dc}40245b1b65${'ff'.repeat(11)}`))).toMatchObject({ serviceProviderName: '¡¤Ä€' });
    expect(spn.decode(hexToBytes(`${dc}8000410398ffff${'ff'.repeat(9)}`))).toMatchObject({ serviceProviderName: 'AΘ' });
    // 81: 2 characters, base 0x0398 >> 7 ... base byte 07 = 0x0380; 98 = base + 0x18 = 0x0398 (Θ); 41 = 'A'.
    expect(spn.decode(hexToBytes(`${dc}8102074198${'ff'.repeat(11)}`))).toMatchObject({ serviceProviderName: 'AΘ' });
    expect(spn.decode(hexToBytes(`${dc}820203804198${'ff'.repeat(10)}`))).toMatchObject({ serviceProviderName: 'AΘ' });
    expect(bytesToHex(spn.encode({ displayCondition: { registeredPlmnNameRequired: false, spnNotRequiredOutsideHome: false }, serviceProviderName: 'AΘ' }, 17))).toBe(`${dc}41${'19'}${'ff'.repeat(14)}`);
    expect(bytesToHex(spn.encode({ displayCondition: { registeredPlmnNameRequired: false, spnNotRequiredOutsideHome: false }, serviceProviderName: 'Aж' }, 17))).toBe(`${dc}8000410436${'ff'.repeat(11)}`);
  });

  it('a dialling number keeps *, # and the DTMF separator (TS 51.011 §10.5.1 table 12)', () => {
    const rec = EF_CODECS['EF_ADN']!.encode({ alphaIdentifier: '', diallingNumber: { ton: 'unknown', npi: 'ISDN/telephony', number: '*100#p1' }, ccpRecordId: null, ext1RecordId: null }, 14);
    expect(bytesToHex(rec)).toBe('05811a00cbf1ffffffffffffffff');
    expect(EF_CODECS['EF_ADN']!.decode(rec)).toMatchObject({ diallingNumber: { number: '*100#p1' } });
  });

  it('SMSP validity period: the four ranges of TS 23.040 §9.2.3.12.1, and minutes that have no code', () => {
    const smsp = EF_CODECS['EF_SMSP']!;
    const rec = (vp: string): Uint8Array => hexToBytes(`e1${'ff'.repeat(24)}0000${vp}`);
    expect([0, 143, 144, 167, 168, 196, 197, 255].map((vp) => (smsp.decode(rec(vp.toString(16).padStart(2, '0'))) as { validityPeriodMinutes: number }).validityPeriodMinutes))
      .toEqual([5, 720, 750, 1440, 2880, 43200, 50400, 635040]);
    const v = smsp.decode(rec('a9')) as Record<string, unknown>;
    expect(() => smsp.encode({ ...v, validityPeriodMinutes: 721 }, 28)).toThrow(/no relative validity period/);
  });
});
