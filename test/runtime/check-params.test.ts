/**
 * checkParams (card/runtime/applet.ts, issue 17): a handler checks P1-P2 against the declaration
 * the dispatcher matched, at the point it chooses; and a table's guard (the not-personalized gate)
 * answers after the length checks and before the dispatcher's P1-P2 check.
 */
import { describe, expect, it } from 'vitest';
import { oneOf, params, v, within, P1P2_ZERO } from '../../apdu-specs/p1p2.js';
import { PERSO_STORE_DATA } from '../../apdu-specs/personalization.js';
import { cla, type CommandSpec } from '../../apdu-specs/types.js';
import { Applet, Card, CardError, checkParams, CommandTable, bytesToHex, hexToBytes, personalizedTable, type AppletContext, type AppletParams } from '../../card/runtime/index.js';

const C80 = cla('8X', 0x80, 0xff);
/** Data length (2) first, then P1-P2 by the handler. */
const LATE: CommandSpec = {
  name: 'LATE', cla: C80, ins: 0x30, cases: [3], description: 'length first', ref: 'test',
  p1p2: params(oneOf('step', v(1, 'one'), v(2, 'two')), within('slot', 1, 4), { sw: 0x6a81, checkedBy: 'handler' }),
};
/** P1-P2 by the dispatcher. */
const EARLY: CommandSpec = { name: 'EARLY', cla: C80, ins: 0x32, cases: [1], description: 'dispatcher-checked', ref: 'test', p1p2: P1P2_ZERO };

class Gated extends Applet {
  static readonly type = 'test.check-params';
  blank = true;
  readonly seen: string[] = [];
  readonly commands = personalizedTable([LATE, EARLY, PERSO_STORE_DATA], () => this.blank, () => {
    this.blank = false;
    return {};
  }, {
    LATE: (a, spec) => {
      this.seen.push(spec.name);
      if (a.data.length !== 2) throw new CardError(0x6700);
      checkParams(a, spec);
      return {};
    },
    EARLY: (_a, spec) => {
      this.seen.push(spec.name);
      return {};
    },
  });
  constructor(ctx: AppletContext, p: AppletParams = {}) {
    super(ctx, p);
  }
}

function card(): { card: Card; applet: Gated } {
  const c = new Card();
  c.install(Gated, { aid: 'a000000999030201', default: true });
  c.powerOn();
  return { card: c, applet: c.selectedOn(0)!.applet as Gated };
}
const send = (c: Card, hex: string): string => bytesToHex(c.transmit(hexToBytes(hex.replace(/\s+/g, ''))));

describe('checkParams', () => {
  it('throws the declared SW, 6B00 in class A0 by default, 6A86 otherwise; nothing when accepted or undeclared', () => {
    const sw = (spec: CommandSpec, p1: number, p2: number): number | undefined => {
      try {
        checkParams({ p1, p2 }, spec);
        return undefined;
      } catch (e) {
        return (e as CardError).sw;
      }
    };
    expect(sw(LATE, 1, 4)).toBeUndefined();
    expect(sw(LATE, 3, 4)).toBe(0x6a81); // checkedBy: 'handler' does not stop the handler's own check
    expect(sw(LATE, 1, 5)).toBe(0x6a81);
    expect(sw(EARLY, 0, 1)).toBe(0x6a86);
    expect(sw({ ...EARLY, cla: cla('A0', 0xa0, 0xff) }, 1, 0)).toBe(0x6b00);
    const { p1p2: _none, ...undeclared } = EARLY;
    expect(sw(undeclared, 0x12, 0x34)).toBeUndefined();
  });

  it('a handler gets the matched declaration and checks P1-P2 after its length check', () => {
    const { card: c, applet } = card();
    applet.blank = false;
    expect(send(c, '80 30 07 09 01 00')).toBe('6700'); // wrong length and wrong P1: length first
    expect(send(c, '80 30 07 01 02 00 00')).toBe('6a81');
    expect(send(c, '80 30 02 04 02 00 00')).toBe('9000');
    expect(applet.seen).toEqual(['LATE', 'LATE', 'LATE']);
  });

  it('the not-personalized guard answers 6985 before the P1-P2 check, after the length checks', () => {
    const { card: c, applet } = card();
    expect(send(c, '80 32 01 00')).toBe('6985'); // wrong P1, blank: the gate first
    expect(send(c, '80 30 07 01 02 00 00')).toBe('6985');
    expect(send(c, '80 32 00 00 01 00')).toBe('6700'); // case 3 to a case-1 command: length before the gate
    expect(applet.seen).toEqual([]);
    expect(send(c, '80 db 90 00 01 c1')).toBe('9000'); // PERSO STORE DATA is not gated
    expect(send(c, '80 32 01 00')).toBe('6a86'); // personalized: the dispatcher's P1-P2 check
    expect(applet.seen).toEqual([]);
    expect(send(c, '80 32 00 00')).toBe('9000');
    expect(send(c, '80 db 20 00 01 c1')).toBe('6a86'); // STORE DATA's P1 by its declaration (10 / 90)
    expect(applet.seen).toEqual(['EARLY']);
  });

  it('a table without a guard has none', () => {
    expect(new CommandTable([EARLY], { EARLY: () => ({}) }).guard).toBeUndefined();
  });
});
