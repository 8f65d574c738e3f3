/**
 * The SIM/USIM applet's state, shared by the command families (file-ops, pin-ops, auth):
 * the declared file system and its contents, the secret codes (TS 51.011 §9.3 CHV1/CHV2 with
 * UNBLOCK CHV1/CHV2 and ADM1; TS 102.221 §9.5.1 PIN1 01, PIN2 81, ADM1 0A — the same OwnerPins
 * answer both worlds), the keys and algorithm choice, the SQN array (TS 33.102 Annex C), and the
 * selection (transient: cleared on reset and deselect). Keys and PIN values live outside the
 * selectable file system: no command reads them.
 */
import { SW } from '../../../apdu-specs/status-words.js';
import { FileStore } from '../../fs/store.js';
import { FileTree, type FsNode } from '../../fs/tree.js';
import type { NibbleOf, PinFacts } from '../../fs/responses.js';
import { classicRule, compactRule, condNibble, expandedRule, satisfies, type Cond, type FileOp } from '../../fs/security.js';
import type { AccessCondition } from '../../fs/types.js';
import { CardError, MAX_CHANNELS, OwnerPin, readU16, writeU16, type AppletContext, type PBytes } from '../../runtime/index.js';
import { SQN_DEFAULT_PARAMS, type MilenageKernel, type SqnParams } from '../../algorithms/index.js';
import { SIM_PERSONALITIES, USIM_AID, SimConfigError, type SimParams, type SimPersonality } from './types.js';

/** SW set of one world: classic (TS 51.011 §9.4) or UICC (TS 102.221 §10.2). */
export interface WorldSw {
  readonly gsm: boolean;
  readonly notFound: number;
  readonly noEf: number;
  readonly outOfRange: number;
  readonly incompatible: number;
  readonly security: number;
  readonly invalidated: number;
  readonly wrongP1P2: number;
  readonly recordNotFound: number;
  readonly patternNotFound: number;
  readonly wrongData: number;
}

export const GSM_SW: WorldSw = {
  gsm: true, notFound: SW.GSM_FILE_NOT_FOUND, noEf: SW.GSM_NO_EF_SELECTED, outOfRange: SW.GSM_OUT_OF_RANGE, incompatible: SW.GSM_FILE_INCONSISTENT,
  security: SW.GSM_ACCESS_NOT_FULFILLED, invalidated: SW.GSM_CONTRADICTION_INVALIDATION, wrongP1P2: SW.WRONG_P1P2, recordNotFound: SW.GSM_OUT_OF_RANGE,
  patternNotFound: SW.GSM_FILE_NOT_FOUND, wrongData: SW.GSM_FILE_INCONSISTENT,
};
export const UICC_SW: WorldSw = {
  gsm: false, notFound: SW.FILE_NOT_FOUND, noEf: SW.COMMAND_NOT_ALLOWED_NO_EF, outOfRange: SW.WRONG_P1P2, incompatible: SW.COMMAND_INCOMPATIBLE_WITH_FILE,
  security: SW.SECURITY_STATUS_NOT_SATISFIED, invalidated: SW.CONDITIONS_NOT_SATISFIED, wrongP1P2: SW.INCORRECT_P1P2, recordNotFound: SW.RECORD_NOT_FOUND,
  patternNotFound: SW.RECORD_NOT_FOUND, wrongData: SW.WRONG_DATA,
};

const SEL_SLOT = 7;

export const ALG3G = { milenage: 1, xor: 2 } as const;
export const ALG2G = { comp128v1: 1, comp128v2: 2, comp128v3: 3, 'gsm-milenage': 4, xor2g: 5 } as const;

/** SimCore.authCache. */
export interface SimAuthCache {
  generation: number;
  journalLength: number;
  /** SQN_MS of the SQN array (packedSqnMs), -1 when not computed under this stamp. */
  sqnMs: number;
  /** Milenage's expanded K and OPc (Ki and OPc are cells too). */
  kernel: MilenageKernel | undefined;
  /** SHA-256 of EF_IMSI's digits, hex (the SUBSCRIBER_IMSI_HASH session fact). */
  imsiHex: string | undefined;
}

export class SimCore {
  readonly personality: SimPersonality;
  readonly tree: FileTree;
  readonly fs: FileStore;
  readonly sqnParams: SqnParams;
  readonly chv1: OwnerPin;
  readonly puk1: OwnerPin;
  readonly chv2: OwnerPin;
  readonly puk2: OwnerPin;
  readonly adm1: OwnerPin;
  readonly ki: PBytes;
  readonly opc: PBytes;
  /** [3G algorithm, 2G algorithm, GSM-Milenage SRES derivation]. */
  readonly algs: PBytes;
  /** SEQ_MS(i) for every IND i, 6 bytes each (TS 33.102 Annex C.2.2). */
  readonly sqnArray: PBytes;
  /**
   * What AUTHENTICATE derives from persistent cells, kept per SIM (auth.ts, issue 20: O(1) SQN
   * freshness and no per-command key lookup): valid only while the memory's generation and
   * open-journal length are the ones recorded here (PersistentMemory.generation explains why that
   * pair proves every cell unchanged). sqnMs -1, kernel and imsiHex undefined: not computed yet.
   */
  readonly authCache: SimAuthCache = { generation: -1, journalLength: -1, sqnMs: -1, kernel: undefined, imsiHex: undefined };
  /**
   * Selection, one slot per logical channel (TS 102.221 §8.5: each channel has its own current
   * DF/ADF, EF and record pointer): [0..1] current DF index, [2..3] current EF index + 1,
   * [4] record pointer, [5..6] current ADF index + 1.
   */
  private readonly sel: Uint8Array;

  constructor(readonly ctx: AppletContext, params: SimParams) {
    const p = params ?? {};
    const personality = p.personality ?? 'both';
    if (!SIM_PERSONALITIES.includes(personality)) throw new SimConfigError('personality', `expected classic, uicc or both, got ${String(personality)}`);
    this.personality = personality;
    this.sqnParams = sqnParamsOf(p.sqn);
    if (p.tree !== undefined) {
      if (p.files !== undefined) throw new SimConfigError('files', 'size overrides apply to the declared tree, not to an imported one');
      if (p.tree.flavour === 'classic' && personality !== 'classic') throw new SimConfigError('personality', `a classic SIM's file system (GSM responses) makes a classic card, not ${personality}`);
    }
    this.tree = p.tree !== undefined ? new FileTree(p.tree) : new FileTree(USIM_AID, p.files ?? {});
    this.fs = new FileStore(ctx, this.tree);
    const s = ctx.persistent.scope('sim');
    const t = ctx.transient;
    this.chv1 = new OwnerPin(s, t, 'chv1', { tryLimit: 3, maxLength: 8 });
    this.puk1 = new OwnerPin(s, t, 'puk1', { tryLimit: 10, maxLength: 8 });
    this.chv2 = new OwnerPin(s, t, 'chv2', { tryLimit: 3, maxLength: 8 });
    this.puk2 = new OwnerPin(s, t, 'puk2', { tryLimit: 10, maxLength: 8 });
    this.adm1 = new OwnerPin(s, t, 'adm1', { tryLimit: 3, maxLength: 8 });
    this.ki = s.bytes('ki', 16);
    this.opc = s.bytes('opc', 16);
    this.algs = s.bytes('algs', 3);
    this.sqnArray = s.bytes('sqn', 6 * 2 ** this.sqnParams.indBits);
    this.sel = t.bytes('selection', SEL_SLOT * MAX_CHANNELS, 'deselect');
  }

  // ---- selection (of the channel the command arrived on: ctx.channel()) ----
  private get at(): number {
    return this.ctx.channel() * SEL_SLOT;
  }
  get currentDf(): FsNode {
    const o = this.at;
    return this.tree.nodes[readU16(this.sel, o)]!;
  }
  get currentEf(): FsNode | undefined {
    const o = this.at;
    const i = readU16(this.sel, o + 2);
    return i === 0 ? undefined : this.tree.nodes[i - 1];
  }
  get currentAdf(): FsNode | undefined {
    const o = this.at;
    const i = readU16(this.sel, o + 5);
    return i === 0 ? undefined : this.tree.nodes[i - 1];
  }
  get recordPointer(): number {
    return this.sel[this.at + 4]!;
  }
  set recordPointer(r: number) {
    this.sel[this.at + 4] = r;
  }

  /** Make `n` current: a DF becomes the current directory; an EF the current EF (its parent the directory). */
  selectNode(n: FsNode): void {
    const o = this.at;
    const df = n.ef ? n.parent! : n;
    writeU16(this.sel, o, df.index);
    writeU16(this.sel, o + 2, n.ef ? n.index + 1 : 0);
    this.sel[o + 4] = 0;
    if (df.kind === 'ADF') {
      writeU16(this.sel, o + 5, df.index + 1);
    }
  }

  /** The channel starts at the MF with no application (power-up, SELECT of the applet, MANAGE CHANNEL from channel 0). */
  resetSelection(): void {
    const o = this.at;
    this.sel.fill(0, o, o + SEL_SLOT);
  }

  /** MANAGE CHANNEL from channel `origin`: the new channel starts from origin's DF/ADF (TS 102.221 §11.1.17.2). */
  copySelection(origin: number): void {
    const o = this.at;
    const from = origin * SEL_SLOT;
    this.sel.copyWithin(o, from, from + SEL_SLOT);
    // The current DF and application carry over; the current EF and record pointer do not.
    this.sel.fill(0, o + 2, o + 5);
  }

  // ---- access ----
  satisfied(c: AccessCondition): boolean {
    switch (c) {
      case 'ALW':
        return true;
      case 'CHV1':
        return !this.chv1.enabled || this.chv1.isValidated;
      case 'CHV2':
        return !this.chv2.enabled || this.chv2.isValidated;
      case 'ADM':
        return this.adm1.isValidated;
      default:
        return false;
    }
  }

  require(c: AccessCondition, w: WorldSw): void {
    if (!this.satisfied(c)) throw new CardError(w.security, `access condition ${c} not fulfilled`);
  }

  /** Whether `op` on EF `n` is allowed now: its declared condition, or an imported file's own security attributes. */
  allowed(n: FsNode, op: FileOp): boolean {
    if (n.info === undefined) return this.satisfied(n.ef!.access[op]);
    return satisfies(this.ruleOf(n, op), (k) => this.keyOk(k));
  }

  requireOp(n: FsNode, op: FileOp, w: WorldSw): void {
    if (!this.allowed(n, op)) throw new CardError(w.security, `${op} of ${n.name}: access condition not fulfilled`);
  }

  /** TS 51.011 nibble of `op` on `n` for the classic view (an imported UICC file: the closest level). */
  nibbleOf(n: FsNode): NibbleOf | undefined {
    return n.info === undefined ? undefined : (op) => condNibble(this.ruleOf(n, op));
  }

  /** An imported file's condition for `op`, from its security attributes (EF_ARR records read live). */
  ruleOf(n: FsNode, op: FileOp): Cond {
    const sec = n.info?.security;
    switch (sec?.kind) {
      case 'classic':
        return classicRule(sec.nibbles, op);
      case 'compact':
        return compactRule(sec.bytes, op);
      case 'expanded':
        return expandedRule(sec.bytes, op);
      case 'referenced': {
        const arr = this.arrFile(n, sec.arrFid);
        if (arr === undefined || sec.record === 0 || sec.record > arr.ef!.records) return 'never';
        return expandedRule(this.fs.readRecord(arr, sec.record), op);
      }
      default:
        return 'never';
    }
  }

  /**
   * The EF_ARR an 8B reference names: looked for in the file's DF, then up to the MF, then in the
   * first ADF (the USIM) and the current application's (TS 102.221 §9.2.4 leaves the location to
   * the card; a sysmoISIM-SJA2's DF_GSM and DF_TELECOM files reference the USIM's EF_ARR 6F06,
   * whichever application a channel has selected).
   */
  private arrFile(n: FsNode, fid: number): FsNode | undefined {
    const isArr = (c: FsNode): boolean => c.fid === fid && c.ef !== undefined && c.ef.structure === 'linear-fixed';
    for (let d: FsNode | null = n.ef ? n.parent : n; d !== null; d = d.parent) {
      const f = d.children.find(isArr);
      if (f) return f;
    }
    for (const adf of [this.tree.adfs[0], this.currentAdf]) {
      const f = adf?.children.find(isArr);
      if (f) return f;
    }
    return undefined;
  }

  /** A key reference verified (or, for a PIN, disabled) now: 01/11 PIN1, 81 PIN2, 0A ADM1 (TS 102.221 §9.5.1). */
  private keyOk(key: number): boolean {
    if (key === 0x01 || key === 0x11) return this.satisfied('CHV1');
    if (key === 0x81) return this.satisfied('CHV2');
    if (key === 0x0a) return this.adm1.isValidated;
    return false;
  }

  pinFacts(): PinFacts {
    return {
      chv1Enabled: this.chv1.enabled, chv1Tries: this.chv1.triesRemaining, puk1Tries: this.puk1.triesRemaining,
      chv2Tries: this.chv2.triesRemaining, puk2Tries: this.puk2.triesRemaining, chv2Enabled: this.chv2.enabled, admEnabled: true,
    };
  }
}

function sqnParamsOf(sqn: SimParams['sqn']): SqnParams {
  if (sqn === undefined) return SQN_DEFAULT_PARAMS;
  const indBits = sqn.indBits ?? SQN_DEFAULT_PARAMS.indBits;
  if (!Number.isInteger(indBits) || indBits < 0 || indBits > 8) throw new SimConfigError('sqn.indBits', `expected 0..8, got ${String(indBits)}`);
  const delta = sqn.delta ?? SQN_DEFAULT_PARAMS.delta;
  if (!Number.isInteger(delta) || delta < 1) throw new SimConfigError('sqn.delta', `expected a positive integer, got ${String(delta)}`);
  if (sqn.limit !== undefined && (!Number.isInteger(sqn.limit) || sqn.limit < 1)) throw new SimConfigError('sqn.limit', `expected a positive integer, got ${String(sqn.limit)}`);
  return sqn.limit === undefined ? { indBits, delta } : { indBits, delta, limit: sqn.limit };
}
