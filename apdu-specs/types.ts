/**
 * The shape of a command declaration. apdu-specs/ is data: it imports nothing but these types,
 * and the card's dispatcher, the trace decoder and the generated command reference all read it.
 */

/** A class byte pattern: the CLA matches when (cla & mask) === value. */
export interface ClassPattern {
  readonly value: number;
  readonly mask: number;
  /** Human form, e.g. "0X" (interindustry, channel bits free), "A0", "8X". */
  readonly text: string;
}

/** ISO 7816-3 / 7816-4 command cases: 1 no data/no Le, 2 Le only, 3 data only, 4 data and Le. */
export type ApduCase = 1 | 2 | 3 | 4;

export interface FieldSpec {
  readonly name: string;
  /** Fixed length in bytes, or 'rest' for the remainder. */
  readonly length: number | 'rest';
  readonly description?: string;
  /** Legitimately random or time-dependent: masked when replayed traces are compared. */
  readonly random?: boolean;
  /** A secret (PIN, key): masked in traces and logs unless explicitly revealed. */
  readonly secret?: boolean;
  /**
   * Computed with the card's secret key (SRES, Kc, RES, CK, IK, AUTS): the same command gives
   * another value on a card personalized with another Ki/K. Not masked (unlike `random`): a replay
   * reports it as a key-dependent difference, and counts it only when asked to (replay option
   * `maskKeyDependent`: compare a trace against a differently keyed card).
   */
  readonly keyDependent?: boolean;
}

export interface CommandSpec {
  /** Stable identifier, upper snake case as the spec names it: SELECT, GET_RESPONSE, VERIFY_CHV. */
  readonly name: string;
  readonly cla: ClassPattern;
  readonly ins: number;
  /** Allowed cases. A case-4 command that arrives without Le (T=0) is accepted as case 4. */
  readonly cases: readonly ApduCase[];
  readonly p1p2?: string;
  readonly description: string;
  /** Spec clause, e.g. "ISO/IEC 7816-4 §11.1.1". */
  readonly ref: string;
  readonly command?: readonly FieldSpec[];
  readonly response?: readonly FieldSpec[];
}

export type SwCategory = 'normal' | 'warning' | 'execution-error' | 'checking-error' | 'proprietary';

export interface StatusWordSpec {
  /** The SW value; with mask, the pattern (e.g. 0x63c0 with mask 0xfff0 for 63Cx). */
  readonly sw: number;
  readonly mask: number;
  /** Short constant name, e.g. WRONG_LENGTH. */
  readonly name: string;
  readonly category: SwCategory;
  readonly description: string;
  readonly ref: string;
}

/** Helper for writing class patterns in declarations. */
export function cla(text: string, value: number, mask: number): ClassPattern {
  return { text, value, mask };
}
