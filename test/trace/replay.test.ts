/**
 * Replay: a recorded emulator session replays byte-exact with the same seed (deterministic mode);
 * with another seed only the field the spec marks random (GET CHALLENGE's challenge) differs and
 * is masked; a card that really answers differently is reported field by field, and the CLI exits
 * 1. Guards: masking everything (a diff that never fails), masking nothing (replays that always
 * fail on challenges), a diff that names the wrong field, secrets printed by `trace show`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { readTraceText } from '../../host/trace/formats/index.js';
import { compareResponse, formatResult, formatSummary, replay } from '../../host/trace/replay.js';
import { showTrace } from '../../host/trace/show.js';
import { saveImageFile } from '../../host/store/index.js';
import { createProgram } from '../../host/cli/program.js';
import { loopbackCard, recordSession } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

async function replayText(text: string, seed: string) {
  const t = new EmulatorTransport(loopbackCard(seed));
  try {
    return await replay(readTraceText(text, 'native', 'rec.jsonl'), t);
  } finally {
    await t.close();
  }
}

describe('replay against the emulator', () => {
  it('is byte-exact with the recording seed: every exchange the same, none masked', async () => {
    const rec = await recordSession('seed-A');
    const r = await replayText(rec, 'seed-A');
    expect(r).toMatchObject({ exchanges: 11, same: 11, masked: 0, different: 0, ok: true });
  });

  it('with another seed only the random challenge differs, and it is masked', async () => {
    const r = await replayText(await recordSession('seed-A'), 'seed-B');
    expect(r).toMatchObject({ exchanges: 11, same: 10, masked: 1, different: 0, ok: true });
    expect(r.notable[0]!.name).toBe('GET_CHALLENGE');
    expect(r.notable[0]!.diffs.map((d) => [d.field, d.masked])).toEqual([['challenge', true]]);
  });

  it('a card that answers differently is reported with exactly the differing fields', async () => {
    const rec = (await recordSession('seed-A'))
      .replaceAll('"data":"0102039000"', '"data":"0109039000"') // READ_STATE: field b
      .replace('"data":"6d00","sw":"6d00"', '"data":"9000","sw":"9000"'); // INS AA: the SW
    const r = await replayText(rec, 'seed-A');
    expect(r.ok).toBe(false);
    expect(r.different).toBe(3); // READ_STATE twice (before and after the reset), INS AA
    expect(r.notable.map((n) => [n.index + 1, n.name, n.diffs.map((d) => `${d.field}:${bytesToHex(d.expected)}->${bytesToHex(d.actual)}`)])).toEqual([
      [6, 'READ_STATE', ['b:09->02']],
      [9, 'INS AA', ['SW:9000->6d00']],
      [11, 'READ_STATE', ['b:09->02']],
    ]);
  });

  it('compareResponse: a random field of another length, or data on an error SW, is a real difference', () => {
    const gc = hexToBytes('0084000008');
    expect(compareResponse(gc, hexToBytes('01020304050607089000'), hexToBytes('0102039000')).status).toBe('different');
    expect(compareResponse(gc, hexToBytes('01020304050607089000'), hexToBytes('11121314151617189000'), true).status).toBe('different');
    expect(compareResponse(gc, hexToBytes('6a82'), hexToBytes('6a82')).status).toBe('same');
  });
});

describe('replay report', () => {
  it('a status word is explained with its count filled in (611A: 26 bytes), never "xx"', () => {
    const cmd = hexToBytes('00a4000c023f00');
    const c = compareResponse(cmd, hexToBytes('611a'), hexToBytes('9f0f'));
    const lines = formatResult({ index: 0, name: 'SELECT', command: cmd, expected: hexToBytes('611a'), actual: hexToBytes('9f0f'), ...c }, (b) => bytesToHex(b).toUpperCase());
    expect(lines[1]).toBe('    SW: recorded 611A (26 response bytes are still available (GET RESPONSE)), got 9F0F (15 response bytes are available (GSM GET RESPONSE))');
  });

  it('the summary adds up: exchanges = same + masked + different, ATRs apart', () => {
    const s = { exchanges: 5, same: 3, masked: 1, different: 1, atrs: 2, atrsDifferent: 1, swDifferent: 1, notable: [], ok: false };
    expect(formatSummary(s)).toBe('replay: 5 exchanges: 3 same, 1 same except random fields, 1 different; status words agree on 4 of 5; 2 ATRs compared, 1 different');
    expect(formatSummary({ ...s, atrs: 0, atrsDifferent: 0 })).toMatch(/; no ATR recorded$/);
  });
});

describe('trace show', () => {
  it('decodes names, fields and SW meanings, and stars secret fields unless revealed', () => {
    // 00 20 00 81 with a code: a VERIFY-type command whose data the specs mark secret.
    const text = '{"cardforge":"trace","version":1,"tool":"t"}\n{"e":"command","apdu":"0084000004"}\n{"e":"response","data":"a1b2c3d49000"}\n{"e":"command","apdu":"80aa0000"}\n{"e":"response","data":"6d00"}\n{"e":"command","apdu":"002000810431323334"}\n{"e":"response","data":"63c2"}\n';
    const lines = [...showTrace(readTraceText(text, 'native'))];
    expect(lines).toContain('#1 > 00 84 00 00 04  (GET_CHALLENGE)');
    expect(lines).toContain('      challenge: A1B2C3D4  (random)');
    expect(lines).toContain('   < 6D00  Instruction code not supported or invalid');
    expect(lines).toContain('   < 63C2  Verification failed, 2 further retries allowed');
    const shown = lines.join('\n');
    expect(shown).not.toMatch(/31 ?32 ?33 ?34/);
    expect(shown).toMatch(/#3 > 00 20 00 81 04 \*\* \*\* \*\* \*\* {2}\(/);
    expect(shown).toMatch(/: \*{8}\n/);
    const revealed = [...showTrace(readTraceText(text, 'native'), { reveal: true })].join('\n');
    expect(revealed).toContain('31 32 33 34');
  });
});

describe('cardforge trace (in process)', () => {
  const out: string[] = [];
  const err: string[] = [];
  const run = async (...args: string[]): Promise<number> => {
    out.length = 0;
    err.length = 0;
    process.exitCode = undefined;
    const p = createProgram({ out: (l) => out.push(l), err: (l) => err.push(l) });
    await p.parseAsync(['node', 'cardforge', ...args]);
    const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
    process.exitCode = undefined;
    return code;
  };
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('replay --deterministic exits 0 on the recording, 1 with the differing field printed; convert + show work', async () => {
    const dir = tempDir('cf-trace-');
    const image = join(dir, 'card.json');
    saveImageFile(image, loopbackCard());
    const rec = join(dir, 'rec.jsonl');
    writeFileSync(rec, await recordSession('seed-A'));
    expect(await run('trace', 'replay', rec, '--card', image, '--deterministic', 'seed-A', '-q')).toBe(0);
    expect(out.at(-1)).toBe('replay: 11 exchanges: 11 same, 0 same except random fields, 0 different; status words agree on 11 of 11; 2 ATRs compared, 0 different');
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, (await recordSession('seed-A')).replace('"data":"0102039000"', '"data":"0102049000"'));
    expect(await run('trace', 'replay', bad, '--card', image, '--deterministic', 'seed-B')).toBe(1);
    expect(out).toContain('#6 > 8018000003 (READ_STATE)  DIFFERENT');
    expect(out).toContain('    c: recorded 04, got 03');
    expect(out).toContain('    challenge (random, masked): recorded ' + out.find((l) => l.startsWith('    challenge'))!.split('recorded ')[1]);
    const pcap = join(dir, 'rec.pcapng');
    expect(await run('trace', 'convert', rec, pcap)).toBe(0);
    expect(out[0]).toMatch(/\(native\) → .*rec\.pcapng \(pcapng\): \d+ events/);
    expect(await run('trace', 'show', pcap)).toBe(0);
    expect(out.join('\n')).toContain('(SHA256)');
    // A replay of a guessed format says what it read the file as, as show does.
    expect(await run('trace', 'replay', pcap, '--card', image, '--deterministic', 'seed-A', '-q')).toBe(0);
    expect(err.join('\n')).toMatch(/read as .*pcapng/);
  });

  it('a malformed line fails with file:line; --keep-going reports it and shows the rest', async () => {
    const dir = tempDir('cf-trace-');
    const f = join(dir, 'broken.jsonl');
    writeFileSync(f, '{"cardforge":"trace","version":1,"tool":"t"}\n{"e":"command","apdu":"8012000010"}\n{"e":"response","data":"9g00"}\n{"e":"command","apdu":"80aa0000"}\n{"e":"response","data":"6d00"}\n');
    await expect(run('trace', 'show', f)).rejects.toThrow(new RegExp(`^${f}:3: "data": "g" is not a hex digit`));
    expect(await run('trace', 'show', f, '--keep-going')).toBe(1);
    expect(err[0]).toMatch(/skipped .*broken\.jsonl:3:/);
    expect(out.join('\n')).toContain('(INS AA)');
  });
});
