/**
 * Application identifiers named once (ISO/IEC 7816-5; ETSI TS 101 220 Annex E), hex lower case.
 * The card (card/applets/sim), the declarations (applets.ts) and the host tooling (decoder,
 * exporter, importer, prove suites) import them from here.
 */

/**
 * The SIM/USIM applet's instance AID: proprietary RID range F0, 'cardfg' 02 00 01. Deliberately
 * NOT a prefix of (or prefixed by) a USIM AID, so `00 A4 04 04 <USIM AID>` matches no applet and
 * the runtime forwards it to this applet, which selects ADF_USIM.
 */
export const SIM_APPLET_AID = 'f0636172646667020001';

/** 3GPP's RID (ETSI TS 101 220 Annex E). */
export const RID_3GPP = 'a000000087';
/** ETSI's and 3GPP2's RIDs (ETSI TS 101 220 §4.1), the other owners of UICC applications. */
export const RID_ETSI = 'a000000009';
export const RID_3GPP2 = 'a000000343';
/** 3GPP RID and the USIM application code 1002 (TS 101 220 Annex E; TS 31.102): the prefix of every USIM AID. */
export const USIM_AID_PREFIX = `${RID_3GPP}1002`;
/** 3GPP RID and the ISIM application code 1004 (TS 101 220 Annex E; TS 31.103). */
export const ISIM_AID_PREFIX = `${RID_3GPP}1004`;

/** The e-wallet applet's instance AID (card/applets/wallet): proprietary RID range F0, 'cardfg' 05 00 01. */
export const WALLET_AID = 'f0636172646667050001';

/**
 * The Issuer Security Domain's AID (card/applets/isd): GlobalPlatform's RID A000000151 and the
 * ISD's PIX 000000 (GP Card Specification v2.3.1 §H.1, GPC_GUI_010), the AID GlobalPlatformPro
 * selects first. The ISD of `image new` (Java Card style) cards.
 */
export const ISD_AID = 'a000000151000000';

/**
 * The Open Platform 2.0.1 / GlobalPlatform 2.1.1 ISD AID (Visa's RID A000000003, PIX 000000), which
 * many SIM cards keep: the sysmoISIM-SJA2 export (../shared/fixtures, MF/ADF.ISD) shows its ISD
 * there with FCI 6F10 8408A000000003000000 A5049F6501FF, and pySim-shell's ADF.ISD selects exactly
 * this AID. The ISD of profile-built and blank SIMs.
 */
export const OPEN_PLATFORM_ISD_AID = 'a000000003000000';

/** The AIDs at which tools look for an ISD, in GlobalPlatformPro's order. */
export const KNOWN_ISD_AIDS: readonly string[] = [ISD_AID, OPEN_PLATFORM_ISD_AID];

/**
 * The executable load file AID of a built-in or registered applet class that declares none
 * (card/applets/isd: GET STATUS 20/10, INSTALL [for install]): this prefix (F0 'cardfg' FF, the
 * proprietary range) ‖ the first 7 bytes of SHA-256(class type) ‖ 00; its one module: the same
 * with 01 as the last byte.
 */
export const LOAD_FILE_AID_PREFIX = 'f0636172646667ff';
