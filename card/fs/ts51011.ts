/**
 * DF_TELECOM (7F10) and DF_GSM (7F20) of the classic SIM, declared once (3GPP TS 51.011 §10:
 * §10.5 DF_TELECOM EFs, §10.3 DF_GSM EFs). Access conditions as §10 gives them; where the spec
 * says "operator's choice" (CHV1/CHV2) or NEV for data the operator personalizes, ADM/CHV2 is
 * used as on real cards (sysmoSIM), so the APDU personalizer can write with ADM1. EF_SST has no
 * declared content: its bytes are computed from the files and features the card really has
 * (services.ts) and written at personalization. GSM_MANDATORY lists the EFs §10 marks mandatory.
 */
import type { DfDecl, EfDecl, MandatoryFile } from './types.js';

const REF = '3GPP TS 51.011';
const C1 = { read: 'CHV1', update: 'CHV1' } as const;
const C1ADM = { read: 'CHV1', update: 'ADM' } as const;
const ALWADM = { read: 'ALW', update: 'ADM' } as const;

function ef(name: string, fid: number, rest: Omit<EfDecl, 'kind' | 'name' | 'fid'>): EfDecl {
  return { kind: 'EF', name, fid, ...rest };
}

export const DF_TELECOM: DfDecl = {
  kind: 'DF', name: 'DF_TELECOM', fid: 0x7f10, description: 'Telecom features (phone book, SMS, MSISDN)', ref: `${REF} §10.5`,
  children: [
    ef('EF_ADN', 0x6f3a, { structure: 'linear-fixed', recordLength: 30, records: 10, access: C1, description: 'Abbreviated dialling numbers', ref: `${REF} §10.5.1` }),
    ef('EF_MSISDN', 0x6f40, { structure: 'linear-fixed', recordLength: 30, records: 2, access: C1, description: 'Subscriber\'s own numbers (alpha id, BCD number)', ref: `${REF} §10.5.5` }),
    ef('EF_SMSP', 0x6f42, { structure: 'linear-fixed', recordLength: 40, records: 2, access: C1, description: 'Short message service parameters', ref: `${REF} §10.5.6` }),
  ],
};

export const DF_GSM_FILES: readonly EfDecl[] = [
  ef('EF_LP', 0x6f05, { structure: 'transparent', size: 4, access: { read: 'ALW', update: 'CHV1' }, description: 'Language preference', ref: `${REF} §10.3.1` }),
  ef('EF_IMSI', 0x6f07, { structure: 'transparent', size: 9, access: { read: 'CHV1', update: 'ADM', invalidate: 'ADM', rehabilitate: 'CHV1' }, usableWhenInvalidated: false, description: 'International mobile subscriber identity', ref: `${REF} §10.3.2` }),
  ef('EF_Kc', 0x6f20, { structure: 'transparent', size: 9, access: C1, initial: 'ffffffffffffffff07', description: 'Ciphering key Kc and key sequence number n (written by the ME)', ref: `${REF} §10.3.3` }),
  ef('EF_PLMNsel', 0x6f30, { structure: 'transparent', size: 24, access: C1, description: 'PLMN selector (8 entries of 3 bytes)', ref: `${REF} §10.3.4` }),
  ef('EF_HPPLMN', 0x6f31, { structure: 'transparent', size: 1, access: C1ADM, initial: '05', description: 'HPLMN search period', ref: `${REF} §10.3.5` }),
  ef('EF_ACMmax', 0x6f37, { structure: 'transparent', size: 3, access: { read: 'CHV1', update: 'CHV2' }, initial: '000000', description: 'Accumulated call meter maximum value (0 = no limit)', ref: `${REF} §10.3.6` }),
  // 5 bytes: room for services 1..20 (2 bits each); the highest one we can advertise is n°17 (SPN).
  ef('EF_SST', 0x6f38, { structure: 'transparent', size: 5, access: C1ADM, description: 'SIM service table (computed, services.ts)', ref: `${REF} §10.3.7` }),
  ef('EF_ACM', 0x6f39, { structure: 'cyclic', recordLength: 3, records: 5, access: { read: 'CHV1', update: 'CHV2', increase: 'CHV1' }, initial: '000000', increaseLimit: 'EF_ACMmax', description: 'Accumulated call meter (cyclic, INCREASE)', ref: `${REF} §10.3.8` }),
  ef('EF_PUCT', 0x6f41, { structure: 'transparent', size: 5, access: { read: 'CHV1', update: 'CHV2' }, description: 'Price per unit and currency table', ref: `${REF} §10.3.9` }),
  ef('EF_SPN', 0x6f46, { structure: 'transparent', size: 17, access: ALWADM, description: 'Service provider name', ref: `${REF} §10.3.11` }),
  ef('EF_BCCH', 0x6f74, { structure: 'transparent', size: 16, access: C1, description: 'Broadcast control channels (BCCH allocation list, written by the ME)', ref: `${REF} §10.3.14` }),
  ef('EF_ACC', 0x6f78, { structure: 'transparent', size: 2, access: C1ADM, description: 'Access control class', ref: `${REF} §10.3.15` }),
  ef('EF_FPLMN', 0x6f7b, { structure: 'transparent', size: 12, access: C1, description: 'Forbidden PLMNs', ref: `${REF} §10.3.16` }),
  ef('EF_LOCI', 0x6f7e, { structure: 'transparent', size: 11, access: { read: 'CHV1', update: 'CHV1', invalidate: 'ADM', rehabilitate: 'CHV1' }, usableWhenInvalidated: true, initial: 'ffffffffffffff0000ff01', description: 'Location information (TMSI, LAI, status)', ref: `${REF} §10.3.17` }),
  ef('EF_AD', 0x6fad, { structure: 'transparent', size: 4, access: ALWADM, initial: '00000002', description: 'Administrative data (MS operation mode, length of MNC)', ref: `${REF} §10.3.18` }),
  ef('EF_Phase', 0x6fae, { structure: 'transparent', size: 1, access: ALWADM, initial: '03', description: 'Phase identification (phase 2+)', ref: `${REF} §10.3.19` }),
];

export const DF_GSM: DfDecl = {
  kind: 'DF', name: 'DF_GSM', fid: 0x7f20, description: 'GSM application', ref: `${REF} §10.3`, children: DF_GSM_FILES,
};

/** TS 51.011 §10: the EFs marked mandatory (MF §10.1, DF_GSM §10.3; DF_TELECOM has none). */
export const GSM_MANDATORY: readonly MandatoryFile[] = [
  { name: 'EF_ICCID', path: '3F00/2FE2', clause: `${REF} §10.1.1` },
  { name: 'EF_LP', path: '3F00/7F20/6F05', clause: `${REF} §10.3.1` },
  { name: 'EF_IMSI', path: '3F00/7F20/6F07', clause: `${REF} §10.3.2` },
  { name: 'EF_Kc', path: '3F00/7F20/6F20', clause: `${REF} §10.3.3` },
  { name: 'EF_HPPLMN', path: '3F00/7F20/6F31', clause: `${REF} §10.3.5` },
  { name: 'EF_SST', path: '3F00/7F20/6F38', clause: `${REF} §10.3.7` },
  { name: 'EF_BCCH', path: '3F00/7F20/6F74', clause: `${REF} §10.3.14` },
  { name: 'EF_ACC', path: '3F00/7F20/6F78', clause: `${REF} §10.3.15` },
  { name: 'EF_FPLMN', path: '3F00/7F20/6F7B', clause: `${REF} §10.3.16` },
  { name: 'EF_LOCI', path: '3F00/7F20/6F7E', clause: `${REF} §10.3.17` },
  { name: 'EF_AD', path: '3F00/7F20/6FAD', clause: `${REF} §10.3.18` },
  { name: 'EF_Phase', path: '3F00/7F20/6FAE', clause: `${REF} §10.3.19` },
];
