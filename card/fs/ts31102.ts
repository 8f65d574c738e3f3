/**
 * ADF_USIM, declared once (3GPP TS 31.102 §4.2: the EFs at the USIM ADF level, with their SFIs
 * and access conditions; PIN = the application PIN, PIN1 here; PIN2 = the second application
 * PIN). The ADF's AID is given by the applet (it is listed in EF_DIR).
 */
import type { DfDecl, EfDecl } from './types.js';

const REF = '3GPP TS 31.102';
const P = { read: 'CHV1', update: 'CHV1' } as const;
const PADM = { read: 'CHV1', update: 'ADM' } as const;
const ALWADM = { read: 'ALW', update: 'ADM' } as const;

function ef(name: string, fid: number, sfi: number | undefined, rest: Omit<EfDecl, 'kind' | 'name' | 'fid' | 'sfi'>): EfDecl {
  return sfi === undefined ? { kind: 'EF', name, fid, ...rest } : { kind: 'EF', name, fid, sfi, ...rest };
}

export const ADF_USIM_FILES: readonly EfDecl[] = [
  ef('EF_ECC', 0x6fb7, 0x01, { structure: 'linear-fixed', recordLength: 4, records: 5, access: ALWADM, description: 'Emergency call codes', ref: `${REF} §4.2.21` }),
  ef('EF_LI', 0x6f05, 0x02, { structure: 'transparent', size: 4, access: { read: 'ALW', update: 'CHV1' }, description: 'Language indication', ref: `${REF} §4.2.1` }),
  ef('EF_AD', 0x6fad, 0x03, { structure: 'transparent', size: 4, access: ALWADM, initial: '00000002', description: 'Administrative data', ref: `${REF} §4.2.18` }),
  ef('EF_UST', 0x6f38, 0x04, { structure: 'transparent', size: 8, access: PADM, initial: '0a2e010000000000', description: 'USIM service table', ref: `${REF} §4.2.8` }),
  ef('EF_ACC', 0x6f78, 0x06, { structure: 'transparent', size: 2, access: PADM, description: 'Access control class', ref: `${REF} §4.2.15` }),
  ef('EF_IMSI', 0x6f07, 0x07, { structure: 'transparent', size: 9, access: PADM, description: 'IMSI', ref: `${REF} §4.2.2` }),
  ef('EF_Keys', 0x6f08, 0x08, { structure: 'transparent', size: 33, access: P, initial: '07', description: 'Ciphering and integrity keys (KSI, CK, IK; written by the ME)', ref: `${REF} §4.2.3` }),
  ef('EF_KeysPS', 0x6f09, 0x09, { structure: 'transparent', size: 33, access: P, initial: '07', description: 'Keys for the packet switched domain', ref: `${REF} §4.2.4` }),
  ef('EF_LOCI', 0x6f7e, 0x0b, { structure: 'transparent', size: 11, access: P, initial: 'ffffffffffffff0000ff01', description: 'Location information', ref: `${REF} §4.2.17` }),
  ef('EF_FPLMN', 0x6f7b, 0x0d, { structure: 'transparent', size: 12, access: P, description: 'Forbidden PLMNs', ref: `${REF} §4.2.16` }),
  ef('EF_START-HFN', 0x6f5b, 0x0f, { structure: 'transparent', size: 6, access: P, initial: 'f00000f00000', description: 'Initialisation values for hyperframe number', ref: `${REF} §4.2.51` }),
  ef('EF_THRESHOLD', 0x6f5c, 0x10, { structure: 'transparent', size: 3, access: PADM, initial: 'ffffff', description: 'Maximum value of START', ref: `${REF} §4.2.52` }),
  ef('EF_HPPLMN', 0x6f31, 0x12, { structure: 'transparent', size: 1, access: PADM, initial: '05', description: 'Higher priority PLMN search period', ref: `${REF} §4.2.6` }),
  ef('EF_ACMmax', 0x6f37, undefined, { structure: 'transparent', size: 3, access: { read: 'CHV1', update: 'CHV2' }, initial: '000000', description: 'ACM maximum value (0 = no limit)', ref: `${REF} §4.2.7` }),
  ef('EF_ACM', 0x6f39, undefined, { structure: 'cyclic', recordLength: 3, records: 5, access: { read: 'CHV1', update: 'CHV2', increase: 'CHV1' }, initial: '000000', increaseLimit: 'EF_ACMmax', description: 'Accumulated call meter', ref: `${REF} §4.2.9` }),
  ef('EF_MSISDN', 0x6f40, undefined, { structure: 'linear-fixed', recordLength: 30, records: 2, access: P, description: 'MSISDN', ref: `${REF} §4.2.26` }),
  ef('EF_PUCT', 0x6f41, undefined, { structure: 'transparent', size: 5, access: { read: 'CHV1', update: 'CHV2' }, description: 'Price per unit and currency table', ref: `${REF} §4.2.13` }),
  ef('EF_SMSP', 0x6f42, undefined, { structure: 'linear-fixed', recordLength: 40, records: 2, access: P, description: 'Short message service parameters', ref: `${REF} §4.2.27` }),
  ef('EF_SPN', 0x6f46, undefined, { structure: 'transparent', size: 17, access: ALWADM, description: 'Service provider name', ref: `${REF} §4.2.12` }),
];

export function adfUsim(aid: string): DfDecl {
  return { kind: 'ADF', name: 'ADF_USIM', fid: 0x7fff, aid, uiccOnly: true, description: 'USIM application', ref: `${REF} §4.2`, children: ADF_USIM_FILES };
}
