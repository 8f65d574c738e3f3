/**
 * Commands built from their declarations (host/transport/command.ts, apdu-specs/by-name.ts): the
 * CLA/INS come from the spec, a class or case the spec does not declare is refused before
 * anything is sent, and sendCommand completes a T=0 answer with the transport's one GET RESPONSE
 * loop. Guards against clients drifting from apdu-specs (issue 17).
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { commandsByName, GSM, ISO7816, LEDGER, LEDGER_COMMANDS, PAYMENT, PAYMENT_COMMANDS, UICC } from '../../apdu-specs/index.js';
import { commandFor, replyOf, sendCommand } from '../../host/transport/index.js';

const data = hexToBytes('aabbcc');

describe('commandFor', () => {
  it('takes CLA and INS from the declaration and encodes with buildCommand', () => {
    expect(bytesToHex(commandFor(PAYMENT.SIGN_TRANSACTION, { p1: 1, data, ne: 256 }))).toBe('8050010003aabbcc00');
    expect(bytesToHex(commandFor(LEDGER.LEDGER_READ_RECORD, { p1: 2, p2: 4, ne: 82 }))).toBe('00b2020452');
    expect(bytesToHex(commandFor(GSM.GSM_RUN_GSM_ALGORITHM, { data }))).toBe('a088000003aabbcc');
    expect(bytesToHex(commandFor(PAYMENT.GET_DATA, { p1: 0x7f, p2: 0x21, ne: 65536 }))).toBe('80ca7f21000000');
    expect(bytesToHex(commandFor(UICC.USIM_AUTHENTICATE, { p2: 0x81, data, ne: 256 }))).toBe('0088008103aabbcc00');
  });

  it('accepts another channel of the declared class, refuses another class', () => {
    expect(bytesToHex(commandFor(PAYMENT.GET_DATA, { cla: 0x81, p2: 0xc1, ne: 256 }))).toBe('81ca00c100');
    expect(() => commandFor(PAYMENT.GET_DATA, { cla: 0x00, p2: 0xc1, ne: 256 })).toThrow(/GET_DATA.*"cla" expected class 8X, got 00/);
    expect(() => commandFor(GSM.GSM_VERIFY_CHV, { cla: 0x00, p2: 1, data })).toThrow(RangeError);
    expect(() => commandFor(PAYMENT.VERIFY, { cla: 0xff })).toThrow(RangeError);
  });

  it('refuses a case the declaration does not allow', () => {
    expect(() => commandFor(PAYMENT.SIGN_TRANSACTION, { data })).toThrow(/SIGN_TRANSACTION.*"case" expected 4, got 3/);
    expect(() => commandFor(PAYMENT.RESET_RETRY_COUNTER, { p2: 0x81 })).toThrow(/"case" expected 3, got 1/);
    expect(() => commandFor(LEDGER.LEDGER_GET_INFO, { data, ne: 39 })).toThrow(/"case" expected 2, got 4/);
    // VERIFY declares cases 1 and 3: the empty retry query is allowed.
    expect(bytesToHex(commandFor(PAYMENT.VERIFY, { p2: 0x81 }))).toBe('00200081');
  });

  it('keeps buildCommand checks and checks P1/P2', () => {
    expect(() => commandFor(LEDGER.LEDGER_READ_TICKET, { p1: 256, ne: 45 })).toThrow(/"p1" expected 0..255, got 256/);
    expect(() => commandFor(LEDGER.LEDGER_READ_TICKET, { p2: -1, ne: 45 })).toThrow(/"p2" expected 0..255, got -1/);
    expect(() => commandFor(PAYMENT.GET_DATA, { ne: 65537 })).toThrow(/"ne" expected 1..65536/);
  });
});

describe('sendCommand', () => {
  it('completes a 61xx answer a transport left open with GET RESPONSE on the command channel', async () => {
    const sent: string[] = [];
    const answers = ['6103', '0102039000'];
    const t = { transmit: async (c: Uint8Array): Promise<Uint8Array> => (sent.push(bytesToHex(c)), hexToBytes(answers.shift()!)) };
    const r = await sendCommand(t, PAYMENT.GET_DATA, { cla: 0x81, p2: 0xc1, ne: 256 });
    expect(sent).toEqual(['81ca00c100', '01c0000003']);
    expect(bytesToHex(r.data)).toBe('010203');
    expect(r.sw).toBe(0x9000);
  });

  it('sends nothing when the command is refused', async () => {
    const sent: Uint8Array[] = [];
    const t = { transmit: async (c: Uint8Array): Promise<Uint8Array> => (sent.push(c), hexToBytes('9000')) };
    await expect(sendCommand(t, ISO7816.GET_RESPONSE, { data })).rejects.toThrow(RangeError);
    expect(sent).toHaveLength(0);
  });

  it('replyOf splits data and SW, refuses a response without SW', () => {
    expect(replyOf(hexToBytes('ab6a82'))).toEqual({ data: hexToBytes('ab'), sw: 0x6a82 });
    expect(() => replyOf(hexToBytes('90'))).toThrow(RangeError);
  });
});

describe('commandsByName', () => {
  it('keys every declared command by its name', () => {
    expect(Object.keys(PAYMENT).sort()).toEqual(PAYMENT_COMMANDS.map((c) => c.name).sort());
    expect(Object.keys(LEDGER).sort()).toEqual(LEDGER_COMMANDS.map((c) => c.name).sort());
    expect(PAYMENT.SIGN_TRANSACTION).toBe(PAYMENT_COMMANDS.find((c) => c.name === 'SIGN_TRANSACTION'));
  });

  it('refuses a key list that disagrees with the declarations', () => {
    expect(() => commandsByName('PAYMENT_COMMANDS', PAYMENT_COMMANDS, ['VERIFY'])).toThrow(/declares RESET_RETRY_COUNTER, which its key list lacks/);
    const names = [...PAYMENT_COMMANDS.map((c) => c.name), 'NOPE'];
    expect(() => commandsByName('PAYMENT_COMMANDS', PAYMENT_COMMANDS, names)).toThrow(/declares no command NOPE/);
  });
});
