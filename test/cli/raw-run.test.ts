/**
 * Issue 19 items 1 and 3, through the built CLI on a personalized T=0 SIM image:
 * - `send --raw` gives what a T=0 reader gives (9F17, then the user's own GET RESPONSE gets the
 *   data and 9000; 6Cxx shown, not re-sent), and the README's send lines do what the README says;
 * - `shell --raw` and `trace replay --raw` (the recorded GET RESPONSEs replayed, nothing fetched);
 * - `cardforge run`: scriptor scripts with `=> SW` expectations and "?" wildcards, ${NAME} from a
 *   profile (secrets starred) or --var, exit 0 / 1 at the first mismatch / 2 for a malformed
 *   script (nothing sent), --json checked against its schema, --junit;
 * - `send -` reading APDUs from stdin.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, builtCli, runCli, type CliResult } from './built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { RUN_JSON, SEND_JSON } from '../../host/cli/json/outputs.js';

const PROFILE = join(REPO, 'profiles/example-sim.yaml');
const PIN1 = '31323334ffffffff'; // "1234" as VERIFY carries it
const KI = '465b5ce8b199b49faa5f0a2ee238a6bc';
/** SELECT MF's GSM response on this image: 23 bytes (TS 51.011 §9.2.1). */
const MF_RESPONSE = '000010003f000100000000000a1302020500838a838a00';

let dir: string;
let sim: string;

/** The built CLI with `input` on stdin. */
function runWithStdin(args: readonly string[], input: string): Promise<CliResult> {
  const main = builtCli();
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [main, ...args], { cwd: REPO });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('error', rej);
    p.on('close', (code) => {
      clearTimeout(t);
      res({ code, stdout, stderr });
    });
    p.stdin.end(input);
  });
}

function script(name: string, lines: readonly string[]): string {
  const f = join(dir, name);
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

beforeAll(async () => {
  builtCli();
  dir = tempDir('cf-raw-run-');
  sim = join(dir, 'sim.json');
  const r = await runCli(['personalize', PROFILE, '-o', sim]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain('(T=0)');
});

describe('--raw: the answers a T=0 reader gives', () => {
  it('send --raw shows 9F17; the explicit A0 C0 then gets the 23 bytes and 9000', async () => {
    const r = await runCli(['send', '--card', sim, '--no-save', '--raw', '--json', 'A0 A4 00 00 02 3F 00', 'A0 C0 00 00 17']);
    expect(r.code, r.stderr).toBe(0);
    const out = SEND_JSON.schema.parse(JSON.parse(r.stdout));
    expect(out).toEqual([
      { command: 'a0a40000023f00', response: '9f17', sw: '9f17' },
      { command: 'a0c0000017', response: `${MF_RESPONSE}9000`, sw: '9000' },
    ]);
    const text = await runCli(['send', '--card', sim, '--no-save', '--raw', 'A0A40000023F00']);
    expect(text.stdout).toMatch(/^< 9F17 {2}23 response bytes are available/m);
  });

  it('the README send lines do what their comments say', async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const plain = 'npx cardforge send --card sim.json "A0 A4 00 00 02 3F 00"';
    const raw = 'npx cardforge send --card sim.json --raw "A0 A4 00 00 02 3F 00" "A0 C0 00 00 17"';
    expect(readme).toMatch(new RegExp(`^${plain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +# SELECT MF: the host fetches the 9F17 answer \\(T=0\\): data \\+ 9000$`, 'm'));
    expect(readme).toMatch(new RegExp(`^${raw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +# as a T=0 reader: 9F17, then your GET RESPONSE$`, 'm'));
    // Without --raw the host fetched: the data and 9000 at once, and nothing is left to fetch.
    const a = await runCli(['send', '--card', sim, '--no-save', '--json', 'A0 A4 00 00 02 3F 00', 'A0 C0 00 00 17']);
    expect(JSON.parse(a.stdout).map((x: { response: string }) => x.response)).toEqual([`${MF_RESPONSE}9000`, '6f00']);
    const b = await runCli(['send', '--card', sim, '--no-save', '--raw', '--json', 'A0 A4 00 00 02 3F 00', 'A0 C0 00 00 17']);
    expect(JSON.parse(b.stdout).map((x: { response: string }) => x.response)).toEqual(['9f17', `${MF_RESPONSE}9000`]);
  });

  it('send --raw shows 6Cxx instead of re-sending with that Le (T=0 loopback card)', async () => {
    const image = join(dir, 'loop-t0.json');
    expect((await runCli(['image', 'new', '--t0', '-o', image])).code).toBe(0);
    const raw = await runCli(['send', '--card', image, '--no-save', '--raw', '--json', '8012000005', '8012000010']);
    expect(JSON.parse(raw.stdout).map((x: { sw: string }) => x.sw)).toEqual(['6c10', '9000']);
    const host = await runCli(['send', '--card', image, '--no-save', '--json', '8012000005']);
    expect(JSON.parse(host.stdout)[0].response).toBe('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000');
  });

  it('on a T=1 card --raw changes nothing (T=1 answers whole), and send/run --help say what --raw means', async () => {
    const image = join(dir, 'loop-t1.json');
    expect((await runCli(['image', 'new', '-o', image])).code).toBe(0);
    const args = ['--json', '8012000005', '8012000010', '8014000003616263'];
    const raw = await runCli(['send', '--card', image, '--no-save', '--raw', ...args]);
    const host = await runCli(['send', '--card', image, '--no-save', ...args]);
    expect(raw.code, raw.stderr).toBe(0);
    expect(raw.stdout).toBe(host.stdout);
    const send = await runCli(['send', '--help']);
    const flat = send.stdout.replace(/\s+/g, ' '); // commander wraps option help
    expect(flat).toContain('--raw show the answers as a T=0 reader gives them');
    expect(flat).toContain('On a T=1 card or reader it changes nothing');
    const run = await runCli(['run', '--help']);
    expect(run.stdout).toContain('00A4000C023F00 => 9000        expect SW 9000, any data');
    expect(run.stdout.replace(/\s+/g, ' ')).toContain('--no-raw T=0: let the host send GET RESPONSE');
  });

  it('shell --raw leaves 9Fxx to get_response, and its help says which mode it is in', async () => {
    const raw = await runWithStdin(['shell', '--card', sim, '--no-save', '--raw'], 'gsm_select 3F00\nget_response 17 gsm\nhelp\n');
    expect(raw.code, raw.stderr).toBe(0);
    expect(raw.stdout).toMatch(/^< 9F17 /m);
    expect(raw.stdout).toMatch(/^< 00 00 10 00 3F 00 .* 9000 /m);
    expect(raw.stdout).toContain('T=0 (--raw): answers come as the card gives them');
    const host = await runWithStdin(['shell', '--card', sim, '--no-save'], 'gsm_select 3F00\nhelp\n');
    expect(host.stdout).toMatch(/^< 00 00 10 00 3F 00 .* 9000 /m);
    expect(host.stdout).toContain('T=0: the shell sends GET RESPONSE after 61xx/9Fxx');
    const help = await runCli(['shell', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('--raw show the answers as a T=0 reader gives them');
  });

  it('trace replay --raw replays a raw session with its own GET RESPONSE; without --raw the host fetches and it differs', async () => {
    const trace = join(dir, 'raw.jsonl');
    const rec = await runCli(['send', '--card', sim, '--no-save', '--raw', '--record', trace, 'A0A40000023F00', 'A0C0000017']);
    expect(rec.code, rec.stderr).toBe(0);
    const raw = await runCli(['trace', 'replay', trace, '--card', sim, '--raw']);
    expect(raw.code, raw.stdout + raw.stderr).toBe(0);
    expect(raw.stdout).toContain('replay: 2 exchanges: 2 same');
    const host = await runCli(['trace', 'replay', trace, '--card', sim]);
    expect(host.code).toBe(1);
    expect(host.stdout).toMatch(/replay: 2 exchanges: .* 2 different/);
  });
});

describe('cardforge run', () => {
  it('runs a scriptor script unchanged (no expectations): prints > / < lines, nothing fetched, exit 0', async () => {
    const f = script('plain.script', ['# from scriptor', 'reset', 'A0 A4 00 00 02 3F 00', 'A0C0000017', '00A4000402\\', '  3F00', 'exit', 'this line is never read']);
    const r = await runCli(['run', f, '--card', sim, '--no-save']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Using T=0 protocol \(emulator .*sim\.json, ATR 3B 9E /);
    expect(lines.slice(1)).toEqual([
      '> RESET',
      expect.stringMatching(/^< OK: 3B 9E 96 80 /),
      '> A0 A4 00 00 02 3F 00',
      '< 9F 17 : 23 response bytes are available (GSM GET RESPONSE)',
      '> A0 C0 00 00 17',
      `< ${MF_RESPONSE.toUpperCase().replace(/(..)/g, '$1 ')}90 00 : Normal ending of the command`,
      '> 00 A4 00 04 02 3F 00',
      expect.stringMatching(/^< 61 [0-9A-F]{2} : /),
      'run: 3 APDUs sent; 0 of 0 expectations held',
    ]);
  });

  it('the README example script (examples/sim-checks.script) holds on a card from the example profile', async () => {
    const r = await runCli(['run', 'examples/sim-checks.script', '--card', sim, '--no-save', '--profile', PROFILE]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('run: 8 APDUs sent; 8 of 8 expectations held');
    expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toContain('npx cardforge run examples/sim-checks.script --card sim.json --profile profiles/example-sim.yaml');
  });

  it('expectations with wildcards hold: 9F??, 61??, 63C?, data digit by digit; exit 0', async () => {
    const f = script('pass.script', [
      'A0A40000023F00 => 9F17',
      'A0C0000017 => 0000 1000 3F00 01 ???????????????????????????????? 9000',
      '00A40004023F00 => 61??',
      '0020000100 => 63C?  # PIN1 retry query',
      '00B0000001 => 69??',
    ]);
    const r = await runCli(['run', f, '--card', sim, '--no-save']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('< 63 C3 : ');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('run: 5 APDUs sent; 5 of 5 expectations held');
  });

  it('stops at the first mismatch with expected vs got and the line; exit 1; later lines not sent', async () => {
    const image = join(dir, 'mismatch.json');
    writeFileSync(image, readFileSync(sim));
    const f = script('fail.script', ['A0A40000023F00 => 9F??', '', 'A0A40000023F00 => 9000', 'A0 20 00 01 08 3132333435FFFFFF => 9804']);
    const r = await runCli(['run', f, '--card', image]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`! ${f}:3: expected 9000, got 9F17 (23 response bytes are available (GSM GET RESPONSE))`);
    expect(r.stdout).not.toContain('A0 20 00 01');
    expect(r.stdout.trim().split('\n').at(-1)).toBe(`run: stopped at ${f}:3: 1 of 3 expectations held before it; 2 APDUs sent, 1 step not run`);
    // The wrong CHV1 after the mismatch was never sent: still 3 tries.
    const tries = await runCli(['send', '--card', image, '--no-save', '--raw', '--json', 'A0A40000023F00', 'A0C0000017']);
    expect(JSON.parse(tries.stdout)[1].response.slice(36, 38)).toBe('83');
  });

  it('a data expectation compares digit by digit and length', async () => {
    const f = script('data.script', ['A0A40000023F00', 'A0C0000017 => 0000 1000 3F00 02 ???????????????????????????????? 9000']);
    const r = await runCli(['run', f, '--card', sim, '--no-save']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`! ${f}:2: expected 00 00 10 00 3F 00 02 ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? 9000, got ${MF_RESPONSE.toUpperCase().replace(/(..)(?!$)/g, '$1 ')} 9000 (Normal ending of the command)`);
  });

  it('variables from the profile: ${pin1} verifies, ${imsi} is EF_IMSI; secret digits starred in text, JSON and JUnit', async () => {
    const junit = join(dir, 'vars.xml');
    const f = script('vars.script', [
      'A0 20 00 01 08 ${pin1} => 9000',
      'A0A40000027F20 => 9F??',
      'A0A40000026F07 => 9F??',
      'A0B0000009 => ${imsi} 9000',
      '00A40400 10 ${ki} => 6A82  # a secret variable in a command that is not secret itself',
    ]);
    const text = await runCli(['run', f, '--card', sim, '--no-save', '--profile', PROFILE, '--junit', junit]);
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(text.stdout).toContain('> A0 20 00 01 08 ** ** ** ** ** ** ** **');
    expect(text.stdout).toContain('> 00 A4 04 00 10 ** ** ** ** ** ** ** ** ** ** ** ** ** ** ** **');
    expect(text.stdout).toContain('< 08 09 10 10 10 32 54 76 98 90 00 : ');
    const report = readFileSync(junit, 'utf8');
    for (const out of [text.stdout, report]) {
      expect(out.toLowerCase().replace(/\s/g, '')).not.toContain(PIN1);
      expect(out.toLowerCase().replace(/\s/g, '')).not.toContain(KI);
    }
    const json = await runCli(['run', f, '--card', sim, '--no-save', '--profile', PROFILE, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const parsed = RUN_JSON.schema.parse(JSON.parse(json.stdout));
    expect(parsed.ok).toBe(true);
    expect(parsed.steps[0]).toEqual({ line: 1, command: `a020000108${'*'.repeat(16)}`, response: '9000', sw: '9000', expected: '9000', ok: true });
    expect(parsed.steps[3]).toMatchObject({ line: 4, response: '0809101010325476989000', expected: '0809101010325476989000', ok: true });
    expect(parsed.steps[4]).toMatchObject({ command: `00a4040010${'*'.repeat(32)}`, ok: true });
    expect(json.stdout).not.toContain(PIN1);
    expect(json.stdout).not.toContain(KI);
    // --var overrides the profile, and a pin* name is starred too.
    const wrong = await runCli(['run', f, '--card', sim, '--no-save', '--profile', PROFILE, '--var', 'pin1=3132333435FFFFFF']);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(`! ${f}:1: expected 9000, got 9804`);
    expect(wrong.stdout).not.toMatch(/31 ?32 ?33 ?34 ?35/);
  });

  it('--json on a mismatch: ok false, the last step is the mismatch, notRun counts the rest; schema-valid', async () => {
    const f = script('json.script', ['reset', 'A0A40000023F00 => 61??', 'A0C0000017 => 9000', 'A0C0000017 => 9000']);
    const r = await runCli(['run', f, '--card', sim, '--no-save', '--json']);
    expect(r.code).toBe(1);
    const parsed = RUN_JSON.schema.parse(JSON.parse(r.stdout));
    expect(parsed.ok).toBe(false);
    expect(parsed.notRun).toBe(2);
    expect(parsed.steps).toEqual([
      { line: 1, reset: expect.stringMatching(/^3b9e/) },
      { line: 2, command: 'a0a40000023f00', response: '9f17', sw: '9f17', expected: '61??', ok: false },
    ]);
  });

  it('--junit: a test case per APDU line, the failure with expected vs got, the unrun ones skipped', async () => {
    const junit = join(dir, 'run.xml');
    const f = script('junit.script', ['A0A40000023F00 => 9F17', '00B0000001 => 6982', 'A0C0000017']);
    const r = await runCli(['run', f, '--card', sim, '--no-save', '--junit', junit]);
    expect(r.code).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuites tests="3" failures="1" skipped="1">');
    expect(xml).toContain('<testcase classname="cardforge.run" name="line 1: A0 A4 00 00 02 3F 00 =&gt; 9F17"></testcase>');
    expect(xml).toContain('<testcase classname="cardforge.run" name="line 2: 00 B0 00 00 01 =&gt; 6982"><failure message="expected 6982, got 6986"/></testcase>');
    expect(xml).toContain('<testcase classname="cardforge.run" name="line 3: A0 C0 00 00 17"><skipped message="not run: the script stopped at line 2"/></testcase>');
  });

  it.each([
    [['00A40004023F00', '00 20 00 01 08 ${pin9} => 9000'], '2:16: unknown variable ${pin9}; known: x; define it with --var pin9=HEX or take it from a profile (--profile FILE)'],
    [['00A4 0004 02 3FX0'], '1:16: not a hex digit in the APDU'],
    [['00A400040 => 9000'], '1:1: odd number of hex digits in the APDU (9); give whole bytes'],
    [['00A4 => 9000'], '1:1: an APDU has at least 4 bytes (CLA INS P1 P2), got 2'],
    [['00A40004023F00 => 90'], '1:19: the expected response ends with the 4-digit status word; got 2 digits'],
    [['00A40004023F00 =>'], '1:16: nothing after "=>"; write the expected status word (=> 9000), optionally data before it'],
    [['00A40004023F00 => 9000 => 6100'], '1:24: a second "=>" on the line; one expectation per APDU'],
    [['00A40004023F00 => 90G0'], '1:21: not a hex digit or "?" in the expected response'],
    [['00A4 0004 02 ${x'], '1:14: variable without its closing "}"; write ${NAME}'],
    [['00A40004023F00', '00A4\\', '', '# a comment'], '2:5: the file ends inside a continued ("\\") APDU; remove the last "\\" or add the rest of the APDU'],
  ])('a malformed script %j: exit 2, file:line:column and what to do, nothing sent', async (lines, message) => {
    const image = join(dir, 'untouched.json');
    writeFileSync(image, readFileSync(sim));
    const before = readFileSync(image, 'utf8');
    const f = script('bad.script', lines);
    const r = await runCli(['run', f, '--card', image, '--var', 'x=01']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`cardforge: ${f}:${message}\n`);
    expect(readFileSync(image, 'utf8')).toBe(before);
  });

  it('a malformed script under --json: the error object, exit 2', async () => {
    const r = await runWithStdin(['run', '-', '--card', sim, '--no-save', '--json'], '00A40004023F00 => 9\n');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'SCRIPT_INVALID', message: '<stdin>:1:19: the expected response ends with the 4-digit status word; got 1 digits' } });
  });

  it('--var and a missing script file are checked: usage error / unreadable file', async () => {
    const f = script('ok.script', ['00A40004023F00']);
    const bad = await runCli(['run', f, '--card', sim, '--var', 'pin1=31G2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('cardforge: --var pin1: not a hex digit at offset 2 of the value; values are hex, as they go into the APDU\n');
    const missing = await runCli(['run', join(dir, 'nope.script'), '--card', sim]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.script: cannot read the script \(ENOENT: no such file or directory\)/);
  });
});

describe('send -', () => {
  it('reads APDUs from stdin, one per line, comments and blank lines allowed', async () => {
    const r = await runWithStdin(['send', '--card', sim, '--no-save', '--raw', '--json', '-'], '# MF\nA0 A4 00 00 02 3F 00\n\nA0C0000017  # its response\n');
    expect(r.code, r.stderr).toBe(0);
    expect(SEND_JSON.schema.parse(JSON.parse(r.stdout)).map((x) => x.sw)).toEqual(['9f17', '9000']);
  });

  it('refuses run-only syntax and bad hex by line and column, sending nothing', async () => {
    const a = await runWithStdin(['send', '--card', sim, '--no-save', '-'], '00A40004023F00\n00A40004023F00 => 9000\n');
    expect(a.code).toBe(2);
    expect(a.stdout).toBe('');
    expect(a.stderr).toBe('cardforge: <stdin>:2:16: expectations (=> SW) are for `cardforge run`; `send -` takes plain APDUs\n');
    const b = await runWithStdin(['send', '--card', sim, '--no-save', '-'], '00A4 000Z\n');
    expect(b.stderr).toBe('cardforge: <stdin>:1:9: not a hex digit in the APDU\n');
    const c = await runWithStdin(['send', '--card', sim, '--no-save', '-'], '# nothing\n');
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/no APDU on stdin/);
  });
});
