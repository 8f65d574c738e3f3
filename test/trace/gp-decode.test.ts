/**
 * Foreign commands get their ISO/GlobalPlatform names when no applet context is known (issue 15
 * item 9): after a SELECT of an AID no registered applet has (or of the default applet, named by
 * its FCI), 80 50 is INITIALIZE UPDATE and 80 E6 INSTALL — not the cardforge applet commands that
 * share the INS (GET_PROFILE, STORE_PROFILE, UICC_STATUS …). Since issue 21 the GlobalPlatform
 * declarations are also the commands of cardforge's own Issuer Security Domain (card/applets/isd),
 * which dispatches them: selecting A000000151000000 gives the ISD's context, with the same names.
 * A USIM ADF selected by AID keeps the SIM context.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { hexToBytes } from '../../card/runtime/index.js';
import { ALL_COMMANDS, APPLET_SPECS, ISD_AID } from '../../apdu-specs/index.js';
import { GLOBALPLATFORM_COMMANDS } from '../../apdu-specs/globalplatform.js';
import { ExchangeDecoder, decodeCommand } from '../../host/trace/decode.js';
import { readTraceFile } from '../../host/trace/formats/index.js';
import { showTrace } from '../../host/trace/show.js';
import { FIXTURES } from './helpers.js';
import { REPO } from '../cli/built-cli.js';
import { loadGolden } from '../golden/transcript.js';

const h = hexToBytes;
const OK = h('9000');
const GP_SESSION: [string, string][] = [
  ['80500000081122334455667788', 'INITIALIZE_UPDATE'],
  ['848201001001020304050607080910111213141516', 'EXTERNAL_AUTHENTICATE'],
  ['80f24000024f0000', 'GET_STATUS'],
  ['84f2800002 4f00 00', 'GET_STATUS'],
  ['80e60c0000', 'INSTALL'],
  ['80e80000 03 c48200', 'LOAD'],
  ['80e40080 07 4f05a000000001', 'DELETE'],
  ['80ca9f7f00', 'GP_GET_DATA'],
  ['00ca00ff00', 'GET_DATA'],
  ['84d80181 03 ff0102', 'PUT_KEY'],
  ['80f0400f 05 a000000001', 'SET_STATUS'],
  ['80e28000 02 0102', 'STORE_DATA'],
];

describe('GlobalPlatform names when no applet context is known', () => {
  it('after selecting the ISD (cardforge\'s or a real card\'s): INITIALIZE UPDATE, GET STATUS, INSTALL …', () => {
    const d = new ExchangeDecoder();
    d.observe(h('00a4040008a000000151000000'), h('6f108408a000000151000000a5049f6501ff9000'));
    for (const [cmd, name] of GP_SESSION) expect(d.command(h(cmd.replace(/ /g, ''))).name, cmd).toBe(name);
    expect(d.command(h('80aa0000')).name).toBe('INS AA'); // no cardforge applet name either
    expect(d.command(h('84d80181 03 ff0102'.replace(/ /g, ''))).text).toBe('84d8018103******'); // PUT KEY data is secret
  });

  it('the guard: with every cardforge declaration, the same bytes name cardforge applet commands', () => {
    const names = (cmd: string): string => decodeCommand(h(cmd), { specs: ALL_COMMANDS }).name;
    expect(['80e60c0000', '80e40080', '80f24000', '80e28000'].map(names)).not.toContain('INSTALL');
    expect(names('80e60c0000')).not.toBe('INSTALL');
    expect(names('80f24000')).not.toBe('GET_STATUS');
  });

  it('a SELECT with no AID: the FCI names the default applet (GlobalPlatformPro\'s first command)', () => {
    const d = new ExchangeDecoder();
    d.observe(h('00a4040000'), h('6f108408a000000151000000a5049f6501ff9000'));
    expect(d.command(h('80f24000024f0000')).name).toBe('GET_STATUS');
  });

  it('a channel nothing was selected on has no context; a USIM ADF keeps the SIM\'s', () => {
    const d = new ExchangeDecoder();
    d.observe(h('0070000001'), h('019000'));
    expect(d.command(h('8150000008')).name).toBe('INITIALIZE_UPDATE');
    d.observe(h('00a4040410a0000000871002ffffffff8907090000'), OK);
    expect(d.command(h('80f2000000')).name).toBe('UICC_STATUS');
  });

  it('trace show of a GlobalPlatformPro log names the GlobalPlatform commands', () => {
    const t = readTraceFile(join(FIXTURES, 'gp-log', 'gppro-19-t1.log'), { format: 'gp-log' });
    const text = [...showTrace(t)].join('\n');
    for (const n of ['INITIALIZE_UPDATE', 'EXTERNAL_AUTHENTICATE', 'GET_STATUS', 'GP_GET_DATA']) expect(text).toContain(n);
  });

  it('real cards (GlobalPlatformPro #113, #114, #221): GP names and the secure-channel fields labelled', () => {
    const t = readTraceFile(join(FIXTURES, 'gp-log', 'gppro-real-cards.log'), { format: 'gp-log' });
    const text = [...showTrace(t)].join('\n');
    // INITIALIZE UPDATE of an Oberthur COSMO 8.1 (SCP03 i=70): every field named and cut where SCP03 puts it.
    expect(text).toContain('(INITIALIZE_UPDATE)');
    expect(text).toContain('host_challenge: 726FA486419E8424');
    for (const line of ['key diversification data: 149480576000078C0100', 'key version number: 01 (1)', 'SCP identifier: 03 (SCP03)', 'i parameter: 70 (pseudo-random card challenge, R-MAC, R-ENCRYPTION)', 'card challenge: 5CB17CF9D29E88CC', 'card cryptogram: 780408C2550282F9', 'sequence counter: 00001A']) expect(text).toContain(`      ${line}`);
    // GET DATA answers decoded as GlobalPlatformPro printed them in the same issues.
    expect(text).toContain('GP version: 2.2.1');
    expect(text).toContain('SCP03 i=70');
    expect(text).toContain('key version 01 id 3: AES, 32 bytes');
    expect(text).toContain('ICFabricationDate: 8345 (year …8, day 345)');
    expect(text).toContain('ICSerialNumber: 6E6E6E50');
  });

  it('an SCP02 INITIALIZE UPDATE answer (a JCOP card, GlobalPlatformPro #169) is cut as SCP02: counter, 6-byte challenge', () => {
    const d = new ExchangeDecoder();
    d.observe(h('00a4040000'), h('6f108408a000000151000000a5049f6501ff9000'));
    const cmd = h('8050000008ec255adbcdb6c75100');
    expect(d.command(cmd).name).toBe('INITIALIZE_UPDATE');
    const r = d.observe(cmd, h('00007213002987072483ff02020613a5a6aade027e59f3f8c98f0ee39000'));
    expect(r.details).toEqual(['key diversification data: 00007213002987072483', 'key version number: FF (255)', 'SCP identifier: 02 (SCP02)', 'sequence counter: 0206', 'card challenge: 13A5A6AADE02', 'card cryptogram: 7E59F3F8C98F0EE3']);
  });

  it('on T=0 the answer a GET RESPONSE fetches is decoded as the GP command\'s (pySim-shell session: 80 50 → 6120, 80 C0 → SCP03 fields)', () => {
    const t = readTraceFile(join(REPO, 'test/clients/pysim-shell-gp.jsonl'));
    const text = [...showTrace(t)].join('\n');
    const at = text.indexOf('(GET_RESPONSE_8X)', text.indexOf('80 50 31 00 08'));
    expect(at).toBeGreaterThan(0);
    const block = text.slice(at, text.indexOf('(EXTERNAL_AUTHENTICATE)', at));
    for (const line of ['key version number: 31 (49)', 'SCP identifier: 03 (SCP03)', 'card challenge: 643CE41BEA59E8A3', 'card cryptogram: A517A24127296E8E', 'sequence counter: 000002']) expect(block).toContain(`      ${line}`);
    // The SCP02 session in the same recording: sequence counter and 6-byte challenge.
    expect(text).toContain('      SCP identifier: 02 (SCP02)');
    // A SELECT's FCP fetched by GET RESPONSE is still explained as an FCP.
    expect(text).toContain('62 FCP template');
  });

  it('a GP command under secure messaging: its last 8 data bytes are labelled C-MAC (pySim SCP02 session, GET STATUS)', () => {
    const d = new ExchangeDecoder();
    d.observe(h('00a4040000'), h('6f108408a000000151000000a5049f6501ff9000'));
    expect(d.command(h('84f280020a4f003b95f09317de6a4e00')).details).toEqual(['C-MAC: 3B95F09317DE6A4E (secure messaging: the data before it is as sent, enciphered at C-DECRYPTION level)']);
    expect(d.command(h('80f28002024f0000')).details).toBeUndefined(); // no secure messaging, no C-MAC
    expect(d.command(h('84d8008113300102030405060708090a0b0c0d0e0f1011')).details).toBeUndefined(); // PUT KEY: all starred, C-MAC included
  });

  it('the guard: the payment applet\'s own 80 CA (its GET DATA) gets no GlobalPlatform explanation', () => {
    const d = new ExchangeDecoder();
    d.observe(h('00a404000af063617264666703000100'), h('9000'));
    const cmd = h('80ca9f7f00');
    expect(d.command(cmd).name).toBe('GET_DATA'); // payment's, not GP_GET_DATA
    expect(d.observe(cmd, h('9f7f2a4790d32147000000000083456e6e6e50524300000000000000005758594e4e4e4e4e00000000000000009000')).details).toBeUndefined();
  });

  it('the GlobalPlatform declarations are the ISD applet\'s: in ALL_COMMANDS and in its APPLET_SPECS entry', () => {
    expect(GLOBALPLATFORM_COMMANDS.filter((c) => !ALL_COMMANDS.includes(c))).toEqual([]);
    expect(APPLET_SPECS.find((a) => a.aid === ISD_AID)?.commands).toBe(GLOBALPLATFORM_COMMANDS);
  });

  it('the emulator\'s own ISD session (test/golden/isd.apdu) decodes by GP names through the ISD context, PUT KEY data masked', () => {
    const d = new ExchangeDecoder();
    const names: string[] = [];
    for (const e of loadGolden('isd')) {
      const c = d.command(e.command);
      names.push(c.name);
      if (c.name === 'PUT_KEY') expect(c.text).toMatch(/^84d80081[0-9a-f]{2}\*+$/);
      d.observe(e.command, e.response);
    }
    expect(names).toEqual([
      'SELECT', 'GP_GET_DATA', 'GP_GET_DATA', 'GP_GET_DATA', 'INITIALIZE_UPDATE', 'EXTERNAL_AUTHENTICATE', 'GET_STATUS', 'STORE_DATA', 'PUT_KEY',
      'SET_STATUS', 'SET_STATUS', 'DELETE', 'INITIALIZE_UPDATE', 'EXTERNAL_AUTHENTICATE', 'GET_STATUS', 'GET_STATUS', 'EXTERNAL_AUTHENTICATE',
    ]);
  });
});
