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

/** A named value of a parameter byte or of a bit field of it. */
export interface ParamValue {
  readonly value: number;
  readonly name: string;
}

/**
 * One field of P1 or P2: the whole byte (mask FF) or some of its bits. The field's value is
 * (byte & mask) shifted down to bit 0. It accepts its named `values`, the span `range` (inclusive,
 * e.g. a record number 1..254), or — `open` — anything (the values then only name: an offset,
 * a value the handler checks against its state). A field with neither values nor range is open.
 */
export interface ParamField {
  /** What the field means: "record number", "SFI", "offset (high byte)"; '' for a byte that is only its named values. */
  readonly name: string;
  /** The bits of the byte the field occupies; default FF. */
  readonly mask?: number;
  readonly values?: readonly ParamValue[];
  readonly range?: readonly [min: number, max: number];
  readonly open?: boolean;
}

/** One parameter byte: its fields (one field FF for a whole byte), every one of which must accept. */
export type ParamByte = readonly ParamField[];

/** P1 and P2 declared together: P2's meaning may depend on P1 (READ BINARY by SFI or by offset). */
export interface P1P2Form {
  readonly p1: ParamByte;
  readonly p2: ParamByte;
}

/**
 * Typed P1-P2 of a command. P1-P2 is valid when one form accepts both bytes; the decoder names
 * them by the first form whose P1 accepts (else the first form).
 */
export interface P1P2Spec {
  readonly forms: readonly P1P2Form[];
  /**
   * The SW for a P1-P2 no form accepts. Default: 6B00 in class A0 (3GPP TS 51.011 §9.4.6
   * "incorrect parameter P1 or P2"), 6A86 otherwise (ISO/IEC 7816-4 §5.6 "incorrect parameters P1-P2").
   */
  readonly sw?: number;
  /**
   * Who refuses a P1-P2 no form accepts: 'dispatcher' (the default), before the handler runs, after
   * the class/INS/case checks; 'handler' when the command's other checks come first (wrong data
   * length, state, access) and the answer must stay theirs — the declaration then only names and
   * documents the values, and the handler keeps its check.
   */
  readonly checkedBy?: 'dispatcher' | 'handler';
  /** Added to the generated text (a dependency a form cannot say, e.g. "cyclic EFs: P1 00, mode 03 only"). */
  readonly note?: string;
}

export interface CommandSpec {
  /** Stable identifier, upper snake case as the spec names it: SELECT, GET_RESPONSE, VERIFY_CHV. */
  readonly name: string;
  readonly cla: ClassPattern;
  readonly ins: number;
  /** Allowed cases. A case-4 command that arrives without Le (T=0) is accepted as case 4. */
  readonly cases: readonly ApduCase[];
  /**
   * What P1 and P2 may be (apdu-specs/p1p2.ts builds them): the dispatcher refuses any other
   * value before the handler runs, the trace decoder names them, the command reference lists
   * them. Absent: any P1-P2, the handler decides.
   */
  readonly p1p2?: P1P2Spec;
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

/** The class patterns every declaration file shares (one definition each). */
/** ISO/IEC 7816-4 §5.4.1 interindustry class, channel and SM bits free ("0X"). */
export const CLASS_00: ClassPattern = cla('0X', 0x00, 0xff);
/** Proprietary class 80 (TS 102.221 §10.1.1, GlobalPlatform, cardforge's applets: "8X"). */
export const CLASS_80: ClassPattern = cla('8X', 0x80, 0xff);
/** The GSM class of TS 51.011 §9.2 ("A0"). */
export const CLASS_A0: ClassPattern = cla('A0', 0xa0, 0xff);
