/**
 * Issue 17: the payment and ledger handlers check P1-P2 against their declarations (apdu-specs)
 * instead of by hand. This table was recorded from the hand-written checks before the change
 * (p1p2-handlers.expected.json; CARDFORGE_RECORD_P1P2=1 rewrites it): for every command, each
 * declared case, the right and a wrong data length, and a grid of P1 × P2, the SW the card
 * answers — personalized and blank — must stay exactly the same.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LEDGER_COMMANDS } from '../../apdu-specs/ledger.js';
import { PAYMENT_COMMANDS, PAYMENT_AID } from '../../apdu-specs/payment.js';
import type { CommandSpec } from '../../apdu-specs/types.js';
import { PaymentApplet } from '../../card/applets/payment/index.js';
import { LedgerApplet } from '../../card/applets/ledger/index.js';
import { LEDGER_AID } from '../../card/protocol/index.js';
import { Card, SeededRng, VirtualClock, buildCommand, hexToBytes } from '../../card/runtime/index.js';
import { makeRig } from './payment/fixture.js';
import { makeCard } from './ledger/fixture.js';

const EXPECTED_FILE = new URL('./p1p2-handlers.expected.json', import.meta.url);
const RECORD = process.env.CARDFORGE_RECORD_P1P2 === '1';

const P1S = [0x00, 0x01, 0x02, 0x04, 0x7f, 0x80, 0x90, 0xff];
const P2S = [0x00, 0x01, 0x02, 0x04, 0x21, 0x49, 0x81, 0x90, 0x91, 0x9f, 0xa0, 0xc0, 0xc1, 0xd2, 0xff];
const BLANK_P1S = [0x00, 0x01, 0xff];
const BLANK_P2S = [0x00, 0x04, 0x81, 0xff];

/** The data length each command accepts (the others: 8 bytes); 3 is wrong for all of them. */
const RIGHT_LENGTH: Readonly<Record<string, number>> = {
  VERIFY: 4, RESET_RETRY_COUNTER: 12, GET_AUTH_RESULT: 16, GET_PROFILE: 48,
  LEDGER_VERIFY_CODE: 4, LEDGER_PUT_CERTIFICATE: 64, LEDGER_DEBIT: 126, LEDGER_LOAD: 72, LEDGER_ACK_EXPORT: 72, LEDGER_ISSUE_TICKET: 88,
  LEDGER_VALIDATE_TICKET: 28, LEDGER_REFUND_TICKET: 72, LEDGER_TRANSFER_OUT: 89,
};
const WRONG_LENGTH = 3;

const swOf = (r: Uint8Array): string => Array.from(r.subarray(r.length - 2), (b) => b.toString(16).padStart(2, '0')).join('');

interface Shape {
  readonly key: string;
  readonly build: (p1: number, p2: number) => Uint8Array;
}

/** One shape per declared case and data length. */
function shapes(spec: CommandSpec): Shape[] {
  const out: Shape[] = [];
  const cla = spec.cla.value;
  for (const c of spec.cases) {
    const lengths = c === 3 || c === 4 ? [RIGHT_LENGTH[spec.name] ?? 8, WRONG_LENGTH] : [0];
    for (const n of lengths) {
      const data = new Uint8Array(n).fill(0x39);
      const ne = c === 2 || c === 4 ? 16 : undefined;
      out.push({
        key: `${spec.name} case ${c} data ${n}`,
        build: (p1, p2) => buildCommand(cla, spec.ins, p1, p2, { ...(n > 0 ? { data } : {}), ...(ne !== undefined ? { ne } : {}) }),
      });
    }
  }
  return out;
}

/** Every shape × P1 × P2 on one card, in order: "SW SW …" per shape (P1 major). */
function sweep(card: Card, specs: readonly CommandSpec[], p1s: readonly number[], p2s: readonly number[], before: () => void = () => {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    for (const s of shapes(spec)) {
      const sws: string[] = [];
      for (const p1 of p1s) for (const p2 of p2s) {
        before();
        sws.push(swOf(card.transmit(s.build(p1, p2))));
      }
      out[s.key] = sws.join(' ');
    }
  }
  return out;
}

function blankCard(type: typeof PaymentApplet | typeof LedgerApplet, aid: string, params: Record<string, unknown>): Card {
  const card = new Card({ rng: new SeededRng('p1p2-blank'), clock: new VirtualClock() });
  card.install(type, { aid, default: true, params, personalization: { factory: true } });
  card.powerOn();
  return card;
}

async function observe(): Promise<Record<string, Record<string, string>>> {
  const rig = await makeRig({}, 'p1p2-handlers');
  const select = buildCommand(0x00, 0xa4, 0x04, 0x00, { data: hexToBytes(PAYMENT_AID) });
  expect(swOf(rig.card.transmit(select))).toBe('9000');
  const payment = sweep(rig.card, PAYMENT_COMMANDS, P1S, P2S);
  const ledger = sweep(makeCard({ seed: 'p1p2-handlers' }), LEDGER_COMMANDS, P1S, P2S);
  const postpaid = sweep(makeCard({ seed: 'p1p2-handlers', mode: 'postpaid', consent: 'always' }), LEDGER_COMMANDS, P1S, P2S);
  const paymentBlank = sweep(blankCard(PaymentApplet, PAYMENT_AID, {}), PAYMENT_COMMANDS, BLANK_P1S, BLANK_P2S);
  const ledgerBlank = sweep(blankCard(LedgerApplet, LEDGER_AID, { mode: 'prepaid', logSize: 8, ticketSlots: 3 }), LEDGER_COMMANDS, BLANK_P1S, BLANK_P2S);
  return { payment, ledger, postpaid, paymentBlank, ledgerBlank };
}

describe('P1-P2 of the payment and ledger commands (recorded before the declarations checked them)', () => {
  it('answers every command, case, length and P1-P2 of the grid as recorded', async () => {
    const seen = await observe();
    if (RECORD || !existsSync(EXPECTED_FILE)) writeFileSync(EXPECTED_FILE, JSON.stringify(seen, null, 1) + '\n');
    const expected = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as Record<string, Record<string, string>>;
    for (const table of Object.keys(expected)) {
      for (const key of Object.keys(expected[table]!)) expect(seen[table]![key], `${table}: ${key}`).toBe(expected[table]![key]);
    }
    expect(Object.keys(seen.payment!).length).toBeGreaterThan(10);
  }, 120_000);

  it('recorded: a blank applet answers 6985 to every command of a declared case, whatever P1-P2 and length', () => {
    const expected = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as Record<string, Record<string, string>>;
    for (const t of ['paymentBlank', 'ledgerBlank']) for (const [k, v] of Object.entries(expected[t]!)) expect(new Set(v.split(' ')), k).toEqual(new Set(['6985']));
  });

  it('recorded: the data length answers before a wrong P1 (DEBIT, LOAD, ACK EXPORT, TRANSFER OUT) and after it elsewhere', () => {
    const e = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as Record<string, Record<string, string>>;
    const at = (table: string, key: string, p1: number, p2: number): string => e[table]![key]!.split(' ')[P1S.indexOf(p1) * P2S.length + P2S.indexOf(p2)]!;
    for (const [name, c] of [['LEDGER_DEBIT', 4], ['LEDGER_LOAD', 3], ['LEDGER_ACK_EXPORT', 3], ['LEDGER_TRANSFER_OUT', 4]] as const) {
      expect(at('ledger', `${name} case ${c} data ${WRONG_LENGTH}`, 0xff, 0x00), name).toBe('6700');
      expect(at('ledger', `${name} case ${c} data ${RIGHT_LENGTH[name]}`, 0xff, 0x00), name).toBe('6a86');
    }
    expect(at('payment', `GET_PROFILE case 4 data ${WRONG_LENGTH}`, 0xff, 0x00)).toBe('6a86');
    expect(at('payment', 'GET_DATA case 2 data 0', 0x00, 0x01)).toBe('6a88');
    expect(at('payment', 'VERIFY case 1 data 0', 0x00, 0xa0)).toBe('6a86');
    expect(at('ledger', 'LEDGER_READ_RECORD case 2 data 0', 0x04, 0x04)).toBe('6a83');
    expect(at('ledger', 'LEDGER_READ_TICKET case 2 data 0', 0x04, 0x00)).toBe('6a86');
    expect(at('ledger', 'LEDGER_TRANSFER_OUT case 2 data 0', 0xff, 0xff)).not.toBe('6a86');
  });
});
