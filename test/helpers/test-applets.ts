/**
 * Applets used only by the runtime tests: each exercises one runtime rule (PIN, transactions,
 * transient memory, selection refusal). Their command declarations live here, not in apdu-specs/,
 * because they are not part of the product.
 */
import { cla, type CommandSpec } from '../../apdu-specs/types.js';
import { anyByte, bits, params, v } from '../../apdu-specs/p1p2.js';
import {
  Applet, CommandTable, CardError, OwnerPin, hexToBytes, Card, type AppletContext, type CommandApdu, type Reply, type PU8, type PBytes,
} from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { sessionFact } from '../../apdu-specs/session-facts.js';

const C00 = cla('0X', 0x00, 0xff);
const C80 = cla('8X', 0x80, 0xff);
const REF = 'test';

export const TEST_AID = 'a000000999010101';
export const TEST_AID_2 = 'a000000999010102';
export const REFUSING_AID = 'a000000999020101';

/** The session fact TestApplet's SESSION command sets (case 3) and reads (case 2). */
export const TEST_FACT = sessionFact<string>('test.applet', 'test.fact');

export const TEST_COMMANDS: readonly CommandSpec[] = [
  { name: 'VERIFY', cla: C00, ins: 0x20, cases: [1, 3], description: 'verify the PIN (empty: retry query)', ref: REF },
  { name: 'UNBLOCK', cla: C00, ins: 0x2c, cases: [3], description: 'PUK (8) || new PIN', ref: REF },
  { name: 'GUARDED', cla: C80, ins: 0x30, cases: [2], description: 'needs the PIN', ref: REF },
  { name: 'SET4', cla: C80, ins: 0x32, cases: [3], p1p2: params([bits(0x01, 'nested begin'), bits(0x02, 'leave open'), bits(0x04, 'throw TypeError after writes'), bits(0x08, 'non-atomic write of x inside')], anyByte('ignored')), description: 'write w,x,y,z in one transaction', ref: REF },
  { name: 'READ4', cla: C80, ins: 0x34, cases: [2], description: 'read w,x,y,z', ref: REF },
  { name: 'PLAIN_WRITE', cla: C80, ins: 0x36, cases: [3], description: 'two writes outside any transaction', ref: REF },
  { name: 'TRANSIENT', cla: C80, ins: 0x38, cases: [2, 3], description: 'case 3: store into reset/deselect RAM; case 2: read both', ref: REF },
  { name: 'SESSION', cla: C80, ins: 0x3a, cases: [2, 3], description: 'case 3: set a session fact; case 2: read it', ref: REF },
  { name: 'ONE_SHOT', cla: C80, ins: 0x3c, cases: [2], p1p2: params(anyByte('', v(0x00, 'read only'), v(0x01, 'spend the RAM token (ctx.stateChanged())'), v(0x02, 'signal, then fail 6985')), anyByte('ignored')), description: '4 bytes: token, 1 2 3', ref: REF },
  { name: 'GSM_ECHO', cla: cla('A0', 0xa0, 0xff), ins: 0x10, cases: [2, 4], description: 'GSM class: case 4 echo; case 2: 4 bytes', ref: REF },
];

export class TestApplet extends Applet {
  static readonly type = 'test.applet';
  readonly pin: OwnerPin;
  readonly puk: OwnerPin;
  private readonly w: PU8;
  private readonly x: PU8;
  private readonly y: PU8;
  private readonly z: PU8;
  private readonly p: PBytes;
  private readonly ramReset: Uint8Array;
  private readonly ramDeselect: Uint8Array;
  /** RAM: how many ONE_SHOT tokens were spent. */
  private readonly token: Uint8Array;
  selects = 0;
  deselects = 0;

  readonly commands = new CommandTable(TEST_COMMANDS, {
    VERIFY: (a) => this.verify(a),
    UNBLOCK: (a) => this.unblock(a),
    GUARDED: () => {
      if (!this.pin.isValidated) throw new CardError(0x6982);
      return { data: Uint8Array.of(0x42) };
    },
    SET4: (a) => this.set4(a),
    READ4: () => ({ data: Uint8Array.of(this.w.get(), this.x.get(), this.y.get(), this.z.get()) }),
    PLAIN_WRITE: (a) => {
      this.p.setAt(0, a.data.subarray(0, 1));
      this.p.setAt(1, a.data.subarray(1, 2));
      return {};
    },
    TRANSIENT: (a) => {
      if (a.apduCase === 2) return { data: Uint8Array.of(this.ramReset[0]!, this.ramDeselect[0]!) };
      this.ramReset[0] = a.data[0]!;
      this.ramDeselect[0] = a.data[0]!;
      return {};
    },
    ONE_SHOT: (a) => {
      const data = Uint8Array.of(this.token[0]!, 1, 2, 3);
      if (a.p1 === 0x01) {
        this.token[0] = this.token[0]! + 1;
        this.ctx.stateChanged();
      }
      if (a.p1 === 0x02) {
        this.ctx.stateChanged();
        throw new CardError(0x6985);
      }
      return { data };
    },
    GSM_ECHO: (a) => ({ data: a.apduCase === 2 ? Uint8Array.of(1, 2, 3, 4) : a.data.slice() }),
    SESSION: (a) => {
      if (a.apduCase === 2) return { data: new TextEncoder().encode(this.ctx.session.get(TEST_FACT) ?? '') };
      this.ctx.session.set(TEST_FACT, new TextDecoder().decode(a.data));
      return {};
    },
  });

  constructor(ctx: AppletContext) {
    super(ctx);
    this.pin = new OwnerPin(ctx.persistent, ctx.transient, 'pin', { tryLimit: 3, maxLength: 8, clearOn: 'deselect' });
    this.puk = new OwnerPin(ctx.persistent, ctx.transient, 'puk', { tryLimit: 10, maxLength: 8 });
    const s = ctx.persistent;
    this.w = s.u8('w');
    this.x = s.u8('x');
    this.y = s.u8('y');
    this.z = s.u8('z');
    this.p = s.bytes('p', 2);
    this.ramReset = ctx.transient.bytes('ramReset', 1, 'reset');
    this.ramDeselect = ctx.transient.bytes('ramDeselect', 1, 'deselect');
    this.token = ctx.transient.bytes('token', 1, 'reset');
  }

  override install(): void {
    this.pin.update(new TextEncoder().encode('1234'));
    this.puk.update(new TextEncoder().encode('12345678'));
  }

  override select(): Reply {
    this.selects++;
    return { data: hexToBytes('6f03840101') };
  }

  override deselect(): void {
    this.deselects++;
  }

  private verify(a: CommandApdu): Reply {
    if (a.data.length === 0) {
      if (this.pin.isValidated) return {};
      return { sw: 0x63c0 | this.pin.triesRemaining };
    }
    if (this.pin.blocked) throw new CardError(0x6983);
    if (this.pin.check(a.data)) return {};
    const left = this.pin.triesRemaining;
    throw new CardError(left === 0 ? 0x6983 : 0x63c0 | left);
  }

  private unblock(a: CommandApdu): Reply {
    if (a.data.length < 9) throw new CardError(0x6700);
    if (this.puk.blocked) throw new CardError(0x6983);
    if (!this.puk.check(a.data.subarray(0, 8))) throw new CardError(0x63c0 | this.puk.triesRemaining);
    this.pin.unblock(a.data.subarray(8));
    return {};
  }

  private set4(a: CommandApdu): Reply {
    if (a.data.length !== 4) throw new CardError(0x6700);
    this.ctx.beginTransaction();
    if (a.p1 & 0x01) this.ctx.beginTransaction(); // nested: a bug → 6F00
    this.w.set(a.data[0]!);
    if (a.p1 & 0x08) this.x.setNonAtomic(a.data[1]!);
    else this.x.set(a.data[1]!);
    this.y.set(a.data[2]!);
    if (a.p1 & 0x04) throw new TypeError('bug after writes');
    this.z.set(a.data[3]!);
    if (a.p1 & 0x02) return {}; // left open: the runtime aborts it
    this.ctx.commitTransaction();
    return {};
  }
}

/** An applet whose select() refuses. */
export class RefusingApplet extends Applet {
  static readonly type = 'test.refusing';
  readonly commands = new CommandTable([], {});
  override select(): Reply {
    throw new CardError(0x6999);
  }
}

/** A card with loopback (default), two test applet instances and a refusing applet. */
export function testCard(opts: ConstructorParameters<typeof Card>[0] = {}): Card {
  const card = new Card(opts);
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  card.install(TestApplet, { aid: TEST_AID });
  card.install(TestApplet, { aid: TEST_AID_2 });
  card.install(RefusingApplet, { aid: REFUSING_AID });
  card.powerOn();
  return card;
}

/** Send hex, get hex (lower case, no spaces). */
export function tx(card: Card, hex: string): string {
  const r = card.transmit(hexToBytes(hex));
  return Buffer.from(r).toString('hex');
}

export function selectHex(aid: string, channel = 0): string {
  const cla = channel < 4 ? channel : 0x40 | (channel - 4);
  return `${cla.toString(16).padStart(2, '0')}a40400${(aid.length / 2).toString(16).padStart(2, '0')}${aid}`;
}
