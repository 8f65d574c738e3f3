/**
 * Test-only stand-in for the SIM applet's side of "identification before payment": one command
 * that sets the card-wide session fact SUBSCRIBER_AUTHENTICATED, as the SIM applet does after a
 * successful RUN GSM ALGORITHM / AUTHENTICATE. Not part of the product (declared here, not in
 * apdu-specs), and it shares nothing with the payment applet but the session-fact declaration. It
 * takes the SIM applet's type name, the fact's owner, since the runtime lets only the owner set it.
 */
import { cla, type CommandSpec } from '../../../apdu-specs/types.js';
import { anyByte, params, v } from '../../../apdu-specs/p1p2.js';
import { SESSION_FACTS } from '../../../apdu-specs/session-facts.js';
import { Applet, bytesToHex, CardError, CommandTable, type AppletContext, type CommandApdu, type Reply } from '../../../card/runtime/index.js';
import { imsiHash } from '../../../card/protocol/index.js';

export const SIM_FACT_AID = 'a000000999030101';

const COMMANDS: readonly CommandSpec[] = [
  { name: 'FAKE_AUTHENTICATE', cla: cla('8X', 0x80, 0xff), ins: 0x88, cases: [1, 3], p1p2: params(anyByte('', v(0x01, "'gsm'"), v(0x02, "'3g'"), v(0x03, "'gsm-context'")), anyByte('ignored')), description: 'set the subscriber-authenticated session fact', ref: 'test' },
];
const VALUES = ['', 'gsm', '3g', 'gsm-context'] as const;
/** The subscriber the stand-in claims (its IMSI hash goes with the RAND, as the SIM applet publishes it). */
export const SIM_FACT_IMSI = '208019999999999';
/** The RAND the stand-in records when the command carries none. */
export const SIM_FACT_DEFAULT_RAND = new Uint8Array(16).fill(0x11);

export class SimFactApplet extends Applet {
  /** The fact's owner, the SIM applet's type: only the SIM's type may set SUBSCRIBER_AUTHENTICATED. */
  static readonly type = SESSION_FACTS.SUBSCRIBER_AUTHENTICATED.owner;
  override readonly multiSelectable = true;
  readonly commands = new CommandTable(COMMANDS, { FAKE_AUTHENTICATE: (a) => this.auth(a) });
  constructor(ctx: AppletContext) {
    super(ctx);
  }
  private auth(a: CommandApdu): Reply {
    const v = VALUES[a.p1];
    if (v === undefined || v === '') throw new CardError(0x6a86);
    // Data, when given: the 16-byte RAND "answered" (the real SIM applet records the one it ran A3/AKA on).
    if (a.data.length !== 0 && a.data.length !== 16) throw new CardError(0x6700);
    this.ctx.session.set(SESSION_FACTS.AUTHENTICATION_RAND, bytesToHex(a.data.length ? a.data : SIM_FACT_DEFAULT_RAND));
    this.ctx.session.set(SESSION_FACTS.SUBSCRIBER_IMSI_HASH, bytesToHex(imsiHash(SIM_FACT_IMSI)));
    this.ctx.session.set(SESSION_FACTS.SUBSCRIBER_AUTHENTICATED, v);
    return {};
  }
}
