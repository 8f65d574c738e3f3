/**
 * Typed P1-P2 declarations (apdu-specs/p1p2.ts, CommandSpec.p1p2, issue 17): every command has
 * one; the dispatcher answers a P1-P2 the declaration does not accept with the declared SW before
 * the handler runs (after the class, INS and length checks) and nothing changes; the trace decoder
 * and the command reference name the values.
 */
import { describe, expect, it } from 'vitest';
import { ALL_COMMANDS, describeP1P2, p1p2Refusal, p1p2Text, P1P2_ZERO } from '../../apdu-specs/index.js';
import { GLOBALPLATFORM_COMMANDS } from '../../apdu-specs/globalplatform.js';
import { LOOPBACK_COMMANDS } from '../../apdu-specs/loopback.js';
import { oneOf, params, v, within } from '../../apdu-specs/p1p2.js';
import { cla, type CommandSpec } from '../../apdu-specs/types.js';
import { Applet, Card, CommandTable, bytesToHex, hexToBytes, type AppletContext, type AppletParams, type PU8 } from '../../card/runtime/index.js';
import { decodeCommand, ExchangeDecoder } from '../../host/trace/decode.js';
import { showTrace } from '../../host/trace/show.js';
import { readTraceText } from '../../host/trace/formats/index.js';
import { renderCommandReference } from '../../host/docs/command-reference.js';
import { pinField, simCard, tx } from '../applets/sim/helpers.js';

const C80 = cla('8X', 0x80, 0xff);
const BUMP: CommandSpec = {
  name: 'BUMP', cla: C80, ins: 0x30, cases: [3], description: 'add P1 to a persistent counter', ref: 'test',
  p1p2: params(oneOf('step', v(1, 'one'), v(2, 'two')), within('slot', 1, 4), { sw: 0x6a81 }),
};
const BUMP_LATER: CommandSpec = {
  name: 'BUMP_LATER', cla: C80, ins: 0x32, cases: [1], description: 'the handler checks P1 itself', ref: 'test',
  p1p2: { ...params(oneOf('step', v(1, 'one')), oneOf('', v(0, ''))), checkedBy: 'handler' },
};

class Counter extends Applet {
  static readonly type = 'test.p1p2-counter';
  calls = 0;
  private readonly n: PU8;
  readonly commands = new CommandTable([BUMP, BUMP_LATER], {
    BUMP: (a) => {
      this.calls++;
      this.n.set(this.n.get() + a.p1);
      return {};
    },
    BUMP_LATER: () => {
      this.calls++;
      return { sw: 0x6985 };
    },
  });
  constructor(ctx: AppletContext, p: AppletParams = {}) {
    super(ctx, p);
    this.n = ctx.persistent.u8('n');
  }
}

function counterCard(): { card: Card; applet: Counter } {
  const card = new Card();
  card.install(Counter, { aid: 'a000000999030101', default: true });
  card.powerOn();
  return { card, applet: card.selectedOn(0)!.applet as Counter };
}

const send = (card: Card, hex: string): string => bytesToHex(card.transmit(hexToBytes(hex.replace(/\s+/g, ''))));
const persistent = (card: Card): string => [...card.snapshot().persistent].map(([k, x]) => `${k}=${bytesToHex(x)}`).join(';');

describe('typed P1-P2 declarations', () => {
  it('every command of the product declares its P1-P2 (runtime, applets, GlobalPlatform decoder-only)', () => {
    expect([...ALL_COMMANDS, ...GLOBALPLATFORM_COMMANDS].filter((c) => c.p1p2 === undefined || c.p1p2.forms.length === 0).map((c) => c.name)).toEqual([]);
  });

  it('the default SW is 6B00 in class A0 (TS 51.011 §9.4.6) and 6A86 elsewhere; a declared SW wins', () => {
    const spec = (c: ReturnType<typeof cla>, sw?: number): CommandSpec => ({ name: 'X', cla: c, ins: 0x10, cases: [1], description: '', ref: '', p1p2: sw === undefined ? P1P2_ZERO : { ...P1P2_ZERO, sw } });
    expect(p1p2Refusal(spec(cla('A0', 0xa0, 0xff)), 0, 1)).toBe(0x6b00);
    expect(p1p2Refusal(spec(cla('0X', 0x00, 0xff)), 1, 0)).toBe(0x6a86);
    expect(p1p2Refusal(spec(C80, 0x6a81), 1, 0)).toBe(0x6a81);
    expect(p1p2Refusal(spec(C80), 0, 0)).toBeUndefined();
    expect(p1p2Refusal({ ...spec(C80), p1p2: { ...P1P2_ZERO, checkedBy: 'handler' } }, 1, 1)).toBeUndefined();
  });
});

describe('legacy declarations', () => {
  it('a free-text p1p2 (an applet registered from plain JavaScript) is neither checked nor named; its text is kept', () => {
    const legacy = { ...BUMP, p1p2: 'P1 anything' } as unknown as CommandSpec;
    expect(p1p2Refusal(legacy, 9, 9)).toBeUndefined();
    expect(describeP1P2(legacy.p1p2, 9, 9)).toBe('');
    expect(p1p2Text(legacy.p1p2)).toBe('P1 anything');
  });
});

describe('the dispatcher checks P1-P2 before the handler', () => {
  it('a value outside the declaration gets the declared SW, the handler does not run and nothing changes', () => {
    const { card, applet } = counterCard();
    const before = persistent(card);
    expect(send(card, '80 30 03 01 01 00')).toBe('6a81'); // P1 not a declared step
    expect(send(card, '80 30 01 05 01 00')).toBe('6a81'); // P2 outside 1..4
    expect(send(card, '80 30 01 00 01 00')).toBe('6a81');
    expect(applet.calls).toBe(0);
    expect(persistent(card)).toBe(before);
    expect(send(card, '80 30 02 04 01 00')).toBe('9000');
    expect(applet.calls).toBe(1);
    expect(persistent(card)).not.toBe(before);
  });

  it('class, INS and length come first: a wrong case with a wrong P1 is still 6700', () => {
    const { card, applet } = counterCard();
    expect(send(card, '80 30 03 01')).toBe('6700');
    expect(send(card, '80 3e 03 01')).toBe('6d00');
    expect(applet.calls).toBe(0);
  });

  it("checkedBy: 'handler' leaves the answer to the handler", () => {
    const { card, applet } = counterCard();
    expect(send(card, '80 32 07 09')).toBe('6985');
    expect(applet.calls).toBe(1);
  });

  it('the SIM: class A0 answers 6B00, the UICC 6A86, before the EF or PIN checks; try counters do not move', () => {
    const c = simCard();
    // No EF selected: the handler would answer 9400 / 6986; P1-P2 is refused first, as before.
    expect(tx(c, 'a0 b0 80 00 01')).toBe('6b00'); // SFI form: not in class A0
    expect(tx(c, 'a0 a2 01 00 01 ff')).toBe('6b00'); // SEEK P1 00 only
    expect(tx(c, '00 b0 e0 00 01')).toBe('6a86'); // P1 b7b6 must be 00
    expect(tx(c, '00 b2 01 fc 00')).toBe('6a86'); // SFI 1F
    expect(tx(c, '00 a2 01 07 01 ff')).toBe('6a86'); // SEARCH RECORD mode 07
    expect(tx(c, '80 10 00 01 01 ff')).toBe('6a86'); // TERMINAL PROFILE 0001
    expect(tx(c, 'a0 10 00 01 01 ff')).toBe('6b00');
    expect(tx(c, '00 88 00 82 01 00')).toBe('6a86'); // AUTHENTICATE context 82
    expect(tx(c, '00 c0 00 01 00')).toBe('6a86'); // GET RESPONSE, the runtime's
    expect(tx(c, 'a0 c0 00 01 00')).toBe('6b00');
    expect(tx(c, '00 70 40 00 00')).toBe('6a86'); // MANAGE CHANNEL P1 40
    const tries = tx(c, '00 20 00 01 00');
    expect(tries).toMatch(/^63c/);
    const bad = pinField('0000');
    expect(tx(c, `a0 20 00 07 08 ${bad}`)).toBe('6b00'); // no CHV 07
    expect(tx(c, `a0 20 01 01 08 ${bad}`)).toBe('6b00');
    expect(tx(c, `00 20 01 01 08 ${bad}`)).toBe('6a86');
    expect(tx(c, '00 20 00 01 00')).toBe(tries);
    // The key reference stays the handler's: 6A88 (TS 102.221 §11.1.9), not 6A86.
    expect(tx(c, `00 20 00 05 08 ${bad}`)).toBe('6a88');
  });

  it('UICC STATUS keeps its length check before its P2 check (T=1: case 1 is 6700, case 2 is 6A86)', () => {
    const c = simCard({}, {}, false);
    expect(tx(c, '80 f2 00 05')).toBe('6700');
    expect(tx(c, '80 f2 00 05 00')).toBe('6a86');
    expect(tx(c, '80 f2 03 00 00')).toBe('6a86');
  });
});

describe('the decoder and the command reference name P1-P2', () => {
  it('decodeCommand: SELECT by DF name', () => {
    const d = decodeCommand(hexToBytes('00a4040400'));
    expect(d.name).toBe('SELECT');
    expect(d.params).toBe('P1=04 (by DF name) P2=04 (first or only, return FCP)');
  });

  it('ExchangeDecoder: a SELECT by FID keeps its name and is named by the UICC declaration; records and CHVs by name', () => {
    const d = new ExchangeDecoder();
    const sel = d.command(hexToBytes('00a40004023f00'));
    expect(sel.name).toBe('SELECT');
    expect(sel.params).toBe('P1=00 (by FID) P2=04 (return FCP)');
    expect(d.command(hexToBytes('00b2010c00')).params).toBe('P1=01 (record number) P2=0C (SFI 1, absolute/current)');
    expect(d.command(hexToBytes('00b0830010')).params).toBe('P1=83 (by SFI, SFI 3) P2=00 (offset)');
    expect(d.command(hexToBytes(`a0200002${'08'}${pinField('1234')}`)).params).toBe('P1=00 P2=02 (CHV2)');
    expect(d.command(hexToBytes(`a0200007${'08'}${pinField('1234')}`)).params).toBe('P1=00 P2=07 (CHV 07: not declared)');
    expect(d.command(hexToBytes('8010000000')).params).toBe('P1=00 P2=00'); // CAT TERMINAL PROFILE on the SIM
    expect(decodeCommand(hexToBytes('8010000000'), { specs: LOOPBACK_COMMANDS }).params).toBeUndefined(); // loopback ECHO: any P1-P2
  });

  it('trace show prints them under the command', () => {
    const text = '{"cardforge":"trace","version":1,"tool":"t"}\n{"e":"command","apdu":"a0a2001201ff"}\n{"e":"response","data":"9404"}\n';
    const lines = [...showTrace(readTraceText(text, 'native'))];
    expect(lines).toContain('      P1=00 P2=12 (type 2: returns the record number, next)');
  });

  it('the command reference lists the declared values', () => {
    const doc = renderCommandReference();
    const row = doc.split('\n').find((l) => l.startsWith('| UICC_READ_RECORD |'))!;
    expect(row).toContain(p1p2Text(ALL_COMMANDS.find((c) => c.name === 'UICC_READ_RECORD')!.p1p2).replace(/\|/g, '\\|'));
    expect(row).toContain('b8..b4 SFI: 01..1E, 00 current EF');
    expect(describeP1P2(BUMP.p1p2, 2, 3)).toBe('P1=02 (two) P2=03 (slot)');
  });
});
