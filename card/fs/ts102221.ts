/**
 * The MF level of a UICC (ETSI TS 102.221 §13: EF_DIR 2F00, EF_ICCID 2FE2, EF_PL 2F05, EF_ARR
 * 2F06, EF_UMPC 2F08) with DF_TELECOM and DF_GSM of TS 51.011 under it, and the ADF_USIM of
 * TS 31.102. EF_ARR's records are generated from the access conditions used (tree.ts), so its
 * size is computed, not declared. MF_MANDATORY lists the files TS 102.221 §13 makes mandatory.
 */
import type { DfDecl, EfDecl, MandatoryFile } from './types.js';
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
  description: 'Access rule reference (expanded format security attributes, ISO/IEC 7816-4 §9.3.3) of the MF-level files', ref: `${REF} §13.4`,
};
/**
 * UICC maximum power consumption: byte 1 = maximum current in mA, byte 2 = operator defined
 * time-out T_OP, byte 3 = additional information, bytes 4-5 RFU. Content as a sysmoISIM-SJA2
 * ships it (shared/fixtures/real-cards: 60 mA, T_OP FF, 02).
 */
export const EF_UMPC: EfDecl = {
  kind: 'EF', name: 'EF_UMPC', fid: 0x2f08, sfi: 0x08, structure: 'transparent', size: 5, access: { read: 'ALW', update: 'ADM' }, initial: '3cff02ffff',
  description: 'UICC maximum power consumption', ref: `${REF} §13.5`,
};

export function masterFile(usimAid: string): { mf: DfDecl; adfs: readonly DfDecl[] } {
  return {
    mf: { kind: 'MF', name: 'MF', fid: 0x3f00, description: 'Master file', ref: `${REF} §8.2`, children: [EF_DIR, EF_ICCID, EF_PL, EF_ARR, EF_UMPC, DF_TELECOM, DF_GSM] },
    adfs: [adfUsim(usimAid)],
  };
}

/** Which MF-level EFs the classic (TS 51.011) world does not see. */
export const UICC_ONLY_EFS: ReadonlySet<string> = new Set(['EF_DIR', 'EF_ARR', 'EF_UMPC']);

/** TS 102.221 §13: the EFs every UICC has at the MF level (all with an SFI). */
export const MF_MANDATORY: readonly MandatoryFile[] = [
  { name: 'EF_DIR', path: '3F00/2F00', sfi: 0x1e, clause: `${REF} §13.1` },
  { name: 'EF_ICCID', path: '3F00/2FE2', sfi: 0x02, clause: `${REF} §13.2` },
  { name: 'EF_PL', path: '3F00/2F05', sfi: 0x05, clause: `${REF} §13.3` },
  { name: 'EF_ARR', path: '3F00/2F06', sfi: 0x06, clause: `${REF} §13.4` },
  { name: 'EF_UMPC', path: '3F00/2F08', sfi: 0x08, clause: `${REF} §13.5` },
];
