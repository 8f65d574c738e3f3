/**
 * The exchange decoder names a command by the applet selected on its channel (00 20 is a PIN for
 * the USIM, the payment code for the payment applet, consent for the ledger), and masks the data
 * of any command that some applet declares secret even when the context is unknown.
 */
import { describe, expect, it } from 'vitest';
import { ExchangeDecoder, decodeCommand } from '../../host/trace/decode.js';
import { hexToBytes } from '../../card/runtime/bytes.js';
import { PAYMENT_AID, LEDGER_APPLET_AID } from '../../apdu-specs/index.js';

const h = hexToBytes;
const OK = h('9000');

describe('ExchangeDecoder', () => {
  it('follows SELECT by AID per channel and resets to the default applet', () => {
    const d = new ExchangeDecoder();
    const verify = h('002000810431323334');
    expect(d.command(verify).name).toBe('UICC_VERIFY_PIN');
    d.observe(h(`00a404000a${PAYMENT_AID}`), OK);
    expect(d.command(verify).name).toBe('VERIFY');
    d.observe(h(`01a404000a${LEDGER_APPLET_AID}`), OK);
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
});
