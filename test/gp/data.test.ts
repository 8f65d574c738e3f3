/**
 * Decoding what real security domains answered, from public GlobalPlatformPro `gp -d` logs:
 * - CPLC of a JCOP 4 card (GlobalPlatformPro issue #221), against the fields GlobalPlatformPro
 *   printed for it;
 * - Card Data and Key Information Template of an Oberthur COSMO 8.1 (issue #114: "GP Version
 *   2.2.1", "GP SCP03 i=70", three AES-256 keys of version 1);
 * - a whole `gp info` session replayed: the COSMO's answers (IIN/CIN 6A88), and an NXP card that
 *   answers every GET DATA with 6985 (issue #355) — reported as not available, not as errors.
 */
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../../card/runtime/index.js';
import { decodeCardData, decodeCplc, decodeKeyInfo, gpInfo, parseStatusLegacy, parseStatusTlv, privilegesFromNames, renderInfo } from '../../host/gp/index.js';
import { GP_INFO_JSON } from '../../host/cli/json/outputs.js';
import { RecordedSession } from './helpers.js';

const h = hexToBytes;
const JCOP4_CPLC = '9f7f2a4790d32147000000000083456e6e6e50524300000000000000005758594e4e4e4e4e0000000000000000';
const COSMO_CARD_DATA = '6631732f06072a864886fc6b01600c060a2a864886fc6b02020201630906072a864886fc6b03640b06092a864886fc6b040370';
const COSMO_KEY_INFO = 'e012c00401018820c00402018820c00403018820';
const ISD_FCI = '6f108408a000000151000000a5049f6501ff';

describe('GP data objects of real cards', () => {
  it('CPLC of a JCOP 4 (GlobalPlatformPro #221), field by field as GlobalPlatformPro printed it', () => {
    const f = Object.fromEntries(decodeCplc(h(JCOP4_CPLC)).map((x) => [x.name, x]));
    expect(f['ICFabricator']!.value).toBe('4790');
    expect(f['ICType']!.value).toBe('d321');
    expect(f['OperatingSystemID']!.value).toBe('4700');
    expect(f['ICFabricationDate']).toEqual({ name: 'ICFabricationDate', value: '8345', date: 'year …8, day 345' }); // GPPro: 2018-12-11 = day 345
    expect(f['ICSerialNumber']!.value).toBe('6e6e6e50');
    expect(f['ICBatchIdentifier']!.value).toBe('5243');
    expect(f['ICPrePersonalizer']!.value).toBe('5758');
    expect(f['ICPrePersonalizationEquipmentDate']).toEqual({ name: 'ICPrePersonalizationEquipmentDate', value: '594e' }); // GPPro: "invalid date format"
    expect(Object.keys(f).length).toBe(18);
  });

  it('a CPLC of the wrong length is refused by name', () => {
    expect(() => decodeCplc(h(JCOP4_CPLC).subarray(0, 40))).toThrow(/CPLC/);
  });

  it('Card Data of an Oberthur COSMO 8.1 (#114): GP 2.2.1, SCP03 i=70', () => {
    const d = decodeCardData(h(COSMO_CARD_DATA));
    expect(d.gpVersion).toBe('2.2.1');
    expect(d.scps).toEqual([{ version: 3, i: 0x70 }]);
    expect(d.oids.map((o) => o.oid)).toEqual(['1.2.840.114283.1', '1.2.840.114283.2.2.2.1', '1.2.840.114283.3', '1.2.840.114283.4.3.112']);
  });

  it('Key Information Template of the same card: three AES-256 keys, version 1, ids 1..3', () => {
    expect(decodeKeyInfo(h(COSMO_KEY_INFO))).toEqual([1, 2, 3].map((id) => ({ id, version: 1, type: 'AES', length: 32 })));
  });

  it('a truncated key information template is a GP_BAD_RESPONSE naming the object', () => {
    expect(() => decodeKeyInfo(h('e012c004010188'))).toThrow(/Key Information Template/);
  });
});

describe('gp info over a replayed session', () => {
  it('the COSMO 8.1 answers (#114): card data and key info decoded, CPLC/IIN/CIN reported with their SW', async () => {
    const t = new RecordedSession([
      ['00a4040008a00000015100000000', ISD_FCI + '9000'],
      ['80ca9f7f00', '6a88'],
      ['80ca006600', COSMO_CARD_DATA + '9000'],
      ['80ca00e000', COSMO_KEY_INFO + '9000'],
      ['80ca004200', '6a88'],
      ['80ca004500', '6a88'],
    ]);
    const info = await gpInfo(t);
    expect(GP_INFO_JSON.schema.parse(info)).toEqual(info);
    expect(info.cardData?.scps).toEqual([{ version: 3, i: 0x70 }]);
    expect(info.notAvailable).toEqual([{ object: 'CPLC', sw: '6a88' }, { object: 'IIN', sw: '6a88' }, { object: 'CIN', sw: '6a88' }]);
    const text = renderInfo(info).join('\n');
    expect(text).toContain('GP version: 2.2.1');
    expect(text).toContain('SCP: SCP03 i=70');
    expect(text).toContain('key version 1 (0x01) id 3: AES, 32 bytes');
  });

  it('an NXP card answering 6985 to every GET DATA (#355): nothing decoded, five objects not available', async () => {
    const t = new RecordedSession([['00a4040008a00000015100000000', ISD_FCI + '9000'], ...['80ca9f7f00', '80ca006600', '80ca00e000', '80ca004200', '80ca004500'].map((c) => [c, '6985'] as const)]);
    const info = await gpInfo(t);
    expect(info.cplc).toBeNull();
    expect(info.notAvailable.map((n) => n.sw)).toEqual(['6985', '6985', '6985', '6985', '6985']);
  });

  it('a card without any ISD AID: a clear error naming --isd', async () => {
    const t = new RecordedSession([[null, '6a82'], [null, '6a82'], [null, '6a82']]);
    await expect(gpInfo(t)).rejects.toThrow(/--isd/);
  });
});

describe('GET STATUS responses', () => {
  it('tag-list format (E3): AID, life cycle, privileges, load file and modules', () => {
    const isd = parseStatusTlv('isd', h('e3134f08a0000001510000009f70010fc5039ee000'));
    expect(isd).toEqual([{ kind: 'isd', aid: 'a000000151000000', lifeCycle: 0x0f, lifeCycleName: 'SECURED', privileges: { hex: '9ee000', names: ['SecurityDomain', 'CardLock', 'CardTerminate', 'CardReset', 'CVMManagement', 'TrustedPath', 'AuthorizedManagement', 'TokenVerification'] } }]);
    const pkg = parseStatusTlv('loadfile', h('e3194f06f063617264669f700101ce0201008407f0636172646601'));
    expect(pkg).toEqual([{ kind: 'loadfile', aid: 'f06361726466', lifeCycle: 1, lifeCycleName: 'LOADED', version: '1.0', modules: ['f0636172646601'] }]);
    expect(() => parseStatusTlv('app', h('e3054f03a00000'))).toThrow(/lacks its AID \(4F\) or life cycle \(9F70\)/);
  });

  it('legacy format and application states (LOCKED has b8 set)', () => {
    const e = parseStatusLegacy('app', h('05a000000001070005f0636172648300050102030405' + '0f00'));
    expect(e.map((x) => [x.aid, x.lifeCycleName])).toEqual([['a000000001', 'SELECTABLE'], ['f063617264', 'LOCKED'], ['0102030405', 'PERSONALIZED']]);
    expect(() => parseStatusLegacy('app', h('05a0000000'))).toThrow(/offset 0/);
  });

  it('privilege names both ways; an unknown name is refused by name', () => {
    expect(Array.from(privilegesFromNames(['CardReset', 'SecurityDomain']))).toEqual([0x84, 0, 0]);
    expect(() => privilegesFromNames(['Superuser'])).toThrow(/"Superuser"/);
  });
});
