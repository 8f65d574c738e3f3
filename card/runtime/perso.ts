/**
 * Personalization helpers shared by applets (GlobalPlatform STORE DATA forwarded by the ISD,
 * cardforge's PERSO_STORE_DATA for the SIM): the strict record parsers (TLV, DGI), the "factory" install argument of a blank applet,
 * and the gate that answers 6985 to every other command until the applet is personalized.
 * They live in the runtime because applets may not import each other.
 */
import { SW } from '../../apdu-specs/status-words.js';
import { GP_STORE_DATA_P1, PERSO_DGI, PERSO_STORE_DATA } from '../../apdu-specs/personalization.js';
import { CardError } from './errors.js';
import { CommandTable, type AppletContext, type Handler, type Reply } from './applet.js';
import type { CommandSpec } from '../../apdu-specs/types.js';
import type { CommandApdu } from './apdu.js';
import type { PBool } from './store.js';
import { readTlvAt, TlvSyntaxError, type TlvItem } from './tlv.js';

/**
 * PERSO_STORE_DATA records: strict BER-TLV (tlv.ts) of one-byte tags and short lengths, no repeated
 * tag; any defect is 6A80.
 */
export function parsePersoTlv(data: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let o = 0;
  while (o < data.length) {
    let r: { item: TlvItem; next: number };
    try {
      r = readTlvAt(data, o, PERSO_TLV);
    } catch (e) {
      if (e instanceof TlvSyntaxError) throw new CardError(SW.WRONG_DATA, `TLV at offset ${e.problem.start}: ${e.problem.kind}`);
      throw e;
    }
    const tag = r.item.tag;
    if (out.has(tag)) throw new CardError(SW.WRONG_DATA, `TLV ${tag.toString(16)} repeated`);
    out.set(tag, r.item.value);
    o = r.next;
  }
  return out;
}

const PERSO_TLV = { oneByteTags: true, shortLengths: true } as const;

/** One data grouping (GP CS 2.3.1 §11.11.2.3 DGI format). */
export interface Dgi {
  readonly dgi: number;
  readonly value: Uint8Array;
}

/** DGIs: DGI (2) ‖ length (1 byte, or FF ‖ 2 bytes) ‖ value; any defect is 6A80. */
export function parseDgis(data: Uint8Array): Dgi[] {
  const out: Dgi[] = [];
  let i = 0;
  while (i < data.length) {
    if (i + 3 > data.length) throw new CardError(SW.WRONG_DATA, `DGI at offset ${i} cut short`);
    const dgi = (data[i]! << 8) | data[i + 1]!;
    let len = data[i + 2]!;
    i += 3;
    if (len === 0xff) {
      if (i + 2 > data.length) throw new CardError(SW.WRONG_DATA, `DGI ${dgi.toString(16)}: length cut short`);
      len = (data[i]! << 8) | data[i + 1]!;
      i += 2;
    }
    if (i + len > data.length) throw new CardError(SW.WRONG_DATA, `DGI ${dgi.toString(16)} runs past the data`);
    out.push({ dgi, value: data.slice(i, i + len) });
    i += len;
  }
  return out;
}

export function encodeDgis(dgis: readonly Dgi[]): Uint8Array {
  const parts: number[] = [];
  for (const { dgi, value } of dgis) {
    parts.push(dgi >> 8, dgi & 0xff);
    if (value.length < 0xff) parts.push(value.length);
    else parts.push(0xff, value.length >> 8, value.length & 0xff);
    parts.push(...value);
  }
  return Uint8Array.from(parts);
}

/**
 * A forwarded STORE DATA block: P1 as the host sent it (b8 last, b7b6 encryption, b5b4 DGI), P2
 * the block number, data the DGIs with their values already decrypted by the security domain when
 * P1 says "encrypted data".
 */
export interface ProcessDataBlock {
  readonly p1: number;
  readonly p2: number;
  readonly data: Uint8Array;
}

/**
 * What Applet.processData receives from the ISD — as GP's Application.processData gets the APDU
 * buffer: the STORE DATA command unwrapped, CLA ‖ INS ‖ P1 ‖ P2 ‖ Lc ‖ data — as a block (6A80 when
 * it is not one short STORE DATA).
 */
export function storeDataBlock(command: Uint8Array): ProcessDataBlock {
  if (command.length < 5 || command[1] !== 0xe2 || command[4] !== command.length - 5) throw new CardError(SW.WRONG_DATA, 'processData expects one STORE DATA command: CLA INS(E2) P1 P2 Lc data');
  return { p1: command[2]!, p2: command[3]!, data: command.subarray(5) };
}

/** The command Applet.processData receives (see storeDataBlock). */
export function storeDataCommand(cla: number, block: ProcessDataBlock): Uint8Array {
  if (block.data.length > 255) throw new CardError(SW.WRONG_DATA, 'STORE DATA block longer than 255 bytes');
  const out = new Uint8Array(5 + block.data.length);
  out.set([cla, 0xe2, block.p1, block.p2, block.data.length]);
  out.set(block.data, 5);
  return out;
}

/**
 * The records of a personalization block in DGI format (apdu-specs/personalization.ts PERSO_DGI):
 * DGI 01TT carries record TT, DGI 81TT a secret record, only in an encrypted command (whose
 * values all came encrypted: a block mixing secrets and the public values they must be checked
 * with, e.g. the ledger's consent and its code, goes as one encrypted command). A secret record
 * as 01TT, 81TT in a clear command, another DGI or a repeated record: 6A80.
 */
export function persoRecordsOfDgis(block: ProcessDataBlock, secret: (tag: number) => boolean): Map<number, Uint8Array> {
  if ((block.p1 & GP_STORE_DATA_P1.STRUCTURE_MASK) !== GP_STORE_DATA_P1.DGI) throw new CardError(SW.WRONG_DATA, 'personalization data in DGI format expected (STORE DATA P1 b5b4 = 01)');
  const enc = block.p1 & GP_STORE_DATA_P1.ENCRYPTION_MASK;
  if (enc !== 0 && enc !== GP_STORE_DATA_P1.ENCRYPTED) throw new CardError(SW.WRONG_DATA, 'STORE DATA P1 b7b6: 00 (clear) or 11 (encrypted with the DEK) expected');
  const encrypted = enc === GP_STORE_DATA_P1.ENCRYPTED;
  const out = new Map<number, Uint8Array>();
  for (const { dgi, value } of parseDgis(block.data)) {
    const high = dgi >> 8;
    const tag = dgi & 0xff;
    if (high !== PERSO_DGI.CLEAR && high !== PERSO_DGI.SECRET) throw new CardError(SW.WRONG_DATA, `DGI ${dgi.toString(16).padStart(4, '0')}: 01xx or 81xx expected`);
    if (high === PERSO_DGI.SECRET && !encrypted) throw new CardError(SW.WRONG_DATA, `DGI ${dgi.toString(16).padStart(4, '0')} is a secret DGI: it goes in an encrypted STORE DATA (P1 b7b6 = 11)`);
    if (secret(tag) && high !== PERSO_DGI.SECRET) throw new CardError(SW.WRONG_DATA, `record ${tag.toString(16)} is secret: DGI 81${tag.toString(16)} in an encrypted STORE DATA`);
    if (out.has(tag)) throw new CardError(SW.WRONG_DATA, `record ${tag.toString(16)} repeated`);
    out.set(tag, value);
  }
  return out;
}

/** The install() argument of a blank applet: exactly `{ factory: … }`. */
export function isFactoryInstall(p: unknown): p is { factory: unknown } {
  return typeof p === 'object' && p !== null && Object.keys(p).length === 1 && 'factory' in p;
}

/**
 * The command table of an applet gated by its blank state: PERSO_STORE_DATA is added, and every
 * other command answers 6985 while blank — the table's guard, which the dispatcher runs after the
 * class, INS and length checks and before the P1-P2 check, so a blank applet answers 6985 whatever
 * P1-P2 and the declarations may be checked by the dispatcher. Both callbacks are read at dispatch
 * (tables are built before the persistent handles exist).
 */
export function personalizedTable(
  specs: readonly CommandSpec[],
  isBlank: () => boolean,
  storeData: Handler,
  handlers: { readonly [name: string]: Handler },
): CommandTable {
  return new CommandTable(specs, { ...handlers, PERSO_STORE_DATA: storeData }, {
    guard: (spec) => {
      if (spec.name !== PERSO_STORE_DATA.name && isBlank()) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'not personalized');
    },
  });
}


export interface PersoBlockCheck {
  /** Every record checked before the first write: the writes to make and the mandatory records present (bit mask). */
  readonly writes: readonly (() => void)[];
  readonly seen: number;
}

/**
 * The block sequence of an applet's personalization: a persistent blank flag, blocks numbered
 * from 0 in P2 and sent in order in one session (RAM), P1 = last block or not, each block checked
 * whole and written in ONE transaction, the last block completing the applet (keys generated,
 * blank flag cleared) in that same transaction. A tear therefore leaves the applet as before or
 * as after each block. The blocks come only through the Issuer Security Domain (processData:
 * INSTALL [for personalization] + STORE DATA under its secure channel, issue 21); the applet's
 * own PERSO_STORE_DATA answers 6982 (real Java Card applets have no ADM1 to open them).
 */
export interface PersoRules {
  /** The record's value is secret (a code, credential or symmetric key): it must come encrypted. */
  secret(tag: number): boolean;
  /** Every record checked before the first write: the writes and the mandatory records present. */
  check(records: Map<number, Uint8Array>): PersoBlockCheck;
  /** Number of mandatory records (bits of `seen`) the last block must have completed. */
  readonly mandatory: number;
  /** What to tell the host when a mandatory record is missing at the last block. */
  readonly missing: string;
  /** Last block, inside its transaction: finish the applet (e.g. generate its key pair). */
  complete(): void;
}

export class PersoBlocks {
  private readonly blankFlag: PBool;
  /** RAM: [0] next block, [1] 1 once block 0 was accepted, [2] mandatory records seen so far. */
  private readonly seq: Uint8Array;

  constructor(private readonly ctx: AppletContext, private readonly rules: PersoRules) {
    this.blankFlag = ctx.persistent.bool('perso.blank');
    this.seq = ctx.transient.bytes('perso.seq', 3, 'deselect');
  }

  get blank(): boolean {
    return this.blankFlag.get();
  }

  /** install({ factory }): the applet starts blank. */
  factory(): void {
    this.blankFlag.set(true);
  }

  /** The PERSO_STORE_DATA handler: the applet is personalized through the ISD only. */
  storeData(_apdu: CommandApdu): Reply {
    if (!this.blank) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'already personalized');
    throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, 'personalize through the Issuer Security Domain: INSTALL [for personalization], then STORE DATA under its secure channel');
  }

  /**
   * A STORE DATA block the ISD forwards (Applet.processData). Block 0 (re)starts the sequence
   * (a bureau retrying after an interrupted run); any other block must be the next one (6A86).
   */
  processData(block: ProcessDataBlock): void {
    const rules = this.rules;
    const last = (block.p1 & GP_STORE_DATA_P1.LAST_BLOCK) !== 0;
    if (!this.blank) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'already personalized');
    const expected = this.seq[1] === 1 ? this.seq[0]! : 0;
    if (block.p2 !== expected && block.p2 !== 0) throw new CardError(SW.INCORRECT_P1P2, `block ${block.p2}, expected ${expected}`);
    const { writes, seen } = rules.check(persoRecordsOfDgis(block, (t) => rules.secret(t)));
    const all = (block.p2 === 0 ? 0 : this.seq[2]!) | seen;
    if (last && all !== (1 << rules.mandatory) - 1) throw new CardError(SW.WRONG_DATA, rules.missing);
    this.ctx.beginTransaction();
    for (const w of writes) w();
    if (last) {
      rules.complete();
      this.blankFlag.set(false);
    }
    this.ctx.commitTransaction();
    this.seq[0] = (block.p2 + 1) & 0xff;
    this.seq[1] = 1;
    this.seq[2] = all;
  }
}
