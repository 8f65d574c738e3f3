/**
 * The shape of a file declaration (pySim style: each file declared once, names as the specs spell
 * them): ISO/IEC 7816-4 §7 file structures, TS 51.011 §9.3 access conditions (ALW / CHV1 / CHV2 /
 * ADM / NEV), mapped to the UICC key references of TS 102.221 §9.5.1 (PIN1 01, PIN2 81, ADM1 0A).
 */
import type { EfCodecName } from './ef-codecs.js';

export const STRUCTURE = {
  TRANSPARENT: 'transparent',
  LINEAR_FIXED: 'linear-fixed',
  CYCLIC: 'cyclic',
} as const;
export type Structure = (typeof STRUCTURE)[keyof typeof STRUCTURE];

/** TS 51.011 §9.3 access condition levels (the nibble values are the GET RESPONSE coding). */
export const AC = { ALW: 0x0, CHV1: 0x1, CHV2: 0x2, ADM: 0x4, NEV: 0xf } as const;
export type AccessCondition = keyof typeof AC;

/** TS 102.221 §9.5.1 key references behind the classic levels. */
export const KEY_REFERENCE = { CHV1: 0x01, CHV2: 0x81, ADM: 0x0a } as const;

export interface AccessConditions {
  readonly read: AccessCondition;
  readonly update: AccessCondition;
  /** INCREASE (cyclic EFs); NEV when absent. */
  readonly increase?: AccessCondition;
  /** INVALIDATE / DEACTIVATE FILE; ADM when absent. */
  readonly invalidate?: AccessCondition;
  /** REHABILITATE / ACTIVATE FILE; ADM when absent. */
  readonly rehabilitate?: AccessCondition;
}

/** A codec turns a content's bytes into something readable and back (simple cases only). */
export interface Codec<T> {
  readonly decode: (bytes: Uint8Array) => T;
  readonly encode: (value: T, size: number) => Uint8Array;
}

export interface EfDecl {
  readonly kind: 'EF';
  /** As the spec spells it: EF_IMSI. */
  readonly name: string;
  readonly fid: number;
  /** Short file identifier (1..30), UICC only. */
  readonly sfi?: number;
  readonly structure: Structure;
  /** Transparent: size in bytes. */
  readonly size?: number;
  /** Record EFs: record length and count. */
  readonly recordLength?: number;
  readonly records?: number;
  readonly access: AccessConditions;
  /** TS 51.011 §9.2.1 byte 12 b3: readable and updatable when invalidated. */
  readonly usableWhenInvalidated?: boolean;
  /** Content before personalization (hex; FF fill when absent). */
  readonly initial?: string;
  /** Name of the EF whose value caps INCREASE (EF_ACM → EF_ACMmax, 0 = no limit). */
  readonly increaseLimit?: string;
  /**
   * The content coding (ef-codecs.ts; look it up with codecOf): the name of the codec when it is
   * not the EF's own name, or `{ none: reason }` for an EF no codec reads. Absent: the codec of
   * the EF's own name.
   */
  readonly codec?: EfCodecName | { readonly none: string };
  readonly description: string;
  readonly ref: string;
}

export interface DfDecl {
  readonly kind: 'MF' | 'DF' | 'ADF';
  readonly name: string;
  /** ADFs are selected by AID; their FID is the 7FFF alias of the current ADF (TS 102.221 §8.3). */
  readonly fid: number;
  readonly aid?: string;
  /** Which world sees it: an ADF exists only for the UICC. */
  readonly uiccOnly?: boolean;
  readonly children: readonly (EfDecl | DfDecl)[];
  readonly description: string;
  readonly ref: string;
}

export type FileDecl = EfDecl | DfDecl;

/**
 * A file a spec makes mandatory (machine-readable list beside each declaration module): its
 * declared name, its path of FIDs from the MF (7FFF = the ADF), its SFI where the spec gives one.
 */
export interface MandatoryFile {
  readonly name: string;
  readonly path: string;
  readonly sfi?: number;
  readonly clause: string;
}
