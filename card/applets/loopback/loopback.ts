/**
 * Loopback applet: a diagnostic applet for transports, benchmarks and runtime tests.
 * Commands are declared in apdu-specs/loopback.ts. TX3 is the reference "3 writes in one
 * transaction" command used by the tear tests and the transaction benchmark.
 */
import { cryptoOf } from '../../algorithms/provider.js';
import { LOOPBACK_COMMANDS } from '../../../apdu-specs/loopback.js';
import { SW } from '../../../apdu-specs/status-words.js';
import { Applet, CommandTable, CardError, type AppletContext, type CommandApdu, type Reply, type PU8 } from '../../runtime/index.js';

const FIXED = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
/** FIXED16's reply, made once (the trivial throughput command allocates nothing in the applet). */
const FIXED_REPLY: Reply = Object.freeze({ data: FIXED });

export class LoopbackApplet extends Applet {
  static readonly type = 'cardforge.loopback';
  override readonly extendedLength = true;
  override readonly multiSelectable = true;
  private readonly a: PU8;
  private readonly b: PU8;
  private readonly c: PU8;

  readonly commands = new CommandTable(LOOPBACK_COMMANDS, {
    ECHO: (apdu) => this.echo(apdu),
    FIXED16: () => FIXED_REPLY,
    SHA256: (apdu) => ({ data: cryptoOf(this.ctx).sha256(apdu.data) }),
    TX3: (apdu) => this.tx3(apdu),
    READ_STATE: () => this.readState(),
    GET_CHALLENGE: (apdu) => ({ data: this.ctx.rng.fill(new Uint8Array(apdu.ne)) }),
    THROW: () => {
      throw new Error('deliberate internal error');
    },
  });

  constructor(ctx: AppletContext) {
    super(ctx);
    const s = ctx.persistent;
    this.a = s.u8('a');
    this.b = s.u8('b');
    this.c = s.u8('c');
  }

  private echo(apdu: CommandApdu): Reply {
    if (apdu.apduCase === 2) return { data: Uint8Array.from({ length: apdu.ne }, (_, i) => i & 0xff) };
    // Case 3 form is a case-4 echo whose Le was not sent (T=0): the data is held for GET RESPONSE.
    return { data: apdu.data.slice() };
  }

  private tx3(apdu: CommandApdu): Reply {
    if (apdu.data.length !== 3) throw new CardError(SW.WRONG_LENGTH);
    if (apdu.p1 !== 0x00 && apdu.p1 !== 0x01) throw new CardError(SW.INCORRECT_P1P2);
    this.ctx.beginTransaction();
    this.a.set(apdu.data[0]!);
    this.b.set(apdu.data[1]!);
    if (apdu.p1 === 0x01) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'requested failure after two writes');
    this.c.set(apdu.data[2]!);
    this.ctx.commitTransaction();
    return {};
  }

  private readState(): Reply {
    return { data: Uint8Array.of(this.a.get(), this.b.get(), this.c.get()) };
  }
}
