/**
 * Service tables, derived, never typed: EF_SST (3GPP TS 51.011 §10.3.7: 2 bits per service,
 * b1 allocated, b2 activated), EF_UST (3GPP TS 31.102 §4.2.8: 1 bit per service, "available")
 * and EF_EST (TS 31.102 §4.2.47: 1 bit per service, "enabled"). Each service is declared with its
 * number, its name as the spec spells it, the EFs it needs (paths of FIDs from the MF, 7FFF =
 * ADF_USIM, with the declared name) and the card features its function needs. The file lists
 * follow the clauses ("if service n°x is available, this file shall be present") and agree with
 * osmocom pySim's service= annotations (ts_31_102.py, ts_51_011.py); a sysmoISIM-SJA2 export is
 * checked against them (test/fs/services.test.ts).
 *
 * serviceTables() advertises a service only when every file it needs exists in the tree and
 * every feature holds. A service declared with neither files nor features (toolkit functions,
 * RFU) is never advertised: nothing here could prove it. Under TS 51.011 an allocated and
 * activated FDN means FDN is ON (phones then restrict dialling), so SST n°3 also needs FDN_ON.
 */
import type { FileTree } from './tree.js';

/** What the card does (its applet) and what the profile gave, as far as services depend on it. */
export const FEATURE = {
  /** DISABLE CHV / DISABLE PIN of CHV1 (TS 51.011 §9.2.10, TS 102.221 §11.1.10). */
  CHV1_DISABLE: 'chv1-disable',
  /** AUTHENTICATE in GSM context (P2 = 80) returns SRES and Kc (TS 31.102 §7.1.2.1). */
  GSM_SECURITY_CONTEXT: 'gsm-security-context',
  /** INCREASE on a cyclic EF (TS 51.011 §9.2.7), what AoC does to EF_ACM. */
  INCREASE: 'increase',
  /** The profile gives a service provider name (written to EF_SPN). */
  PROFILE_SPN: 'profile-spn',
  /** The profile gives an MSISDN (EF_MSISDN record 1). */
  PROFILE_MSISDN: 'profile-msisdn',
  /** Fixed dialling is switched on. */
  FDN_ON: 'fdn-on',
  /** Barred dialling is switched on. */
  BDN_ON: 'bdn-on',
  /** The APN control list is switched on. */
  ACL_ON: 'acl-on',
} as const;
export type Feature = (typeof FEATURE)[keyof typeof FEATURE];

export interface ServiceFile {
  /** Declared name (EF_SPN). */
  readonly name: string;
  /** FIDs from the MF, as FsNode.path spells them ('3F00/7F20/6F46'; '3F00/7FFF/…' below ADF_USIM). */
  readonly path: string;
}

export interface ServiceDecl {
  readonly n: number;
  readonly name: string;
  readonly files?: readonly ServiceFile[];
  readonly features?: readonly Feature[];
}

export interface ServiceTableDecl {
  readonly name: 'EF_SST' | 'EF_UST' | 'EF_EST';
  /** Where the table lives. */
  readonly path: string;
  /** SST: 2 (allocated, activated); UST/EST: 1. */
  readonly bitsPerService: 1 | 2;
  readonly ref: string;
  readonly services: readonly ServiceDecl[];
}

const f = (dir: string) => (name: string, fid: string): ServiceFile => ({ name, path: `${dir}/${fid}` });
const gsm = f('3F00/7F20');
const tel = f('3F00/7F10');
const usim = f('3F00/7FFF');
const F = FEATURE;

function svc(n: number, name: string, files?: readonly ServiceFile[], features?: readonly Feature[]): ServiceDecl {
  return { n, name, ...(files ? { files } : {}), ...(features ? { features } : {}) };
}

/** TS 51.011 §10.3.7 (services 1..59; 8, 20, 50 RFU/reserved). */
export const SST: ServiceTableDecl = {
  name: 'EF_SST', path: '3F00/7F20/6F38', bitsPerService: 2, ref: '3GPP TS 51.011 §10.3.7',
  services: [
    svc(1, 'CHV1 disable function', undefined, [F.CHV1_DISABLE]),
    svc(2, 'Abbreviated Dialling Numbers (ADN)', [tel('EF_ADN', '6F3A')]),
    svc(3, 'Fixed Dialling Numbers (FDN)', [tel('EF_FDN', '6F3B')], [F.FDN_ON]),
    svc(4, 'Short Message Storage (SMS)', [tel('EF_SMS', '6F3C')]),
    svc(5, 'Advice of Charge (AoC)', [gsm('EF_ACM', '6F39'), gsm('EF_ACMmax', '6F37'), gsm('EF_PUCT', '6F41')], [F.INCREASE]),
    svc(6, 'Capability Configuration Parameters (CCP)', [tel('EF_CCP', '6F3D')]),
    svc(7, 'PLMN selector', [gsm('EF_PLMNsel', '6F30')]),
    svc(8, 'RFU'),
    svc(9, 'MSISDN', [tel('EF_MSISDN', '6F40')], [F.PROFILE_MSISDN]),
    svc(10, 'Extension1', [tel('EF_EXT1', '6F4A')]),
    svc(11, 'Extension2', [tel('EF_EXT2', '6F4B')]),
    svc(12, 'SMS Parameters', [tel('EF_SMSP', '6F42')]),
    svc(13, 'Last Number Dialled (LND)', [tel('EF_LND', '6F44')]),
    svc(14, 'Cell Broadcast Message Identifier', [gsm('EF_CBMI', '6F45')]),
    svc(15, 'Group Identifier Level 1', [gsm('EF_GID1', '6F3E')]),
    svc(16, 'Group Identifier Level 2', [gsm('EF_GID2', '6F3F')]),
    svc(17, 'Service Provider Name', [gsm('EF_SPN', '6F46')], [F.PROFILE_SPN]),
    svc(18, 'Service Dialling Numbers (SDN)', [tel('EF_SDN', '6F49')]),
    svc(19, 'Extension3', [tel('EF_EXT3', '6F4C')]),
    svc(20, 'RFU'),
    svc(21, 'VGCS Group Identifier List (EFVGCS and EFVGCSS)', [gsm('EF_VGCS', '6FB1'), gsm('EF_VGCSS', '6FB2')]),
    svc(22, 'VBS Group Identifier List (EFVBS and EFVBSS)', [gsm('EF_VBS', '6FB3'), gsm('EF_VBSS', '6FB4')]),
    svc(23, 'enhanced Multi-Level Precedence and Pre-emption Service', [gsm('EF_eMLPP', '6FB5')]),
    svc(24, 'Automatic Answer for eMLPP', [gsm('EF_AAeM', '6FB6')]),
    svc(25, 'Data download via SMS-CB', [gsm('EF_CBMID', '6F48')]),
    svc(26, 'Data download via SMS-PP'),
    svc(27, 'Menu selection'),
    svc(28, 'Call control'),
    svc(29, 'Proactive SIM'),
    svc(30, 'Cell Broadcast Message Identifier Ranges', [gsm('EF_CBMIR', '6F50')]),
    svc(31, 'Barred Dialling Numbers (BDN)', [tel('EF_BDN', '6F4D')]),
    svc(32, 'Extension4', [tel('EF_EXT4', '6F4E')]),
    svc(33, 'De-personalization Control Keys', [gsm('EF_DCK', '6F2C')]),
    svc(34, 'Co-operative Network List', [gsm('EF_CNL', '6F32')]),
    svc(35, 'Short Message Status Reports', [tel('EF_SMSR', '6F47')]),
    svc(36, 'Network\'s indication of alerting in the MS', [gsm('EF_NIA', '6F51')]),
    svc(37, 'Mobile Originated Short Message control by SIM'),
    svc(38, 'GPRS', [gsm('EF_KcGPRS', '6F52'), gsm('EF_LOCIGPRS', '6F53')]),
    svc(39, 'Image (IMG)', [tel('EF_IMG', '5F50/4F20')]),
    svc(40, 'SoLSA (Support of Local Service Area)'),
    svc(41, 'USSD string data object supported in Call Control'),
    svc(42, 'RUN AT COMMAND command'),
    svc(43, 'User controlled PLMN Selector with Access Technology', [gsm('EF_PLMNwAcT', '6F60')]),
    svc(44, 'Operator controlled PLMN Selector with Access Technology', [gsm('EF_OPLMNwAcT', '6F61')]),
    svc(45, 'HPLMN Selector with Access Technology', [gsm('EF_HPLMNwAcT', '6F62')]),
    svc(46, 'CPBCCH Information', [gsm('EF_CPBCCH', '6F63')]),
    svc(47, 'Investigation Scan', [gsm('EF_InvScan', '6F64')]),
    svc(48, 'Extended Capability Configuration Parameters', [tel('EF_ECCP', '6F4F')]),
    svc(49, 'MExE'),
    svc(50, 'Reserved and shall be ignored'),
    svc(51, 'PLMN Network Name', [gsm('EF_PNN', '6FC5')]),
    svc(52, 'Operator PLMN List', [gsm('EF_OPL', '6FC6')]),
    svc(53, 'Mailbox Dialling Numbers', [gsm('EF_MBDN', '6FC7'), gsm('EF_MBI', '6FC9')]),
    svc(54, 'Message Waiting Indication Status', [gsm('EF_MWIS', '6FCA')]),
    svc(55, 'Call Forwarding Indication Status', [gsm('EF_CFIS', '6FCB')]),
    svc(56, 'Service Provider Display Information', [gsm('EF_SPDI', '6FCD')]),
    svc(57, 'Multimedia Messaging Service (MMS)', [gsm('EF_MMSN', '6FCE'), gsm('EF_MMSICP', '6FD0'), gsm('EF_MMSUP', '6FD1')]),
    svc(58, 'Extension 8', [gsm('EF_EXT8', '6FCF')]),
    svc(59, 'MMS User Connectivity Parameters', [gsm('EF_MMSUCP', '6FD2')]),
  ],
};

const EST_FILE = usim('EF_EST', '6F56');

/** TS 31.102 §4.2.8 (services 1..130 named; file lists where the spec ties files to the service). */
export const UST: ServiceTableDecl = {
  name: 'EF_UST', path: '3F00/7FFF/6F38', bitsPerService: 1, ref: '3GPP TS 31.102 §4.2.8',
  services: [
    svc(1, 'Local Phone Book', [usim('EF_PBR', '5F3A/4F30')]),
    svc(2, 'Fixed Dialling Numbers (FDN)', [usim('EF_FDN', '6F3B'), EST_FILE]),
    svc(3, 'Extension 2', [usim('EF_EXT2', '6F4B')]),
    svc(4, 'Service Dialling Numbers (SDN)', [usim('EF_SDN', '6F49')]),
    svc(5, 'Extension3', [usim('EF_EXT3', '6F4C')]),
    svc(6, 'Barred Dialling Numbers (BDN)', [usim('EF_BDN', '6F4D'), EST_FILE]),
    svc(7, 'Extension4', [usim('EF_EXT4', '6F55')]),
    svc(8, 'Outgoing Call Information (OCI and OCT)', [usim('EF_OCI', '6F81'), usim('EF_OCT', '6F83')]),
    svc(9, 'Incoming Call Information (ICI and ICT)', [usim('EF_ICI', '6F80'), usim('EF_ICT', '6F82')]),
    svc(10, 'Short Message Storage (SMS)', [usim('EF_SMS', '6F3C'), usim('EF_SMSS', '6F43')]),
    svc(11, 'Short Message Status Reports (SMSR)', [usim('EF_SMSR', '6F47')]),
    svc(12, 'Short Message Service Parameters (SMSP)', [usim('EF_SMSP', '6F42')]),
    svc(13, 'Advice of Charge (AoC)', [usim('EF_ACM', '6F39'), usim('EF_ACMmax', '6F37'), usim('EF_PUCT', '6F41')], [F.INCREASE]),
    svc(14, 'Capability Configuration Parameters 2 (CCP2)', [usim('EF_CCP2', '6F4F')]),
    svc(15, 'Cell Broadcast Message Identifier', [usim('EF_CBMI', '6F45')]),
    svc(16, 'Cell Broadcast Message Identifier Ranges', [usim('EF_CBMIR', '6F50')]),
    svc(17, 'Group Identifier Level 1', [usim('EF_GID1', '6F3E')]),
    svc(18, 'Group Identifier Level 2', [usim('EF_GID2', '6F3F')]),
    svc(19, 'Service Provider Name', [usim('EF_SPN', '6F46')], [F.PROFILE_SPN]),
    svc(20, 'User controlled PLMN selector with Access Technology', [usim('EF_PLMNwAcT', '6F60')]),
    svc(21, 'MSISDN', [usim('EF_MSISDN', '6F40')], [F.PROFILE_MSISDN]),
    svc(22, 'Image (IMG)', [tel('EF_IMG', '5F50/4F20')]),
    svc(23, 'Support of Localised Service Areas (SoLSA)', [usim('EF_SAI', '5F70/4F30')]),
    svc(24, 'Enhanced Multi-Level Precedence and Pre-emption Service', [usim('EF_eMLPP', '6FB5')]),
    svc(25, 'Automatic Answer for eMLPP', [usim('EF_AAeM', '6FB6')]),
    svc(26, 'RFU'),
    // GSM access: the ME uses the USIM on a GSM network, so the Kc it holds must come from the GSM context.
    svc(27, 'GSM Access', [usim('EF_Kc', '5F3B/4F20'), usim('EF_KcGPRS', '5F3B/4F52')], [F.GSM_SECURITY_CONTEXT]),
    svc(28, 'Data download via SMS-PP'),
    svc(29, 'Data download via SMS-CB', [usim('EF_CBMID', '6F48')]),
    svc(30, 'Call Control by USIM'),
    svc(31, 'MO-SMS Control by USIM'),
    svc(32, 'RUN AT COMMAND command'),
    // Release 99 text; later releases: "shall be set to '1'". Its files are mandatory anyway.
    svc(33, 'Packet Switched Domain (PSD)', [usim('EF_KeysPS', '6F09'), usim('EF_PSLOCI', '6F73')]),
    svc(34, 'Enabled Services Table', [EST_FILE]),
    svc(35, 'APN Control List (ACL)', [usim('EF_ACL', '6F57'), EST_FILE]),
    svc(36, 'Depersonalisation Control Keys', [usim('EF_DCK', '6F2C')]),
    svc(37, 'Co-operative Network List', [usim('EF_CNL', '6F32')]),
    svc(38, 'GSM security context', undefined, [F.GSM_SECURITY_CONTEXT]),
    svc(39, 'CPBCCH Information', [usim('EF_CPBCCH', '5F3B/4F63')]),
    svc(40, 'Investigation Scan', [usim('EF_InvScan', '5F3B/4F64')]),
    svc(41, 'MexE'),
    svc(42, 'Operator controlled PLMN selector with Access Technology', [usim('EF_OPLMNwAcT', '6F61')]),
    svc(43, 'HPLMN selector with Access Technology', [usim('EF_HPLMNwAcT', '6F62')]),
    svc(44, 'Extension 5', [usim('EF_EXT5', '6F4E')]),
    svc(45, 'PLMN Network Name', [usim('EF_PNN', '6FC5')]),
    svc(46, 'Operator PLMN List', [usim('EF_OPL', '6FC6')]),
    svc(47, 'Mailbox Dialling Numbers', [usim('EF_MBDN', '6FC7'), usim('EF_MBI', '6FC9')]),
    svc(48, 'Message Waiting Indication Status', [usim('EF_MWIS', '6FCA')]),
    svc(49, 'Call Forwarding Indication Status', [usim('EF_CFIS', '6FCB')]),
    svc(50, 'Reserved and shall be ignored'),
    svc(51, 'Service Provider Display Information', [usim('EF_SPDI', '6FCD')]),
    svc(52, 'Multimedia Messaging Service (MMS)', [usim('EF_MMSN', '6FCE'), usim('EF_MMSICP', '6FD0'), usim('EF_MMSUP', '6FD1')]),
    svc(53, 'Extension 8', [usim('EF_EXT8', '6FCF')]),
    svc(54, 'Call control on GPRS by USIM'),
    svc(55, 'MMS User Connectivity Parameters', [usim('EF_MMSUCP', '6FD2')]),
    svc(56, 'Network\'s indication of alerting in the MS (NIA)', [usim('EF_NIA', '6FD3')]),
    svc(57, 'VGCS Group Identifier List (EFVGCS and EFVGCSS)', [usim('EF_VGCS', '6FB1'), usim('EF_VGCSS', '6FB2')]),
    svc(58, 'VBS Group Identifier List (EFVBS and EFVBSS)', [usim('EF_VBS', '6FB3'), usim('EF_VBSS', '6FB4')]),
    svc(59, 'Pseudonym', [usim('EF_Pseudo', '5F40/4F41')]),
    svc(60, 'User Controlled PLMN selector for I-WLAN access', [usim('EF_UPLMNWLAN', '5F40/4F42')]),
    svc(61, 'Operator Controlled PLMN selector for I-WLAN access', [usim('EF_OPLMNWLAN', '5F40/4F43')]),
    svc(62, 'User controlled WSID list', [usim('EF_UWSIDL', '5F40/4F44')]),
    svc(63, 'Operator controlled WSID list', [usim('EF_OWSIDL', '5F40/4F45')]),
    svc(64, 'VGCS security', [usim('EF_VGCSCA', '6FD4')]),
    svc(65, 'VBS security', [usim('EF_VBSCA', '6FD5')]),
    svc(66, 'WLAN Reauthentication Identity', [usim('EF_WRI', '5F40/4F46')]),
    svc(67, 'Multimedia Messages Storage'),
    svc(68, 'Generic Bootstrapping Architecture (GBA)', [usim('EF_GBABP', '6FD6'), usim('EF_GBANL', '6FDA')]),
    svc(69, 'MBMS security', [usim('EF_MSK', '6FD7'), usim('EF_MUK', '6FD8')]),
    svc(70, 'Data download via USSD and USSD application mode'),
    svc(71, 'Equivalent HPLMN', [usim('EF_EHPLMN', '6FD9')]),
    svc(72, 'Additional TERMINAL PROFILE after UICC activation'),
    svc(73, 'Equivalent HPLMN Presentation Indication', [usim('EF_EHPLMNPI', '6FDB')]),
    svc(74, 'Last RPLMN Selection Indication'),
    svc(75, 'OMA BCAST Smart Card Profile'),
    svc(76, 'GBA-based Local Key Establishment Mechanism', [usim('EF_NAFKCA', '6FDD')]),
    svc(77, 'Terminal Applications'),
    svc(78, 'Service Provider Name Icon', [usim('EF_SPNI', '6FDE')]),
    svc(79, 'PLMN Network Name Icon', [usim('EF_PNNI', '6FDF')]),
    svc(80, 'Connectivity Parameters for USIM IP connections', [usim('EF_NCP-IP', '6FE2')]),
    svc(81, 'Home I-WLAN Specific Identifier List', [usim('EF_HWSIDL', '5F40/4F47')]),
    svc(82, 'I-WLAN Equivalent HPLMN Presentation Indication', [usim('EF_WEHPLMNPI', '5F40/4F48')]),
    svc(83, 'I-WLAN HPLMN Priority Indication', [usim('EF_WHPI', '5F40/4F49')]),
    svc(84, 'I-WLAN Last Registered PLMN', [usim('EF_WLRPLMN', '5F40/4F4A')]),
    svc(85, 'EPS Mobility Management Information', [usim('EF_EPSLOCI', '6FE3'), usim('EF_EPSNSC', '6FE4')]),
    svc(86, 'Allowed CSG Lists and corresponding indications', [usim('EF_ACSGL', '5F50/4F81'), usim('EF_CSGT', '5F50/4F82'), usim('EF_HNBN', '5F50/4F83')]),
    svc(87, 'Call control on EPS PDN connection by USIM'),
    svc(88, 'HPLMN Direct Access', [usim('EF_HPLMNDAI', '5F40/4F4B')]),
    svc(89, 'eCall Data'),
    svc(90, 'Operator CSG Lists and corresponding indications', [usim('EF_OCSGL', '5F50/4F84'), usim('EF_OCSGT', '5F50/4F85'), usim('EF_OHNBN', '5F50/4F86')]),
    svc(91, 'Support for SM-over-IP'),
    svc(92, 'Support of CSG Display Control'),
    svc(93, 'Communication Control for IMS by USIM'),
    svc(94, 'Extended Terminal Applications'),
    svc(95, 'Support of UICC access to IMS'),
    svc(96, 'Non-Access Stratum configuration by USIM', [usim('EF_NASCONFIG', '6FE8')]),
    svc(97, 'PWS configuration by USIM', [usim('EF_PWS', '6FEC')]),
    svc(98, 'RFU'),
    svc(99, 'URI support by UICC'),
    svc(100, 'Extended EARFCN support'),
    svc(101, 'ProSe'),
    svc(102, 'USAT Application Pairing'),
    svc(103, 'Media Type support'),
    svc(104, 'IMS call disconnection cause'),
    svc(105, 'URI support for MO SHORT MESSAGE CONTROL'),
    svc(106, 'ePDG configuration Information support'),
    svc(107, 'ePDG configuration Information configured'),
    svc(108, 'ACDC support'),
    svc(109, 'MCPTT'),
    svc(110, 'ePDG configuration Information for Emergency Service support'),
    svc(111, 'ePDG configuration Information for Emergency Service configured'),
    svc(112, 'eCall Data over IMS'),
    svc(113, 'URI support for SMS-PP DOWNLOAD'),
    svc(114, 'From Preferred', [usim('EF_FromPreferred', '6FF7')]),
    svc(115, 'IMS configuration data', [usim('EF_IMSConfigData', '6FF8')]),
    svc(116, 'TV configuration'),
    svc(117, '3GPP PS Data Off'),
    svc(118, '3GPP PS Data Off Service List'),
    svc(119, 'V2X'),
    svc(120, 'XCAP Configuration Data', [usim('EF_XCAPConfigData', '6FFC')]),
    svc(121, 'EARFCN list for MTC/NB-IOT UEs'),
    svc(122, '5GS Mobility Management Information', [usim('EF_5GS3GPPLOCI', '5FC0/4F01'), usim('EF_5GSN3GPPLOCI', '5FC0/4F02'), usim('EF_5GS3GPPNSC', '5FC0/4F03'), usim('EF_5GSN3GPPNSC', '5FC0/4F04')]),
    svc(123, '5G Security Parameters', [usim('EF_5GAUTHKEYS', '5FC0/4F05')]),
    svc(124, 'Subscription identifier privacy support', [usim('EF_SUCI_Calc_Info', '5FC0/4F07'), usim('EF_Routing_Indicator', '5FC0/4F0A')]),
    svc(125, 'SUCI calculation by the USIM'),
    svc(126, 'UAC Access Identities support', [usim('EF_UAC_AIC', '5FC0/4F06')]),
    svc(127, 'Expect control plane-based Steering of Roaming information during initial registration in VPLMN'),
    svc(128, 'Call control on PDU Session by USIM'),
    svc(129, '5GS Operator PLMN List', [usim('EF_OPL5G', '5FC0/4F08')]),
    svc(130, 'Support for SUPI of type NSI or GLI or GCI', [usim('EF_SUPI_NAI', '5FC0/4F09')]),
  ],
};

/** TS 31.102 §4.2.47: a service is enabled only if it is available in EF_UST and switched on. */
export const EST: ServiceTableDecl = {
  name: 'EF_EST', path: '3F00/7FFF/6F56', bitsPerService: 1, ref: '3GPP TS 31.102 §4.2.47',
  services: [
    svc(1, 'Fixed Dialling Numbers (FDN)', [usim('EF_FDN', '6F3B'), EST_FILE], [F.FDN_ON]),
    svc(2, 'Barred Dialling Numbers (BDN)', [usim('EF_BDN', '6F4D'), EST_FILE], [F.BDN_ON]),
    svc(3, 'APN Control List (ACL)', [usim('EF_ACL', '6F57'), EST_FILE], [F.ACL_ON]),
  ],
};

export const SERVICE_TABLES: readonly ServiceTableDecl[] = [SST, UST, EST];

/** Whether the card can back this service: something to prove, every file present, every feature on. */
export function serviceHolds(tree: FileTree, s: ServiceDecl, features: ReadonlySet<Feature>): boolean {
  const files = s.files ?? [];
  const feats = s.features ?? [];
  if (files.length === 0 && feats.length === 0) return false;
  return files.every((x) => tree.byPath(x.path)?.name === x.name) && feats.every((x) => features.has(x));
}

/** Numbers of the services advertised, ascending. */
export function advertisedServices(tree: FileTree, table: ServiceTableDecl, features: ReadonlySet<Feature>): number[] {
  return table.services.filter((s) => serviceHolds(tree, s, features)).map((s) => s.n);
}

/** The fewest bytes that hold services 1..n of this table (SST: TS 51.011 minimum 2 bytes). */
export function serviceTableBytes(table: ServiceTableDecl, highest: number): number {
  const bytes = Math.ceil((highest * table.bitsPerService) / 8);
  return table.bitsPerService === 2 ? Math.max(2, bytes) : Math.max(1, bytes);
}

/** Encode: SST sets b1 (allocated) and b2 (activated) of each service; UST/EST one bit. */
export function encodeServiceTable(table: ServiceTableDecl, services: readonly number[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (const n of services) {
    const bit = (n - 1) * table.bitsPerService;
    const byte = bit >> 3;
    if (!Number.isInteger(n) || n < 1 || byte >= size) throw new RangeError(`"${table.name}" service n°${n} expected to fit in ${size} bytes`);
    out[byte]! |= (table.bitsPerService === 2 ? 0b11 : 0b1) << (bit & 7);
  }
  return out;
}

/** Decode: the services marked (SST: allocated and activated both set). */
export function decodeServiceTable(table: ServiceTableDecl, bytes: Uint8Array): number[] {
  const out: number[] = [];
  const mask = table.bitsPerService === 2 ? 0b11 : 0b1;
  for (let n = 1; n * table.bitsPerService <= bytes.length * 8; n++) {
    const bit = (n - 1) * table.bitsPerService;
    if (((bytes[bit >> 3]! >> (bit & 7)) & mask) === mask) out.push(n);
  }
  return out;
}

/**
 * The SST, UST and EST contents this card may claim, each sized to its EF in the tree (the
 * declared size; a layout override too small for the advertised services is a RangeError).
 */
export function serviceTables(tree: FileTree, features: ReadonlySet<Feature>): { sst: Uint8Array; ust: Uint8Array; est: Uint8Array } {
  const encode = (t: ServiceTableDecl): Uint8Array => {
    const ef = tree.byPath(t.path);
    if (ef?.ef === undefined) throw new RangeError(`"${t.name}" expected at ${t.path}`);
    return encodeServiceTable(t, advertisedServices(tree, t, features), ef.ef.size);
  };
  return { sst: encode(SST), ust: encode(UST), est: encode(EST) };
}
