/**
 * ADF_USIM, declared once (3GPP TS 31.102 §4.2: the EFs at the USIM ADF level, with their SFIs
 * and access conditions; PIN = the application PIN, PIN1 here; PIN2 = the second application
 * PIN), its own EF_ARR 6F06 (the rules of the files below the ADF; tree.ts) and DF_GSM-ACCESS
 * (§4.4.3) for UST service n°27. The ADF's AID is given by the applet (it is listed in EF_DIR).
 * EF_UST and EF_EST have no declared content: services.ts computes them from what the card has.
 * USIM_MANDATORY lists the EFs §4.2 marks mandatory.
 */
import type { DfDecl, EfDecl, MandatoryFile } from './types.js';

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
  // 5 bytes: services 1..40; the highest one we can advertise is n°38 (GSM security context).
  ef('EF_UST', 0x6f38, 0x04, { structure: 'transparent', size: 5, access: PADM, description: 'USIM service table (computed, services.ts)', ref: `${REF} §4.2.8` }),
  ef('EF_EST', 0x6f56, 0x05, { structure: 'transparent', size: 1, access: { read: 'CHV1', update: 'CHV2' }, description: 'Enabled services table (computed, services.ts)', ref: `${REF} §4.2.47` }),
  ef('EF_ACC', 0x6f78, 0x06, { structure: 'transparent', size: 2, access: PADM, description: 'Access control class', ref: `${REF} §4.2.15` }),
  ef('EF_IMSI', 0x6f07, 0x07, { structure: 'transparent', size: 9, access: PADM, description: 'IMSI', ref: `${REF} §4.2.2` }),
  ef('EF_Keys', 0x6f08, 0x08, { structure: 'transparent', size: 33, access: P, initial: '07', description: 'Ciphering and integrity keys (KSI, CK, IK; written by the ME)', ref: `${REF} §4.2.3` }),
  ef('EF_KeysPS', 0x6f09, 0x09, { structure: 'transparent', size: 33, access: P, initial: '07', description: 'Keys for the packet switched domain', ref: `${REF} §4.2.4` }),
  ef('EF_LOCI', 0x6f7e, 0x0b, { structure: 'transparent', size: 11, access: P, initial: 'ffffffffffffff0000ff01', description: 'Location information', ref: `${REF} §4.2.17` }),
  ef('EF_PSLOCI', 0x6f73, 0x0c, { structure: 'transparent', size: 14, access: P, initial: 'ffffffffffffffffffff0000ff01', description: 'PS location information (P-TMSI, P-TMSI signature, RAI, routing area update status 01 = not updated)', ref: `${REF} §4.2.23` }),
  ef('EF_FPLMN', 0x6f7b, 0x0d, { structure: 'transparent', size: 12, access: P, description: 'Forbidden PLMNs', ref: `${REF} §4.2.16` }),
  ef('EF_START-HFN', 0x6f5b, 0x0f, { structure: 'transparent', size: 6, access: P, initial: 'f00000f00000', description: 'Initialisation values for hyperframe number', ref: `${REF} §4.2.51` }),
  ef('EF_THRESHOLD', 0x6f5c, 0x10, { structure: 'transparent', size: 3, access: PADM, initial: 'ffffff', description: 'Maximum value of START', ref: `${REF} §4.2.52` }),
  ef('EF_HPPLMN', 0x6f31, 0x12, { structure: 'transparent', size: 1, access: PADM, initial: '05', description: 'Higher priority PLMN search period', ref: `${REF} §4.2.6` }),
  ef('EF_NETPAR', 0x6fc4, undefined, { structure: 'transparent', size: 46, access: P, codec: { none: 'its content is TLV-coded cell information the ME writes for itself (TS 31.102 §4.2.57); no codec reads it yet, the decoder shows its bytes' }, description: 'Network parameters (cell frequencies, written by the ME; minimum size 46)', ref: `${REF} §4.2.57` }),
  ef('EF_ACMmax', 0x6f37, undefined, { structure: 'transparent', size: 3, access: { read: 'CHV1', update: 'CHV2' }, initial: '000000', description: 'ACM maximum value (0 = no limit)', ref: `${REF} §4.2.7` }),
  ef('EF_ACM', 0x6f39, undefined, { structure: 'cyclic', recordLength: 3, records: 5, access: { read: 'CHV1', update: 'CHV2', increase: 'CHV1' }, initial: '000000', increaseLimit: 'EF_ACMmax', description: 'Accumulated call meter', ref: `${REF} §4.2.9` }),
  ef('EF_MSISDN', 0x6f40, undefined, { structure: 'linear-fixed', recordLength: 30, records: 2, access: P, description: 'MSISDN', ref: `${REF} §4.2.26` }),
  ef('EF_PUCT', 0x6f41, undefined, { structure: 'transparent', size: 5, access: { read: 'CHV1', update: 'CHV2' }, description: 'Price per unit and currency table', ref: `${REF} §4.2.13` }),
  ef('EF_SMSP', 0x6f42, undefined, { structure: 'linear-fixed', recordLength: 40, records: 2, access: P, description: 'Short message service parameters', ref: `${REF} §4.2.27` }),
  ef('EF_SPN', 0x6f46, undefined, { structure: 'transparent', size: 17, access: ALWADM, description: 'Service provider name', ref: `${REF} §4.2.12` }),
];

/** The ADF's own EF_ARR: size filled in by the tree from the rules of the files below the ADF. */
export const EF_ARR_USIM: EfDecl = {
  kind: 'EF', name: 'EF_ARR', fid: 0x6f06, sfi: 0x17, structure: 'linear-fixed', recordLength: 0, records: 0, access: { read: 'ALW', update: 'NEV' },
  description: 'Access rule reference of the files below ADF_USIM (expanded format)', ref: `${REF} §4.2.55`,
};

/** §4.4.3: GSM access (UST n°27): Kc and KcGPRS for a GSM/GPRS network, written by the ME. */
export const DF_GSM_ACCESS: DfDecl = {
  kind: 'DF', name: 'DF_GSM-ACCESS', fid: 0x5f3b, description: 'GSM access (Kc, KcGPRS)', ref: `${REF} §4.4.3`,
  children: [
    ef('EF_Kc', 0x4f20, 0x01, { structure: 'transparent', size: 9, access: P, initial: 'ffffffffffffffff07', description: 'GSM ciphering key Kc and key sequence number (07 = no key)', ref: `${REF} §4.4.3.1` }),
    ef('EF_KcGPRS', 0x4f52, 0x02, { structure: 'transparent', size: 9, access: P, initial: 'ffffffffffffffff07', description: 'GPRS ciphering key KcGPRS and key sequence number', ref: `${REF} §4.4.3.2` }),
  ],
};

export function adfUsim(aid: string): DfDecl {
  return { kind: 'ADF', name: 'ADF_USIM', fid: 0x7fff, aid, uiccOnly: true, description: 'USIM application', ref: `${REF} §4.2`, children: [...ADF_USIM_FILES, EF_ARR_USIM, DF_GSM_ACCESS] };
}

const ADF = '3F00/7FFF';
/**
 * §4.2: the EFs marked mandatory at the ADF_USIM level (EF_EPSLOCI 6FE3 / EF_EPSNSC 6FE4 are
 * mandatory only with service n°85, which this card does not advertise).
 */
export const USIM_MANDATORY: readonly MandatoryFile[] = [
  { name: 'EF_LI', path: `${ADF}/6F05`, sfi: 0x02, clause: `${REF} §4.2.1` },
  { name: 'EF_IMSI', path: `${ADF}/6F07`, sfi: 0x07, clause: `${REF} §4.2.2` },
  { name: 'EF_Keys', path: `${ADF}/6F08`, sfi: 0x08, clause: `${REF} §4.2.3` },
  { name: 'EF_KeysPS', path: `${ADF}/6F09`, sfi: 0x09, clause: `${REF} §4.2.4` },
  { name: 'EF_HPPLMN', path: `${ADF}/6F31`, sfi: 0x12, clause: `${REF} §4.2.6` },
  { name: 'EF_UST', path: `${ADF}/6F38`, sfi: 0x04, clause: `${REF} §4.2.8` },
  { name: 'EF_ACC', path: `${ADF}/6F78`, sfi: 0x06, clause: `${REF} §4.2.15` },
  { name: 'EF_FPLMN', path: `${ADF}/6F7B`, sfi: 0x0d, clause: `${REF} §4.2.16` },
  { name: 'EF_LOCI', path: `${ADF}/6F7E`, sfi: 0x0b, clause: `${REF} §4.2.17` },
  { name: 'EF_AD', path: `${ADF}/6FAD`, sfi: 0x03, clause: `${REF} §4.2.18` },
  { name: 'EF_ECC', path: `${ADF}/6FB7`, sfi: 0x01, clause: `${REF} §4.2.21` },
  { name: 'EF_PSLOCI', path: `${ADF}/6F73`, sfi: 0x0c, clause: `${REF} §4.2.23` },
  { name: 'EF_START-HFN', path: `${ADF}/6F5B`, sfi: 0x0f, clause: `${REF} §4.2.51` },
  { name: 'EF_THRESHOLD', path: `${ADF}/6F5C`, sfi: 0x10, clause: `${REF} §4.2.52` },
  { name: 'EF_ARR', path: `${ADF}/6F06`, sfi: 0x17, clause: `${REF} §4.2.55` },
  { name: 'EF_NETPAR', path: `${ADF}/6FC4`, clause: `${REF} §4.2.57` },
];
