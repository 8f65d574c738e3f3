/** Result shapes shared by several algorithm files. */

/** A3/A8 output (GSM security context, TS 43.020 §3.2 / §4.2). */
export interface GsmAuthOutput {
  /** SRES, 4 bytes. */
  readonly sres: Uint8Array;
  /** Kc, 8 bytes. */
  readonly kc: Uint8Array;
}

/** f2..f5 outputs (names as in TS 33.102 §6.3.2). */
export interface F2345Output {
  /** f2: RES / XRES (8 bytes for MILENAGE, 4..16 for the XOR test algorithm). */
  readonly res: Uint8Array;
  /** f3: CK, 16 bytes. */
  readonly ck: Uint8Array;
  /** f4: IK, 16 bytes. */
  readonly ik: Uint8Array;
  /** f5: AK, 6 bytes. */
  readonly ak: Uint8Array;
}

/** f1 and f1* outputs. */
export interface F1Output {
  /** f1: MAC-A / XMAC-A, 8 bytes. */
  readonly macA: Uint8Array;
  /** f1*: MAC-S / XMAC-S, 8 bytes. */
  readonly macS: Uint8Array;
}

/** Every output of one run of an f1..f5* set. */
export interface AkaOutput extends F1Output, F2345Output {
  /** f5*: AK used for resynchronisation, 6 bytes. */
  readonly akStar: Uint8Array;
}

/**
 * One subscriber's f1..f5* (TS 33.102 §6.3.2), keys bound in: what the AKA procedures of aka.ts
 * and auts.ts run over, whichever algorithm (MILENAGE or the XOR test algorithm) is behind it.
 */
export interface AkaFunctions {
  readonly algorithm: string;
  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): F1Output;
  f2345(rand: Uint8Array): F2345Output;
  f5star(rand: Uint8Array): Uint8Array;
}
