/**
 * Trace formats: every format reads its real fixture (made with the real tool against the
 * emulator through pcscd+vpcd), round-trips (read → write → read gives the same events; read-only
 * formats go through native), and reports malformed input as file:line without dropping the rest.
 * Guards: silent truncation at a bad line, off-by-one line numbers, scriptor's 16-byte wrapping,
 * OpenSC's unpadded single dump line, pcsc-spy hexdump offsets, apdu4j timing comments.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex } from '../../card/runtime/index.js';
import { exchangesOf, stripEvents, type TraceEvent } from '../../host/trace/events.js';
import { guessFormat, guessMessage, HEAD_BYTES, readHead, readTraceFile, readTraceText, type FormatName } from '../../host/trace/formats/index.js';
import { createProgram } from '../../host/cli/program.js';
import { tempDir } from '../helpers/temp-dir.js';
import { TraceError } from '../../host/trace/errors.js';
import { FIXTURES, events, recordSession, textOf } from './helpers.js';

const hexEx = (evs: Iterable<TraceEvent>): string[] => [...exchangesOf(evs)].map((x) => `${bytesToHex(x.command)}>${x.response ? bytesToHex(x.response) : '-'}`);

const REAL: [string, FormatName, number][] = [
  ['loopback.scriptor', 'scriptor', 7],
  ['loopback-scriptor.log', 'scriptor-log', 7],
  ['loopback-pcsc-spy.txt', 'pcsc-spy', 7],
  ['loopback-opensc-debug.log', 'opensc', 51],
];

describe('real tool output', () => {
  it.each(REAL)('%s is guessed as %s and read completely', (file, format, n) => {
    const path = FIXTURES + file;
    expect(guessFormat(new Uint8Array(readFileSync(path)), path)).toBe(format);
    const t = readTraceFile(path);
    expect(t.format).toBe(format);
    const ex = [...exchangesOf(t.events)];
    expect(ex).toHaveLength(n);
  });

  it('scriptor log and pcsc-spy of the same script agree on every deterministic exchange', () => {
    const log = hexEx(readTraceFile(FIXTURES + 'loopback-scriptor.log').events);
    const spy = hexEx(readTraceFile(FIXTURES + 'loopback-pcsc-spy.txt').events);
    expect(log[1]).toBe('8012000010>a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000');
    // The SHA-256 of "abc" comes back through GET RESPONSE, wrapped over two scriptor lines.
    expect(log[3]).toBe('00c0000020>ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad9000');
    expect(spy.filter((_, i) => i !== 4)).toEqual(log.filter((_, i) => i !== 4)); // #5 is GET CHALLENGE: random
  });

  it('OpenSC: single short dump lines (ASCII right after the hex) and multi-line dumps', () => {
    const ex = hexEx(readTraceFile(FIXTURES + 'loopback-opensc-debug.log').events);
    expect(ex[0]).toBe('00a4040007627601ff000000>6a82');
    expect(ex[2]).toBe('00a404000be82b0601040181c31f020100>6a82');
    expect(ex.at(-3)).toBe('8012000010>a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000');
  });
});

describe('round trips', () => {
  it.each(['native', 'scriptor-log', 'apdu4j'] as FormatName[])('recorded session → %s → read → write → read: same events', async (format) => {
    const native = await recordSession();
    const first = events(textOf(readTraceText(native, 'native'), format), format);
    const again = events(textOf({ header: { tool: 'x' }, events: first }, format), format);
    expect(again).toEqual(first);
    // And against the original: everything the format carries survived.
    const keep = format === 'native' ? { time: true, power: true } : {};
    expect(stripEvents(first, keep).filter((e) => e.kind !== 'atr' || format !== 'scriptor-log')).toEqual(
      stripEvents(events(native, 'native'), keep).filter((e) => e.kind !== 'atr' || format !== 'scriptor-log'),
    );
  });

  it('scriptor script keeps commands and resets (responses become comments)', async () => {
    const native = await recordSession();
    const text = textOf(readTraceText(native, 'native'), 'scriptor');
    const cmds = events(text, 'scriptor');
    expect(cmds.filter((e) => e.kind === 'command')).toHaveLength(11);
    expect(cmds.filter((e) => e.kind === 'reset')).toHaveLength(1);
    expect(events(textOf({ header: { tool: 'x' }, events: cmds }, 'scriptor'), 'scriptor')).toEqual(cmds);
  });

  it.each(REAL.slice(1))('read-only or foreign %s → native → read gives the same events', (file, format) => {
    const t = [...readTraceFile(FIXTURES + file).events];
    const back = events(textOf({ header: { tool: format }, events: t }, 'native'), 'native');
    expect(back).toEqual(t);
  });

  it('scriptor log written by us wraps like scriptor (16 bytes a line, SW with the meaning)', () => {
    const t = readTraceFile(FIXTURES + 'loopback-scriptor.log');
    const out = textOf(t, 'scriptor-log');
    expect(out).toContain('< BA 78 16 BF 8F 01 CF EA 41 41 40 DE 5D AE 22 23 \nB0 03 61 A3 96 17 7A 9C B4 10 FF 61 F2 00 15 AD \n90 00 : Normal ending of the command');
  });
});

describe('malformed input', () => {
  const bad: [FormatName, string, number, RegExp][] = [
    ['native', '{"cardforge":"trace","version":1,"tool":"t"}\n{"e":"command","apdu":"00a40400"}\n{"e":"response","data":"90zz"}\n{"e":"command","apdu":"80120000"}\n', 3, /"data": "z" is not a hex digit/],
    ['native', '{"cardforge":"trace","version":1,"tool":"t"}\n{"e":"command","apdu":"00a40400"}\n{"e":"response","data":"9000","sw":"6a82"}\n', 3, /"sw" 6a82 disagrees/],
    ['native', '{"cardforge":"trace","version":1,"tool":"t"}\n{"e":"response","data":"9000"}\n', 2, /response without a command/],
    ['native', '{"cardforge":"trace","version":1,"tool":"t"}\n{"e":"teleport"}\n', 2, /unknown event "teleport"/],
    ['native', '{"cardforge":"trace","version":9}\n', 1, /version 9 is newer/],
    ['native', '{"cardforge":"trace","version":1,"tool":"t"}\n{"e":"command","apdu":"00a4',  2, /not a JSON event/],
    ['scriptor', '00 A4 04 00 00\n00 A4 0G 00\n80 12 00 00 10\n', 2, /"G" is not a hex digit/],
    ['scriptor-log', '> 00 A4 04 00 00\n< 90 00 : ok\n> 80 12 00 00 10\n< A0 A1 XX 90 00 : ok\n', 4, /"X" is not a hex digit/],
    ['apdu4j', '# ATR: 3B00\n00A4040000\n9000\n80120000\n90Q0\n', 5, /"Q" is not a hex digit/],
    ['opensc', 'Outgoing APDU (5 bytes):\n00 A4 04 00 00 .....\n\nIncoming APDU (3 bytes):\n90 00 ..\n\n', 4, /announces 3 bytes, the dump has 2/],
    ['pcsc-spy', 'SCardTransmit\n i bSendBuffer\n i  0000 00 A4 04 00 00                                  .....\n o bRecvBuffer\n o  0010 90 00                                           ..\n => Command successful. (SCARD_S_SUCCESS [0x00000000])  [0.000364]\n', 5, /hexdump offset 0010 where 0000 was expected/],
    // Issue 15: what used to vanish with exit 0.
    ['pcsc-spy', 'SCardTransmit\n i bSendBuffer\n i  0000 00 A4 04 00 00                                  .....\n => SCARD_S_SUCCESS 0x00000000 in 0.3 ms\n', 4, /result line not understood/],
    ['pcsc-spy', 'SCardTransmit\n i bSendBuffer\n i  0000 00 A4 04 00 00                                  .....\nSCardDisconnect\n => SCARD_S_SUCCESS [0x00000000]  [0.000040]\n', 4, /SCardTransmit before this call has no result line/],
    ['opensc', 'Outgoing APDU data [    5 bytes] =====================================\n00 A4 04 00 00 .....\n======================================================================\nIncoming APDU data [    3 bytes] =====================================\n90 00 ..\n======================================================================\n', 4, /announces 3 bytes, the dump has 2/],
    ['gp-log', 'A>> T=1 (4+0000) 00A40400 00\nA<< (0066+2) (16ms) 6F408407A0000001510000A535732F06072A864886FC6B01600C060A2A864886FC6B020202016309060\n', 2, /announces 66 bytes|status word|odd number of hex digits/],
    ['gp-log', 'A>> T=1 (4+0009) 00A40400 09 A000000151000000 00\n', 1, /announces 9 bytes, the line has 8/],
    ['gp-log', 'A<< (0000+2) (9ms) 6985\n', 1, /response without a command/],
    ['gp-log', 'A>> T=1 (4+0000) 00A40400 00\nA<< (0000+2) 6985\n', 2, /APDU line not understood/],
    ['apdu4j', '# ATR: 3B00\n# Sent\n00A4040000\n# Received in 3ms\n9000\n# Received in 5ms\n6A82\n', 7, /without a command line before it/],
  ];

  it.each(bad)('%s: the error names file:line (%#)', (format, text, line, why) => {
    let err: unknown;
    try {
      for (const _ of readTraceText(text, format, `bad.${format}`).events) void _;
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceError);
    expect((err as TraceError).code).toBe('TRACE_SYNTAX');
    expect((err as TraceError).message).toMatch(new RegExp(`^bad\\.${format}:${line}: `));
    expect((err as TraceError).message).toMatch(why);
  });

  it('with a bad-line handler every bad line is reported and the lines after it are still read', () => {
    const text = '{"cardforge":"trace","version":1,"tool":"t"}\n{"e":"command","apdu":"00a40400"}\n{"e":"response","data":"9000"}\nnot json\n{"e":"command","apdu":"8012000010"}\n{"e":"bogus"}\n{"e":"response","data":"a0a19000"}\n';
    const errors: string[] = [];
    const evs = [...readTraceText(text, 'native', 'x.jsonl', (e) => errors.push(e.message)).events];
    expect(errors).toEqual([expect.stringMatching(/^x\.jsonl:4: not a JSON event/), expect.stringMatching(/^x\.jsonl:6: unknown event "bogus"/)]);
    expect(hexEx(evs)).toEqual(['00a40400>9000', '8012000010>a0a19000']);
  });

  it('a GlobalPlatformPro log wrapped by a terminal is an error, not a shorter response (issue #113 style)', () => {
    const text = 'A>> T=1 (4+0000) 00A40400 00\nA<< (0066+2) (16ms) 6F408407A0000001510000A535732F06072A864886FC6B01600C060A2A864886FC6B020202016309060\n72A864886FC6B03640B06092A864886FC6B0403709F6501FF 9000\n';
    const errors: string[] = [];
    const ex = [...exchangesOf(readTraceText(text, 'gp-log', 'gp.log', (e) => errors.push(e.message)).events)];
    expect(errors).toHaveLength(1);
    expect(ex).toHaveLength(1); // the command is kept, without an invented response
  });

  it('apdu4j: a lost response line is an error, and with a handler every later exchange is still paired right', () => {
    // The response of 80CA9F7F00 is missing: "00B0000010" sits where a response belongs.
    const text = '00A4040000\n9000\n80CA9F7F00\n00B0000010\n0102030405060708090A0B0C0D0E0F109000\n0084000008\n11223344556677889000\n';
    expect(() => [...readTraceText(text, 'apdu4j', 'lost.dump').events]).toThrow(/^lost\.dump:4: line read as a response ends in 0010, not a status word/);
    const errors: string[] = [];
    const ex = hexEx(readTraceText(text, 'apdu4j', 'lost.dump', (e) => errors.push(e.message)).events);
    expect(errors).toHaveLength(1);
    expect(ex).toEqual(['00a4040000>9000', '80ca9f7f00>-', '00b0000010>0102030405060708090a0b0c0d0e0f109000', '0084000008>11223344556677889000']);
  });

  it('OpenSC: a command whose Incoming block is lost is an error, one whose transmit failed is kept unanswered', () => {
    const lost = 'Outgoing APDU (5 bytes):\n00 A4 04 00 00 .....\n\nsome log line\nOutgoing APDU (5 bytes):\n00 B0 00 00 10 .....\n\nIncoming APDU (2 bytes):\n90 00 ..\n\n';
    expect(() => [...readTraceText(lost, 'opensc', 'lost.log').events]).toThrow(/^lost\.log:1: Outgoing APDU without an Incoming APDU/);
    const failed = lost.replace('some log line', 'P:1; T:0x1 00:00:00.000 [opensc-tool] reader-pcsc.c:320:pcsc_transmit: unable to transmit: SCardTransmit failed');
    expect(hexEx(readTraceText(failed, 'opensc', 'failed.log').events)).toEqual(['00a4040000>-', '00b0000010>9000']);
  });

  it('GlobalPlatformPro log: a lost response line is an error, a transmit that threw is kept unanswered', () => {
    const lost = 'A>> T=1 (4+0000) 00A40400 00\n[DEBUG] GPSession - something\nA>> T=1 (4+0000) 80CA9F7F 00\nA<< (0000+2) (9ms) 6985\n';
    expect(() => [...readTraceText(lost, 'gp-log', 'lost.log').events]).toThrow(/^lost\.log:1: command without a response line/);
    const threw = lost.replace('[DEBUG] GPSession - something', 'Error: javax.smartcardio.CardException: sun.security.smartcardio.PCSCException: SCARD_W_REMOVED_CARD');
    expect(hexEx(readTraceText(threw, 'gp-log', 'threw.log').events)).toEqual(['00a4040000>-', '80ca9f7f00>6985']);
  });

  it('an unguessable file names line 1 and the formats tried', () => {
    expect(() => guessFormat(new TextEncoder().encode('hello world\n'), 'x.txt')).toThrow(/^x\.txt: cannot tell the trace format from line 1 \("hello world"\); tried native, scriptor/);
  });
});

describe('format guessing (issue 15 items 7, 9)', () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

  it('reads a bounded head, never the whole file', () => {
    const dir = tempDir('cf-guess-');
    const f = join(dir, 'big.scriptor');
    // ~1 MiB script whose 64 KiB cut falls inside a line: still a scriptor script.
    writeFileSync(f, `# big\n${'00 A4 04 00 07 A0 00 00 00 03 10 10 00\n'.repeat(26000)}exit\n`);
    const head = readHead(f);
    expect(head.length).toBe(HEAD_BYTES);
    expect(guessFormat(head, f)).toBe('scriptor');
  });

  it('a script holding only a comment and exit — what cardforge writes for no commands — is scriptor', () => {
    const written = textOf({ header: { tool: 'cardforge 0.1.0' }, events: [] }, 'scriptor');
    expect(guessFormat(enc(written), 'empty.scriptor')).toBe('scriptor');
  });

  it('a headerless apdu4j dump is apdu4j, a script of unspaced commands stays scriptor', () => {
    expect(guessFormat(enc('# INITIALIZE UPDATE\n80500000080102030405060708\n00001122334455667788FF02009000\n848201001001020304050607080910111213141516\n9000\n'), 'x')).toBe('apdu4j');
    expect(guessFormat(enc('00A4040007A0000000031010\n80CA9F7F00\n00B0000010\n'), 'x')).toBe('scriptor');
  });

  it('the guess is printed: "read as apdu4j dump"', async () => {
    expect(guessMessage('apdu4j')).toMatch(/^read as apdu4j dump/);
    const err: string[] = [];
    const p = createProgram({ out: () => undefined, err: (l) => err.push(l) });
    await p.parseAsync(['node', 'cardforge', 'trace', 'show', FIXTURES + 'apdu4j/headerless.dump']);
    expect(err[0]).toMatch(/read as apdu4j dump/);
  });

  it('--keep-going counts what it skipped in the summary', async () => {
    const dir = tempDir('cf-keep-');
    const f = join(dir, 'gp.log');
    writeFileSync(f, 'A>> T=1 (4+0000) 00A40400 00\nA<< (0001+2) (3ms) 9000\nA>> T=1 (4+0000) 80CA9F7F 00\nA<< (0000+2) (3ms) 6A88\nA<< (0000+2) (3ms) 6A88\n');
    const err: string[] = [];
    const p = createProgram({ out: () => undefined, err: (l) => err.push(l) });
    await p.parseAsync(['node', 'cardforge', 'trace', 'show', f, '--keep-going']);
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    expect(err.at(-1)).toMatch(/2 blocks skipped/);
  });
});
