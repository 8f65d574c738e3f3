/**
 * `trace show/replay/convert` as a user runs them (issue 19 items 6 and 8): --json output matches
 * its documented schema (docs/json.md) on real trace files; replay's counts add up (ATRs apart);
 * converted traces state the protocol actually used (the real T=0 phone capture says T=0 in every
 * output format that has a place for it); a missing, empty or binary file is said as such and a
 * binary file's bytes never reach the message; --to offers only the formats cardforge writes.
 * Guards: a T=0 recording written out as "T=1", "xx response bytes", ATRs counted as exchanges,
 * a PIN echoed by trace show --json, garbage bytes pasted into an error message.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtCli } from './built-cli.js';
import { ERROR_JSON, TRACE_CONVERT_JSON, TRACE_REPLAY_JSON, TRACE_SHOW_JSON } from '../../host/cli/json/outputs.js';
import { saveImageFile } from '../../host/store/index.js';
import { loopbackCard, recordSession, REAL_GSMTAP } from '../trace/helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The first spawn compiles the CLI (tsc): on a loaded machine that alone can take a minute.
beforeAll(() => void builtCli(), 300_000);

const SJA2_ATR = '3b9f96801f878031e073fe211b674a4c753034054ba9';

describe('trace show --json', () => {
  it('the real sysmoISIM-SJA2 phone capture: ATR, T=0, decoded exchanges with files and SW meanings', () => {
    const r = cli('trace', 'show', '--json', REAL_GSMTAP);
    expect(r.status).toBe(0);
    const doc = TRACE_SHOW_JSON.schema.parse(JSON.parse(r.stdout));
    expect(doc).toMatchObject({ format: 'pcapng', guessed: true, header: { protocol: 'T=0' }, skipped: 0 });
    expect(doc.events.find((e) => e.kind === 'atr')).toMatchObject({ atr: SJA2_ATR });
    const ex = doc.events.filter((e) => e.kind === 'exchange');
    expect(ex.length).toBe(657);
    expect(ex.map((e) => e.n)).toEqual(ex.map((_, i) => i + 1));
    expect(ex.some((e) => e.file !== undefined && /EF_ICCID/.test(e.file))).toBe(true);
    // Status words explained with their placeholder filled, never "xx".
    expect(ex.every((e) => e.meaning === null || !/\bxx\b/i.test(e.meaning))).toBe(true);
    expect(r.stderr).toMatch(/read as GSMTAP pcapng capture/);
  });

  it('a PIN is starred in the command and its fields unless --reveal', () => {
    const f = join(tempDir('cf-tj-'), 'pin.jsonl');
    writeFileSync(f, '{"cardforge":"trace","version":1,"tool":"t"}\n{"e":"command","apdu":"002000810431323334"}\n{"e":"response","data":"63c2"}\n{"e":"command","apdu":"0084000004"}\n');
    const doc = TRACE_SHOW_JSON.schema.parse(JSON.parse(cli('trace', 'show', '--json', f).stdout));
    expect(JSON.stringify(doc)).not.toContain('31323334');
    const [pin, challenge] = doc.events;
    expect(pin).toMatchObject({ kind: 'exchange', command: '0020008104********', sw: '63c2', meaning: 'Verification failed, 2 further retries allowed' });
    expect(challenge).toMatchObject({ kind: 'exchange', name: 'GET_CHALLENGE', response: null, sw: null });
    const shown = TRACE_SHOW_JSON.schema.parse(JSON.parse(cli('trace', 'show', '--json', '--reveal', f).stdout));
    expect(shown.events[0]).toMatchObject({ command: '002000810431323334' });
  });
});

describe('trace convert: the protocol actually used', () => {
  const dir = tempDir('cf-tc-');

  it('the T=0 phone capture says T=0 as apdu4j, native JSONL and pcapng; --json says what was written', () => {
    for (const [name, format, says] of [
      ['sja2.dump', 'apdu4j', (t: string) => t.includes('# PROTOCOL: T=0') && !t.includes('T=1')],
      ['sja2.jsonl', 'native', (t: string) => JSON.parse(t.split('\n')[0]!).protocol === 'T=0'],
    ] as const) {
      const out = join(dir, name);
      const r = cli('trace', 'convert', '--json', REAL_GSMTAP, out);
      expect(r.status, r.stderr).toBe(0);
      const doc = TRACE_CONVERT_JSON.schema.parse(JSON.parse(r.stdout));
      expect(doc).toMatchObject({ input: REAL_GSMTAP, output: out, from: 'pcapng', to: format, protocol: 'T=0', protocolSource: 'header', atrs: 25, skipped: 0 }); // the phone resets the card 24 times
      // Without --fold-get-response the capture's T=0 TPDUs are written as captured (657 APDUs folded).
      expect(doc).toMatchObject({ commands: 932, responses: 932 });
      expect(doc.events).toBe(doc.commands + doc.responses + doc.atrs);
      expect(says(readFileSync(out, 'utf8'))).toBe(true);
    }
  });

  it('a trace without a stated protocol takes it from its ATR; a T=1 trace through pcapng stays T=1', () => {
    // A scriptor script states no protocol; its recorded ATR offers only T=0 (no TD1).
    const script = join(dir, 't0.scriptor');
    writeFileSync(script, '# < OK: 3B 6A 00 FF 00 31 C1 73 C8 40 00 00 90 00\n00A4040000\n# < 6A 82\n');
    const dump = join(dir, 't0.dump');
    const r = cli('trace', 'convert', '--json', script, dump);
    expect(TRACE_CONVERT_JSON.schema.parse(JSON.parse(r.stdout))).toMatchObject({ protocol: 'T=0', protocolSource: 'atr' });
    expect(readFileSync(dump, 'utf8')).toContain('# PROTOCOL: T=0');
    // No ATR and no header: the output states no protocol rather than a guessed T=1.
    const bare = join(dir, 'bare.scriptor');
    writeFileSync(bare, '00A4040000\n# < 6A 82\n');
    const r2 = cli('trace', 'convert', '--json', bare, join(dir, 'bare.dump'));
    expect(TRACE_CONVERT_JSON.schema.parse(JSON.parse(r2.stdout))).toMatchObject({ protocol: null, protocolSource: 'unknown' });
    expect(readFileSync(join(dir, 'bare.dump'), 'utf8')).not.toContain('PROTOCOL');
    // T=1 native → pcapng (section comment) → read back: still T=1, where a capture used to say T=0.
    const t1 = join(dir, 't1.jsonl');
    writeFileSync(t1, '{"cardforge":"trace","version":1,"tool":"t","protocol":"T=1"}\n{"e":"command","apdu":"00a4040000"}\n{"e":"response","data":"6a82"}\n');
    expect(cli('trace', 'convert', t1, join(dir, 't1.pcapng')).status).toBe(0);
    expect(TRACE_SHOW_JSON.schema.parse(JSON.parse(cli('trace', 'show', '--json', join(dir, 't1.pcapng')).stdout)).header.protocol).toBe('T=1');
    // The text summary says it too.
    expect(cli('trace', 'convert', REAL_GSMTAP, join(dir, 'x.scriptor-log')).stdout).toMatch(/protocol T=0/);
  });

  it('--to lists and accepts only the formats cardforge writes', () => {
    const help = cli('trace', 'convert', '--help').stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--to <format> output format (default: from the output file name): native, scriptor, scriptor-log, apdu4j, pcap, pcapng --fold');
    const r = cli('trace', 'convert', '--json', '--to', 'pcsc-spy', REAL_GSMTAP, join(dir, 'x.spy'));
    expect(r.status).toBe(1);
    const err = ERROR_JSON.schema.parse(JSON.parse(r.stdout)).error;
    expect(err.message).toMatch(/cannot write it; formats it writes: native, scriptor, scriptor-log, apdu4j, pcap, pcapng$/);
  });
});

describe('trace files that are not traces', () => {
  const dir = tempDir('cf-tb-');
  const error = (...args: string[]) => {
    const r = cli(...args, '--json');
    expect(r.status).toBe(1);
    return ERROR_JSON.schema.parse(JSON.parse(r.stdout)).error;
  };

  it('a missing file says "not found", an empty one "empty", with --from too', () => {
    const missing = join(dir, 'nope.jsonl');
    expect(error('trace', 'show', missing)).toEqual({ code: 'TRACE_NOT_FOUND', message: `${missing}: not found (no such file); check the path` });
    expect(error('trace', 'show', '--from', 'apdu4j', missing).code).toBe('TRACE_NOT_FOUND');
    const empty = join(dir, 'empty.pcapng');
    writeFileSync(empty, '');
    for (const from of [[], ['--from', 'pcapng'], ['--from', 'native']]) {
      expect(error('trace', 'show', ...from, empty)).toEqual({ code: 'TRACE_EMPTY', message: `${empty}: the file is empty (0 bytes): no trace to read` });
    }
    expect(error('trace', 'convert', empty, join(dir, 'o.jsonl')).code).toBe('TRACE_EMPTY');
  });

  it('a binary file is named with the offset, never with its bytes', () => {
    const bin = join(dir, 'blob.bin');
    // Text that could be a secret, among bytes that are not text.
    writeFileSync(bin, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('PIN=12345678 secret'), Buffer.from([0, 1, 2, 0xff, 0xfe])]));
    const messages = [error('trace', 'show', bin), error('trace', 'show', '--from', 'native', bin), error('trace', 'show', '--from', 'scriptor', bin), error('trace', 'convert', bin, join(dir, 'o.jsonl')), error('trace', 'show', '--from', 'pcap', bin)];
    for (const m of messages) {
      expect(m.message.startsWith(`${bin}: `)).toBe(true);
      expect(m.message).not.toMatch(/PIN|1234|secret|PK|\uFFFD/);
      expect([...m.message].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
    }
    expect(messages[0]!.message).toMatch(/binary content \(at byte 2\)/);
    expect(messages[1]!.message).toMatch(/binary content at byte 2: not a native trace/);
  });

  it('binary bytes past the first 64 KiB of a text trace: named by line and column, not echoed', () => {
    const f = join(dir, 'late.scriptor');
    const lines = Array.from({ length: 7000 }, () => '00A4040000');
    writeFileSync(f, `${lines.join('\n')}\n00A4\u0000PIN=1234\u0001\n`);
    const m = error('trace', 'show', f);
    expect(m).toEqual({ code: 'TRACE_SYNTAX', message: `${f}:7001: binary content at column 5: not a text trace (captures are read as pcap or pcapng)` });
  });
});

describe('trace replay --json', () => {
  it('the summary adds up (ATRs apart) and each exchange has its verdict; a difference exits 1', async () => {
    const dir = tempDir('cf-tr-');
    const image = join(dir, 'card.json');
    saveImageFile(image, loopbackCard());
    const rec = join(dir, 'rec.jsonl');
    writeFileSync(rec, await recordSession('seed-A'));
    const r = cli('trace', 'replay', '--json', rec, '--card', image, '--deterministic', 'seed-A');
    expect(r.status, r.stderr).toBe(0);
    const doc = TRACE_REPLAY_JSON.schema.parse(JSON.parse(r.stdout));
    expect(doc).toMatchObject({ ok: true, exchanges: 11, same: 11, masked: 0, different: 0, swAgree: 11, atrs: 2, atrsDifferent: 0 });
    expect(doc.results.map((x) => x.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(doc.results[0]).toMatchObject({ kind: 'exchange', name: 'SELECT', verdict: 'same', command: '00a404000af0636172646667010001' });

    // Another card's ATR and one changed answer: the ATR is reported apart, the counts still add up.
    const bad = join(dir, 'bad.jsonl');
    const text = (await recordSession('seed-A')).replace(/"atr":"[0-9a-f]+"/, '"atr":"3b00"').replace('"data":"0102039000"', '"data":"0102049000"');
    writeFileSync(bad, text);
    const b = cli('trace', 'replay', '--json', '-q', bad, '--card', image, '--deterministic', 'seed-B');
    expect(b.status).toBe(1);
    const d = TRACE_REPLAY_JSON.schema.parse(JSON.parse(b.stdout));
    expect(d.ok).toBe(false);
    expect(d.same + d.masked + d.different).toBe(d.exchanges);
    expect(d).toMatchObject({ exchanges: 11, atrs: 2, atrsDifferent: 1, different: 1, masked: 1 });
    expect(d.results.find((x) => x.kind === 'atr')).toMatchObject({ n: null, verdict: 'different', recorded: '3b00' });
    expect(d.results.find((x) => x.name === 'READ_STATE')!.diffs).toEqual([{ field: 'c', recorded: '04', actual: '03', masked: false }]);
    // The text summary: ATRs apart as well.
    expect(cli('trace', 'replay', '-q', bad, '--card', image, '--deterministic', 'seed-B').stdout).toMatch(/1 same except random fields, 1 different; status words agree on 11 of 11; 2 ATRs compared, 1 different\n$/);
  });
});
