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
import { Applet, CardError, CommandTable, type AppletContext, type CommandApdu, type Reply } from '../../../card/runtime/index.js';

export const SIM_FACT_AID = 'a000000999030101';

const COMMANDS: readonly CommandSpec[] = [
  { name: 'FAKE_AUTHENTICATE', cla: cla('8X', 0x80, 0xff), ins: 0x88, cases: [1], p1p2: params(anyByte('', v(0x01, "'gsm'"), v(0x02, "'3g'"), v(0x03, "'gsm-context'")), anyByte('ignored')), description: 'set the subscriber-authenticated session fact', ref: 'test' },
];
const VALUES = ['', 'gsm', '3g', 'gsm-context'] as const;

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
    this.ctx.session.set(SESSION_FACTS.SUBSCRIBER_AUTHENTICATED, v);
    return {};
  }
}
