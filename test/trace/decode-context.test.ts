/**
 * The exchange decoder names a command by the applet selected on its channel (00 20 is a PIN for
 * the USIM, the payment code for the payment applet, consent for the ledger), and masks the data
 * of any command that some applet declares secret even when the context is unknown.
 */
import { describe, expect, it } from 'vitest';
import { ExchangeDecoder, commandFields, decodeCommand, specOf } from '../../host/trace/decode.js';
import { isSecretCommand, maskCommand } from '../../host/trace/mask.js';
import { hexToBytes } from '../../card/runtime/bytes.js';
import { PAYMENT_AID, LEDGER_AID } from '../../apdu-specs/index.js';

const h = hexToBytes;
const OK = h('9000');

describe('ExchangeDecoder', () => {
  it('follows SELECT by AID per channel and resets to the default applet', () => {
    const d = new ExchangeDecoder();
    const verify = h('002000810431323334');
    expect(d.command(verify).name).toBe('UICC_VERIFY_PIN');
    d.observe(h(`00a404000a${PAYMENT_AID}`), OK);
    expect(d.command(verify).name).toBe('VERIFY');
    d.observe(h(`01a404000a${LEDGER_AID}`), OK);
    expect(d.command(h('012000810431323334')).name).toBe('LEDGER_VERIFY_CODE');
    expect(d.command(verify).name).toBe('VERIFY'); // channel 0 unchanged
    d.observe(h(`00a404000af0636172646667ffffff`), h('6a82')); // a failed SELECT changes nothing
    expect(d.command(verify).name).toBe('VERIFY');
    d.reset();
    expect(d.command(verify).name).toBe('UICC_VERIFY_PIN');
  });

  it('masks PIN data whatever spec the context picks, unless revealed', () => {
    const cmd = h('002000810431323334');
    expect(decodeCommand(cmd, { specs: [] }).text).toBe('0020008104********');
    expect(decodeCommand(cmd, { reveal: true }).text).toBe('002000810431323334');
  });

  it('masks by declaration even when the length does not parse (issue 14): header only, then stars', () => {
    const pin = '31323334ffffffff';
    // Lc 09 before 8 bytes, a missing Lc: nothing after the header shows.
    expect(maskCommand(h(`a020000109${pin}`))).toBe(`a0200001${'*'.repeat(18)}`);
    expect(maskCommand(h(`00200001${pin}`))).toBe(`00200001${'*'.repeat(16)}`);
    // Lc 07 before 8 bytes parses as case 4 (the 8th byte an Le): Lc shows, data and "Le" do not.
    expect(decodeCommand(h(`0020000a07${pin}`)).text).toBe(`0020000a07${'*'.repeat(16)}`);
    // Well formed: Lc stays; a trailing Le after a PIN (a mistyped digit?) is starred too.
    expect(maskCommand(h(`a020000108${pin}`))).toBe(`a020000108${'*'.repeat(16)}`);
    expect(maskCommand(h(`0020000108${pin}35`))).toBe(`0020000108${'*'.repeat(18)}`);
    // The P3=00 retry query shows; a lone non-zero byte after the header does not.
    expect(maskCommand(h('a020000100'))).toBe('a020000100');
    expect(maskCommand(h('0020000131'))).toBe('00200001**');
    expect(maskCommand(h(`a020000109${pin}`), { reveal: true })).toBe(`a020000109${pin}`);
  });

  it('decides from every applet\'s declaration of CLA/INS, and by INS alone for a class byte that does not decode', () => {
    for (const c of ['a020', 'a024', 'a026', 'a028', 'a02c', '0020', '0024', '0026', '0028', '002c', '0120', '4020', '80db']) expect(isSecretCommand(h(`${c}000108`)), c).toBe(true);
    expect(isSecretCommand(h('ff20000108'))).toBe(true); // FF: no class, the INS decides
    for (const c of ['00a4', 'a0b0', '8012', '00c0', '0088']) expect(isSecretCommand(h(`${c}000000`)), c).toBe(false);
    // The payment applet's VERIFY (4-byte code) masks with no context at all, and with the SIM's.
    expect(decodeCommand(h('002000810432343638'), { specs: [] }).text).toBe('0020008104********');
  });

  it('trace fields of a secret command are all secret, the undeclared rest included', () => {
    const cmd = h('002000010931323334ffffffff35');
    const cut = commandFields(cmd, specOf(cmd));
    expect(cut?.secret).toBe(true);
    expect(cut?.fields.every((f) => f.secret)).toBe(true);
    expect(cut?.extra).toEqual(h('35'));
  });
});
