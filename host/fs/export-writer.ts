/**
 * Writing a card's files as a pySim-shell `export` script (the format pysim-export.ts reads; issue
 * 13): what `cardforge image dump` produces. One entry per file, in the order given (the walk's),
 * as pySim-shell writes them:
 *
 *   # directory: MF/DF.GSM/EF.LP (3f00/7f20/6f05)      names and FIDs; an ADF shows its AID
 *   # file: EF.LP (6f05)                                ADFs say (None), as pySim does
 *   # structure: transparent                            EFs only
 *   # RAW FCP Template: 621e8202…                       the select response, byte for byte
 *   select MF/DF.GSM/EF.LP
 *   update_binary ffffffffff                            or update_record <n> <hex>, each record
 *   # bad file: MF/DF.GSM/EF.LP, SW match failed! …     the card refused the read
 *
 * and a closing summary. Also the names the export gives files: the card/fs declarations' names
 * (EF_IMSI → EF.IMSI) where the FID path is declared, else the well-known FIDs of TS 102.221 §13,
 * TS 51.011 §10, TS 31.102 §4.2/§4.4, TS 31.103 §4.2 (spelled as pySim spells them, so a dump
 * reads like pySim's export of the same card), else a name made of the FID ('EF.6F99').
 */
import { adfUsim, masterFile, type DfDecl, type EfDecl } from '../../card/fs/index.js';
import { bytesToHex } from '../../card/runtime/index.js';
import type { EfStructure } from './fcp.js';
import { ISIM_AID_PREFIX, USIM_AID_PREFIX } from '../../apdu-specs/index.js';

export interface ExportEntry {
  /** Names from the MF: ['MF', 'DF.GSM', 'EF.LP']. */
  readonly names: readonly string[];
  /** The directory line's IDs from the MF: FIDs, an ADF's AID (hex, any case). */
  readonly ids: readonly string[];
  readonly kind: 'MF' | 'DF' | 'ADF' | 'EF';
  /** EF only. */
  readonly structure?: EfStructure;
  /** The select response as the card sent it (FCP template 62, GSM response, or an applet's FCI 6F). */
  readonly fcp: Uint8Array;
  /** EF contents; absent when unread (see `bad`) or not exportable (BER-TLV). */
  readonly contents?: { readonly binary: Uint8Array } | { readonly records: readonly Uint8Array[] };
  /** Why the contents could not be read: "SW match failed! Expected 9000 and got 6982: …". */
  readonly bad?: string;
  /** One comment line after the select (e.g. why a BER-TLV EF has no contents). */
  readonly note?: string;
}

export interface ExportHeader {
  /** Comment lines at the top, without the '# '. */
  readonly lines: readonly string[];
}

const RULE = '#'.repeat(80);
const banner = (title: string): string[] => [RULE, `# ${title.padEnd(76)} #`, RULE];

/** The export text of `entries` (parseable by parsePysimExport). */
export function writePysimExport(entries: readonly ExportEntry[], header: ExportHeader): string {
  const out: string[] = header.lines.map((l) => `# ${l}`);
  const bad: string[] = [];
  for (const e of entries) {
    const path = e.names.join('/');
    const last = e.names[e.names.length - 1]!;
    const id = e.ids[e.ids.length - 1]!.toLowerCase();
    out.push(...banner(path), `# directory: ${path} (${e.ids.map((i) => i.toLowerCase()).join('/')})`);
    out.push(`# file: ${last} (${e.kind === 'ADF' ? 'None' : id})`);
    if (e.kind === 'EF') out.push(`# structure: ${e.structure}`);
    out.push(`# RAW FCP Template: ${bytesToHex(e.fcp).toLowerCase()}`, `select ${path}`);
    if (e.kind === 'MF') out.push(`# MF(${id}) has no exportable contents`);
    else if (e.kind === 'DF') out.push(`# DF(${last}) has no exportable contents`);
    else if (e.kind === 'ADF') out.push(`# ADF(${last}) has no exportable features`);
    if (e.note) out.push(`# ${e.note}`);
    const c = e.contents;
    if (c && 'binary' in c) out.push(c.binary.length ? `update_binary ${bytesToHex(c.binary)}` : 'update_binary');
    else if (c) c.records.forEach((r, i) => out.push(`update_record ${i + 1} ${bytesToHex(r)}`));
    if (e.bad) {
      out.push(`# bad file: ${path}, ${e.bad}`);
      bad.push(`${path}, ${e.bad}`);
    }
    out.push('#');
  }
  out.push(...banner('Export summary'), `# total files visited: ${entries.length}`, `# bad files:           ${bad.length}`, ...bad.map((b) => `#  ${b}`), '');
  return out.join('\n');
}

// ---- names -------------------------------------------------------------------------------------

/**
 * Well-known files by the DF they sit in (the DF's names below the MF, '' = the MF): FID and name.
 * Sources: TS 102.221 §13 (MF: EF_DIR, ICCID, PL, ARR, UMPC); TS 51.011 §10.1, §10.3 (DF_GSM),
 * §10.5 (DF_TELECOM), §10.6 (DF_GRAPHICS); TS 31.102 §4.2 (ADF_USIM), §4.4.2 (DF_PHONEBOOK),
 * §4.4.3 (DF_GSM-ACCESS), §4.4.5 (DF_WLAN), §4.4.6 (DF_HNB), §4.4.8 (DF_ProSe), §4.4.11 (DF_5GS),
 * §4.6.x (DF_MCS, DF_V2X under DF_TELECOM); TS 31.103 §4.2 (ADF_ISIM); 3GPP2 C.S0023 (DF_CDMA).
 * 'sysmocom' marks the proprietary files of sysmocom's cards (DF.SYSTEM A515, the AFxx key files;
 * pySim's sysmocom_sja2 profile names them) — outside the ranges a scan covers, so listed here.
 */
const WELL_KNOWN: Readonly<Record<string, string>> = {
  '': '2F00 EF.DIR 2FE2 EF.ICCID 2F05 EF.PL 2F06 EF.ARR 2F08 EF.UMPC 7F10 DF.TELECOM 7F20 DF.GSM 7F21 DF.DCS1800 7F25 DF.CDMA'
    + ' A515 DF.SYSTEM', // sysmocom
  'DF.GSM': '6F05 EF.LP 6F07 EF.IMSI 6F20 EF.Kc 6F30 EF.PLMNsel 6F31 EF.HPPLMN 6F37 EF.ACMmax 6F38 EF.SST 6F39 EF.ACM 6F3E EF.GID1'
    + ' 6F3F EF.GID2 6F46 EF.SPN 6F41 EF.PUCT 6F45 EF.CBMI 6F74 EF.BCCH 6F78 EF.ACC 6F7B EF.FPLMN 6F7E EF.LOCI 6FAD EF.AD 6FAE EF.Phase'
    + ' 6FB1 EF.VGCS 6FB2 EF.VGCSS 6FB3 EF.VBS 6FB4 EF.VBSS 6FB5 EF.eMLPP 6FB6 EF.AAeM 6F48 EF.CBMID 6FB7 EF.ECC 6F50 EF.CBMIR'
    + ' 6F2C EF.DCK 6F32 EF.CNL 6F51 EF.NIA 6F52 EF.KcGPRS 6F53 EF.LOCIGPRS 6F54 EF.SUME 6F60 EF.PLMNwAcT 6F61 EF.OPLMNwAcT'
    + ' 6F62 EF.HPLMNwAcT 6F63 EF.CPBCCH 6F64 EF.InvScan 6FC5 EF.PNN 6FC6 EF.OPL 6FC7 EF.MBDN 6FC9 EF.MBI 6FCA EF.MWIS 6FCB EF.CFIS'
    + ' 6FC8 EF.EXT6 6FCC EF.EXT7 6FCD EF.SPDI 6FCE EF.MMSN 6FCF EF.EXT8 6FD0 EF.MMSICP 6FD1 EF.MMSUP 6FD2 EF.MMSUCP',
  'DF.TELECOM': '6F3A EF.ADN 6F3B EF.FDN 6F3C EF.SMS 6F3D EF.CCP 6F4F EF.ECCP 6F40 EF.MSISDN 6F42 EF.SMSP 6F43 EF.SMSS 6F44 EF.LND'
    + ' 6F49 EF.SDN 6F4A EF.EXT1 6F4B EF.EXT2 6F4C EF.EXT3 6F4D EF.BDN 6F4E EF.EXT4 6F47 EF.SMSR 6F58 EF.CMI'
    + ' 5F3A DF.PHONEBOOK 5F3B DF.MULTIMEDIA 5F3D DF.MCS 5F3E DF.V2X 5F50 DF.GRAPHICS',
  'DF.TELECOM/DF.PHONEBOOK': '4F30 EF.PBR 4F22 EF.PSC 4F23 EF.CC 4F24 EF.PUID',
  'DF.TELECOM/DF.MULTIMEDIA': '4F47 EF.MML 4F48 EF.MMDF',
  'DF.TELECOM/DF.MCS': '4F01 EF.MST 4F02 EF.MCS_CONFIG',
  'DF.TELECOM/DF.V2X': '4F01 EF.VST 4F02 EF.V2X_CONFIG',
  'DF.TELECOM/DF.GRAPHICS': '4F20 EF.IMG',
  'DF.CDMA': '6F32 EF.CST 6F41 EF.SPN 6F43 EF.AD 6F3C EF.SMS',
  'DF.SYSTEM': '6F01 EF.CHV1 6F81 EF.CHV2 6F0A EF.ADM1 6F0B EF.ADM2 6F0C EF.ADM3 6F0D EF.ADM4 6F21 EF.MILENAGE_CFG 6F22 EF.0348_KEY'
    + ' AF24 EF.SIM_AUTH_COUNTER 6F20 EF.SIM_AUTH_KEY 6F23 EF.0348_COUNT 6F26 EF.GP_COUNT 6F27 EF.GP_DIV_DATA', // sysmocom
  'ADF.USIM': '6F05 EF.LI 6F07 EF.IMSI 6F08 EF.Keys 6F09 EF.KeysPS 6F60 EF.PLMNwAcT 6F31 EF.HPPLMN 6F37 EF.ACMmax 6F38 EF.UST'
    + ' 6F39 EF.ACM 6F3E EF.GID1 6F3F EF.GID2 6F46 EF.SPN 6F41 EF.PUCT 6F45 EF.CBMI 6F78 EF.ACC 6F7B EF.FPLMN 6F7E EF.LOCI 6FAD EF.AD'
    + ' 6F48 EF.CBMID 6FB7 EF.ECC 6F50 EF.CBMIR 6F73 EF.PSLOCI 6F3B EF.FDN 6F3C EF.SMS 6F40 EF.MSISDN 6F42 EF.SMSP 6F43 EF.SMSS'
    + ' 6F49 EF.SDN 6F4B EF.EXT2 6F4C EF.EXT3 6F47 EF.SMSR 6F80 EF.ICI 6F81 EF.OCI 6F82 EF.ICT 6F83 EF.OCT 6F4E EF.EXT5 6F4F EF.CCP2'
    + ' 6FB5 EF.eMLPP 6FB6 EF.AAeM 6F4D EF.BDN 6F55 EF.EXT4 6F58 EF.CMI 6F56 EF.EST 6F57 EF.ACL 6F2C EF.DCK 6F32 EF.CNL'
    + ' 6F5B EF.START-HFN 6F5C EF.THRESHOLD 6F61 EF.OPLMNwAcT 6F62 EF.HPLMNwAcT 6F06 EF.ARR 6F65 EF.RPLMNAcTD 6FC4 EF.NETPAR'
    + ' 6FC5 EF.PNN 6FC6 EF.OPL 6FC7 EF.MBDN 6FC8 EF.EXT6 6FC9 EF.MBI 6FCA EF.MWIS 6FCB EF.CFIS 6FCC EF.EXT7 6FCD EF.SPDI'
    + ' 6FCE EF.MMSN 6FCF EF.EXT8 6FD0 EF.MMSICP 6FD1 EF.MMSUP 6FD2 EF.MMSUCP 6FD3 EF.NIA 6FB1 EF.VGCS 6FB2 EF.VGCSS 6FB3 EF.VBS'
    + ' 6FB4 EF.VBSS 6FD4 EF.VGCSCA 6FD5 EF.VBSCA 6FD6 EF.GBABP 6FD7 EF.MSK 6FD8 EF.MUK 6FDA EF.GBANL 6FD9 EF.EHPLMN 6FDB EF.EHPLMNPI'
    + ' 6FDD EF.NAFKCA 6FDE EF.SPNI 6FDF EF.PNNI 6FE2 EF.NCP-IP 6FE3 EF.EPSLOCI 6FE4 EF.EPSNSC 6FE6 EF.UFC 6FE8 EF.NASCONFIG'
    + ' 6FEC EF.PWS 6FED EF.FDNURI 6FEE EF.BDNURI 6FEF EF.SDNURI 6FF1 EF.IPS 6FF3 EF.ePDGId 6FF4 EF.ePDGSelection 6FF5 EF.ePDGIdEm'
    + ' 6FF6 EF.ePDGSelectionEm 6FF7 EF.FromPreferred 6FF8 EF.IMSConfigData 6FFC EF.XCAPConfigData 6FFE EF.MuDMiDConfigData'
    + ' 6F01 EF.eAKA 6F02 EF.OCST 6F0A EF.GBAUAPI 6F0B EF.IMSDCI'
    + ' 5F3A DF.PHONEBOOK 5F3B DF.GSM-ACCESS 5F3C DF.MExE 5F40 DF.WLAN 5F50 DF.HNB 5F70 DF.SoLSA 5F90 DF.ProSe 5FA0 DF.ACDC'
    + ' 5FB0 DF.TV 5FC0 DF.5GS 5FD0 DF.SAIP 5FE0 DF.SNPN 5FF0 DF.5G_ProSe 5FF1 DF.5MBSUECONFIG'
    + ' AF20 EF.USIM_AUTH_KEY AF22 EF.USIM_AUTH_KEY_2G AF30 EF.USIM_SQN AF31 EF.GBA_SK AF32 EF.GBA_REC_LIST AF33 EF.GBA_INT_KEY', // sysmocom
  'ADF.USIM/DF.PHONEBOOK': '4F30 EF.PBR 4F22 EF.PSC 4F23 EF.CC 4F24 EF.PUID',
  'ADF.USIM/DF.GSM-ACCESS': '4F20 EF.Kc 4F52 EF.KcGPRS 4F63 EF.CPBCCH 4F64 EF.InvScan',
  'ADF.USIM/DF.WLAN': '4F41 EF.Pseudo 4F42 EF.UPLMNWLAN 4F43 EF.OPLMNWLAN 4F44 EF.UWSIDL 4F45 EF.OWSIDL 4F46 EF.WRI 4F47 EF.HWSIDL'
    + ' 4F48 EF.WEHPLMNPI 4F49 EF.WHPI 4F4A EF.WLRPLMN 4F4B EF.HPLMNDAI',
  'ADF.USIM/DF.HNB': '4F81 EF.ACSGL 4F82 EF.CSGT 4F83 EF.HNBN 4F84 EF.OCSGL 4F85 EF.OCSGT 4F86 EF.OHNBN',
  'ADF.USIM/DF.ProSe': '4F01 EF.PROSE_MON 4F02 EF.PROSE_ANN 4F03 EF.PROSEFUNC 4F04 EF.PROSE_RADIO_COM 4F05 EF.PROSE_RADIO_MON'
    + ' 4F06 EF.PROSE_RADIO_ANN 4F07 EF.PROSE_POLICY 4F08 EF.PROSE_PLMN 4F09 EF.PROSE_GC 4F10 EF.PST 4F11 EF.UIRC'
    + ' 4F12 EF.PROSE_GM_DISCOVERY 4F13 EF.PROSE_RELAY 4F14 EF.PROSE_RELAY_DISCOVERY',
  'ADF.USIM/DF.5GS': '4F01 EF.5GS3GPPLOCI 4F02 EF.5GSN3GPPLOCI 4F03 EF.5GS3GPPNSC 4F04 EF.5GSN3GPPNSC 4F05 EF.5GAUTHKEYS 4F06 EF.UAC_AIC'
    + ' 4F07 EF.SUCI_Calc_Info 4F08 EF.OPL5G 4F09 EF.SUPI_NAI 4F0A EF.Routing_Indicator 4F0B EF.URSP 4F0C EF.TN3GPPSNN 4F0D EF.CAG'
    + ' 4F0E EF.SOR-CMCI 4F0F EF.DRI 4F10 EF.5GSEDRX 4F11 EF.5GNSWO_CONF 4F15 EF.MCHPPLMN 4F16 EF.KAUSF_DERIVATION',
  'ADF.ISIM': '6F02 EF.IMPI 6F03 EF.DOMAIN 6F04 EF.IMPU 6FAD EF.AD 6F06 EF.ARR 6F07 EF.IST 6F09 EF.P-CSCF 6FD5 EF.GBABP 6FD7 EF.GBANL'
    + ' 6FDD EF.NAFKCA 6F3C EF.SMS 6F43 EF.SMSS 6F47 EF.SMSR 6F42 EF.SMSP 6FE7 EF.UICCIARI 6FF7 EF.FromPreferred 6FF8 EF.IMSConfigData'
    + ' 6FFC EF.XCAPConfigData 6FFA EF.WebRTCURI 6FFE EF.MuDMiDConfigData 6F0A EF.GBAUAPI 6F0B EF.IMSDCI'
    + ' AF20 EF.ISIM_AUTH_KEY AF22 EF.ISIM_AUTH_KEY_2G AF30 EF.ISIM_SQN', // sysmocom
};

/** TS 101 220 Annex E: 3GPP's RID A000000087 with the application codes of TS 31.102 / 31.103. */
const ADF_NAMES: readonly (readonly [prefix: string, name: string])[] = [[USIM_AID_PREFIX.toUpperCase(), 'ADF.USIM'], [ISIM_AID_PREFIX.toUpperCase(), 'ADF.ISIM']];

/** 'EF_START-HFN' → 'EF.START-HFN': card/fs spells '.' as '_' after the kind (data.ts). */
const exportName = (declName: string): string => declName.replace(/^(MF|DF|ADF|EF)_/, '$1.');

/** The card/fs declarations: the names of every declared FID path, by DF context. */
function declaredNames(): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const add = (ctx: string, d: DfDecl): void => {
    const m = out.get(ctx) ?? new Map<string, string>();
    out.set(ctx, m);
    for (const c of d.children as readonly (EfDecl | DfDecl)[]) {
      const name = exportName(c.name);
      if (c.kind === 'ADF') continue; // ADFs are named by AID
      m.set(hex4(c.fid), name);
      if (c.kind !== 'EF') add(ctx ? `${ctx}/${name}` : name, c);
    }
  };
  add('', masterFile(USIM_AID_PREFIX.toUpperCase()).mf);
  add('ADF.USIM', adfUsim(USIM_AID_PREFIX.toUpperCase()));
  return out;
}

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

function buildNames(): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [ctx, list] of Object.entries(WELL_KNOWN)) {
    const tok = list.trim().split(/\s+/);
    const m = new Map<string, string>();
    for (let i = 0; i < tok.length; i += 2) m.set(tok[i]!, tok[i + 1]!);
    out.set(ctx, m);
  }
  for (const [ctx, m] of declaredNames()) {
    const known = out.get(ctx) ?? new Map<string, string>();
    out.set(ctx, known);
    for (const [fid, name] of m) known.set(fid, name); // the declarations win where both name a FID
  }
  return out;
}

const NAMES = buildNames();

/**
 * The files the specs name below a DF, FID → name, in the order listed. `ctx`: the DF's names
 * below the MF joined by '/' ('' for the MF, 'DF.TELECOM/DF.PHONEBOOK', 'ADF.USIM').
 */
export function wellKnownFiles(ctx: string): ReadonlyMap<string, string> {
  return NAMES.get(ctx) ?? new Map();
}

/** An ADF's name from its AID (upper-case hex). */
export function adfName(aid: string): string {
  const a = aid.toUpperCase();
  return ADF_NAMES.find(([p]) => a.startsWith(p))?.[1] ?? `ADF.${a}`;
}

/** A name for a FID no table knows: 'DF.5F99' / 'EF.6F99'. */
export function fidName(kind: 'DF' | 'EF', fid: string): string {
  return `${kind}.${fid.toUpperCase()}`;
}
