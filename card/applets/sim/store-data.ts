/**
 * Personalization of the SIM/USIM applet over APDUs (issue 8; apdu-specs/personalization.ts):
 * - the factory state: install({ factory: { adm1 } }) formats what no APDU can write (EF_ARR,
 *   UPDATE = NEV) and sets the ADM1 transport key, as a card vendor ships a programmable SIM;
 * - PERSO_STORE_DATA: keys, algorithm choice, SQN seed and PINs as BER-TLV records, under ADM1,
 *   each block checked whole and applied in one transaction; the last block sets "personalized"
 *   and the command is refused (6985) from then on. Files are written with ordinary UPDATE
 *   BINARY / UPDATE RECORD by the host, as on a real card.
 * The values are written by the same runtime calls as install() (personalize.ts), so the two
 * paths give the same persistent memory (test/profile/apdu-personalize.test.ts).
 */
import { SIM_PERSO_TAGS as TAG, PERSO_P1 } from '../../../apdu-specs/personalization.js';
import { SW } from '../../../apdu-specs/status-words.js';
import { CardError, hexToBytes, isFactoryInstall, parsePersoTlv, type CommandApdu, type PU8, type Reply } from '../../runtime/index.js';
import { seedSqn } from './auth.js';
import { ALG2G, ALG3G, type SimCore } from './core.js';
import { SimConfigError } from './types.js';

export const PERSO_STATE = { BLANK: 0x00, PERSONALIZED: 0x01 } as const;

/** Install-time factory values of a blank programmable SIM. */
export interface SimFactory {
  /** ADM1 transport key: 8 digits (ASCII) or 16 hex digits (raw, trailing FF dropped). */
  readonly adm1: string;
}

/** ADM1 as VERIFY presents it (personalize.ts admOf): 8 ASCII digits, or 16 hex digits raw without trailing FF. */
export function factoryAdm(v: unknown): Uint8Array {
  if (typeof v === 'string' && /^[0-9a-fA-F]{16}$/.test(v)) {
    const raw = hexToBytes(v);
    let n = raw.length;
    while (n > 0 && raw[n - 1] === 0xff) n--;
    if (n > 0) return raw.slice(0, n);
  }
  if (typeof v === 'string' && /^\d{8}$/.test(v)) return new TextEncoder().encode(v);
  throw new SimConfigError('factory.adm1', `expected 8 digits or 16 hex digits (not all FF), got ${JSON.stringify(v)}`);
}

/** install() argument of the factory state: exactly { factory: { adm1 } }. */
export function isFactory(p: unknown): p is { factory: SimFactory } {
  return isFactoryInstall(p);
}

const isDigits = (v: Uint8Array, min: number, max: number): boolean => v.length >= min && v.length <= max && v.every((c) => c >= 0x30 && c <= 0x39);

export class SimPerso {
  private readonly state: PU8;
  /** RAM: [0] next expected block number, [1] 1 once block 0 was accepted in this session. */
  private readonly seq: Uint8Array;

  constructor(private readonly core: SimCore) {
    this.state = core.ctx.persistent.scope('perso').u8('state');
    this.seq = core.ctx.transient.bytes('perso.seq', 2);
  }

  get personalized(): boolean {
    return this.state.get() === PERSO_STATE.PERSONALIZED;
  }

  /** install(): the offline path ends personalized too, so both paths end in the same state. */
  markPersonalized(): void {
    this.state.set(PERSO_STATE.PERSONALIZED);
  }

  /** install({ factory }): every EF_ARR (never updatable) and the ADM1 transport key; state blank. */
  factory(f: SimFactory): void {
    const adm1 = factoryAdm(f.adm1);
    for (const { node, rules } of this.core.tree.arrs) {
      const len = node.ef!.recordLength;
      this.core.fs.initialise(node, new Uint8Array(0));
      rules.forEach((rule, i) => {
        const full = new Uint8Array(len).fill(0xff);
        full.set(rule);
        this.core.fs.writeRecord(node, i + 1, full);
      });
    }
    this.core.adm1.update(adm1);
    this.core.adm1.reset();
  }

  storeData(apdu: CommandApdu): Reply {
    // P1 is 10 or 90 (the declaration, apdu-specs/personalization.ts).
    const last = apdu.p1 === PERSO_P1.LAST_BLOCK;
    if (this.personalized) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'already personalized');
    if (!this.core.adm1.isValidated) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, 'VERIFY ADM1 first');
    const expected = this.seq[1] === 1 ? this.seq[0]! : 0;
    if (apdu.p2 !== expected) throw new CardError(SW.INCORRECT_P1P2, `block ${apdu.p2}, expected ${expected}`);
    const rec = parsePersoTlv(apdu.data);
    const apply = this.check(rec);
    const c = this.core;
    c.ctx.beginTransaction();
    apply();
    if (last) this.state.set(PERSO_STATE.PERSONALIZED);
    c.ctx.commitTransaction();
    this.seq[0] = (apdu.p2 + 1) & 0xff;
    this.seq[1] = 1;
    return {};
  }

  /** Every record checked before the first write; returns the writes. */
  private check(rec: Map<number, Uint8Array>): () => void {
    const c = this.core;
    const writes: (() => void)[] = [];
    const known = new Set<number>(Object.values(TAG));
    for (const t of rec.keys()) if (!known.has(t)) throw new CardError(SW.WRONG_DATA, `unknown tag ${t.toString(16)}`);
    const fixed = (tag: number, n: number): Uint8Array | undefined => {
      const v = rec.get(tag);
      if (v !== undefined && v.length !== n) throw new CardError(SW.WRONG_DATA, `tag ${tag.toString(16)}: ${n} bytes expected`);
      return v;
    };
    const ki = fixed(TAG.KI, 16);
    const opc = fixed(TAG.OPC, 16);
    const algs = fixed(TAG.ALGORITHMS, 3);
    if (algs && (!Object.values<number>(ALG3G).includes(algs[0]!) || !Object.values<number>(ALG2G).includes(algs[1]!) || (algs[2] !== 1 && algs[2] !== 2))) throw new CardError(SW.WRONG_DATA, 'algorithms');
    const sqn = fixed(TAG.SQN, 6);
    const en = fixed(TAG.CHV1_ENABLED, 1);
    if (en && en[0]! > 1) throw new CardError(SW.WRONG_DATA, 'CHV1 enabled flag');
    const pins: [number, number, number, (v: Uint8Array) => void][] = [
      [TAG.CHV1, 4, 8, (v) => c.chv1.update(v)],
      [TAG.PUK1, 8, 8, (v) => c.puk1.update(v)],
      [TAG.CHV2, 4, 8, (v) => c.chv2.update(v)],
      [TAG.PUK2, 8, 8, (v) => c.puk2.update(v)],
    ];
    if (ki) writes.push(() => c.ki.set(ki));
    if (opc) writes.push(() => c.opc.set(opc));
    if (algs) writes.push(() => c.algs.set(algs.slice()));
    if (sqn) writes.push(() => seedSqn(c, sqn.reduce((v, b) => v * 256 + b, 0)));
    for (const [tag, min, max, set] of pins) {
      const v = rec.get(tag);
      if (v === undefined) continue;
      if (!isDigits(v, min, max)) throw new CardError(SW.WRONG_DATA, `tag ${tag.toString(16)}: ${min}..${max} digits expected`);
      writes.push(() => set(v.slice()));
    }
    // After CHV1's own update (which enables it), as install() orders it.
    if (en) writes.push(() => c.chv1.setEnabled(en[0] === 1));
    const adm = rec.get(TAG.ADM1);
    if (adm !== undefined) {
      if (adm.length < 1 || adm.length > 8) throw new CardError(SW.WRONG_DATA, 'ADM1: 1..8 bytes expected');
      // A new ADM1 ends this ADM session: the host sends it in the last block.
      writes.push(() => c.adm1.update(adm.slice()));
    }
    return () => {
      for (const w of writes) w();
    };
  }
}
