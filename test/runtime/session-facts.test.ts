/**
 * Typed, owned session facts (apdu-specs/session-facts.ts, card/runtime/session.ts): any applet
 * reads a fact, only its owner applet type sets it. A write by another applet is an applet bug:
 * refused before any change, the command answers 6F00 and the card goes on.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { cla, type CommandSpec } from '../../apdu-specs/types.js';
import { params, oneOf, v, ZERO } from '../../apdu-specs/p1p2.js';
import { SESSION_FACTS, sessionFact, type SubscriberAuthentication } from '../../apdu-specs/session-facts.js';
import { Applet, CommandTable, SessionFactOwnerError, SessionState, type AppletContext, type CommandApdu, type Reply } from '../../card/runtime/index.js';
import { SIM_APPLET_TYPE } from '../../card/applets/sim/types.js';
import { testCard, tx, selectHex, TEST_AID, TEST_FACT } from '../helpers/test-applets.js';

const WRITER_AID = 'a000000999050101';
const WRITER_FACT = sessionFact<number>('test.fact-writer', 'test.writer.count');

const COMMANDS: readonly CommandSpec[] = [
  { name: 'WRITE', cla: cla('8X', 0x80, 0xff), ins: 0x40, cases: [1], p1p2: params(oneOf('fact', v(0x00, 'own fact'), v(0x01, 'the test applet\'s fact'), v(0x02, 'the SIM\'s ADM1 fact')), ZERO), description: 'set a session fact', ref: 'test' },
  { name: 'READ', cla: cla('8X', 0x80, 0xff), ins: 0x42, cases: [2], description: "the test applet's fact", ref: 'test' },
];

class FactWriter extends Applet {
  static readonly type = 'test.fact-writer';
  readonly commands = new CommandTable(COMMANDS, { WRITE: (a) => this.write(a), READ: () => this.read() });
  constructor(ctx: AppletContext) {
    super(ctx);
  }
  private write(a: CommandApdu): Reply {
    if (a.p1 === 0) this.ctx.session.set(WRITER_FACT, (this.ctx.session.get(WRITER_FACT) ?? 0) + 1);
    else if (a.p1 === 1) this.ctx.session.set(TEST_FACT, 'forged');
    else this.ctx.session.set(SESSION_FACTS.ADM1_VERIFIED, true);
    return {};
  }
  private read(): Reply {
    return { data: new TextEncoder().encode(this.ctx.session.get(TEST_FACT) ?? '') };
  }
}

function card() {
  const c = testCard();
  c.install(FactWriter, { aid: WRITER_AID });
  return c;
}

describe('session facts', () => {
  it("the owner sets its fact and another applet reads it", () => {
    const c = card();
    tx(c, selectHex(TEST_AID));
    expect(tx(c, '803a0000026869')).toBe('9000');
    tx(c, selectHex(WRITER_AID));
    expect(tx(c, '8042000000')).toBe('68699000');
    expect(c.snapshot().session.get(TEST_FACT.key)).toBe('hi');
  });

  it("a write to another applet type's fact answers 6F00 and changes nothing", () => {
    const c = card();
    tx(c, selectHex(TEST_AID));
    tx(c, '803a0000026869');
    tx(c, selectHex(WRITER_AID));
    const before = c.snapshot().session;
    expect(tx(c, '80400100')).toBe('6f00');
    expect(tx(c, '80400200')).toBe('6f00');
    expect(c.snapshot().session).toEqual(before);
    expect(c.snapshot().session.has(SESSION_FACTS.ADM1_VERIFIED.key)).toBe(false);
    expect(tx(c, '8042000000')).toBe('68699000');
    // The card goes on, and the writer still sets its own fact.
    expect(tx(c, '80400000')).toBe('9000');
    expect(tx(c, '80400000')).toBe('9000');
    expect(c.snapshot().session.get(WRITER_FACT.key)).toBe(2);
  });

  it('the runtime checks the owner by applet type and throws SessionFactOwnerError', () => {
    const s = new SessionState();
    expect(() => s.viewFor('test.fact-writer').set(SESSION_FACTS.ADM1_VERIFIED, true)).toThrow(SessionFactOwnerError);
    expect(s.map.size).toBe(0);
    s.viewFor(SIM_APPLET_TYPE).set(SESSION_FACTS.ADM1_VERIFIED, true);
    expect(s.viewFor('cardforge.payment').get(SESSION_FACTS.ADM1_VERIFIED)).toBe(true);
  });

  it('reads are typed by the declaration', () => {
    const s = new SessionState();
    const sim = s.viewFor(SIM_APPLET_TYPE);
    sim.set(SESSION_FACTS.SUBSCRIBER_AUTHENTICATED, '3g');
    const reader = s.viewFor('cardforge.payment');
    const auth = reader.get(SESSION_FACTS.SUBSCRIBER_AUTHENTICATED);
    expectTypeOf(auth).toEqualTypeOf<SubscriberAuthentication | undefined>();
    expectTypeOf(reader.get(SESSION_FACTS.ADM1_VERIFIED)).toEqualTypeOf<boolean | undefined>();
    expect(auth).toBe('3g');
    expect(reader.get(SESSION_FACTS.CARDHOLDER_VERIFIED)).toBeUndefined();
    // @ts-expect-error: the value type is the declaration's
    expect(() => sim.set(SESSION_FACTS.ADM1_VERIFIED, '1')).not.toThrow();
  });

  it("the SIM facts' owner is the SIM applet's type", () => {
    for (const f of Object.values(SESSION_FACTS)) expect(f.owner).toBe(SIM_APPLET_TYPE);
  });
});
