/**
 * The MF level of a UICC (ETSI TS 102.221 §13: EF_DIR 2F00, EF_ICCID 2FE2, EF_PL 2F05, EF_ARR
 * 2F06) with DF_TELECOM and DF_GSM of TS 51.011 under it, and the ADF_USIM of TS 31.102.
 * EF_ARR's records are generated from the access conditions used (tree.ts), so its size is
 * computed, not declared.
 */
import type { DfDecl, EfDecl } from './types.js';
import { DF_GSM, DF_TELECOM } from './ts51011.js';
import { adfUsim } from './ts31102.js';

const REF = 'ETSI TS 102.221';

export const EF_DIR: EfDecl = {
  kind: 'EF', name: 'EF_DIR', fid: 0x2f00, sfi: 0x1e, structure: 'linear-fixed', recordLength: 38, records: 2, access: { read: 'ALW', update: 'ADM' },
  description: 'Application directory (application templates 61 with AID 4F and label 50)', ref: `${REF} §13.1`,
};
export const EF_ICCID: EfDecl = {
  kind: 'EF', name: 'EF_ICCID', fid: 0x2fe2, sfi: 0x02, structure: 'transparent', size: 10, access: { read: 'ALW', update: 'ADM' },
  description: 'ICC identification (BCD, nibble-swapped); UPDATE is NEV in the spec, ADM here for personalization', ref: `${REF} §13.2; TS 51.011 §10.1.1`,
};
export const EF_PL: EfDecl = {
  kind: 'EF', name: 'EF_PL', fid: 0x2f05, sfi: 0x05, structure: 'transparent', size: 4, access: { read: 'ALW', update: 'CHV1' },
  description: 'Preferred languages', ref: `${REF} §13.3`,
};
/** Size filled in by the tree from the generated access rules. */
export const EF_ARR: EfDecl = {
  kind: 'EF', name: 'EF_ARR', fid: 0x2f06, sfi: 0x06, structure: 'linear-fixed', recordLength: 0, records: 0, access: { read: 'ALW', update: 'NEV' },
  description: 'Access rule reference (expanded format security attributes, ISO/IEC 7816-4 §9.3.3)', ref: `${REF} §13.4`,
};

export function masterFile(usimAid: string): { mf: DfDecl; adfs: readonly DfDecl[] } {
  return {
    mf: { kind: 'MF', name: 'MF', fid: 0x3f00, description: 'Master file', ref: `${REF} §8.2`, children: [EF_DIR, EF_ICCID, EF_PL, EF_ARR, DF_TELECOM, DF_GSM] },
    adfs: [adfUsim(usimAid)],
  };
}

/** Which EFs the classic (TS 51.011) world does not see. */
export const UICC_ONLY_EFS: ReadonlySet<string> = new Set(['EF_DIR', 'EF_ARR']);
