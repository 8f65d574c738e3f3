/**
 * No PIN, PUK, ADM, code or key value in anything the CLI prints or keeps (issue 14, "PINs
 * printed", and part 5 "masking by declaration, everywhere"). The secrets are the example
 * profiles' own (profiles/example-*.yaml: PINs, PUKs, ADM1, Ki, OPc, the payment and unblock
 * codes, the MAC key, the user credential, the ledger consent code), searched in hex (as the
 * APDUs carry them) and as text tokens.
 *
 * One test per leak the issue found — each failed on the code before host/trace/mask.ts:
 * - `shell` echoed a VERIFY / CHANGE / UNBLOCK typed in hex unmasked;
 * - `shell` wrote that hex line to its history file (only `verify`/`unblock` lines were filtered);
 * - a secret command whose length does not parse (`A0 20 00 01 09` + 8 bytes) was printed in
 *   clear by `send`, `trace show` and `emulate -v` (what a remote client sends);
 * - `send --json` printed the raw command;
 * - a bad-hex error repeated the whole argument, PIN included.
 * Then the scan: every CLI command the suite exercises, run with those secrets — send (text and
 * JSON; valid and malformed, SIM, payment and ledger), shell (pipe; history file through a pty),
 * trace show of a recorded session with VERIFY/CHANGE/UNBLOCK, personalize (-o, --dry-run),
 * prove --json/--junit, demo (text and --json), emulate -v — 0 values in stdout, stderr, JSON, JUnit and history. The
 * reveal switches (send --show-secrets, trace show --reveal) are the positive control: the
 * scanner finds the values there.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { parse } from 'yaml';
import { builtCli, runCli, REPO, type CliResult } from '../cli/built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { LEDGER_AID, PAYMENT_AID } from '../../apdu-specs/index.js';
import { showTrace } from '../../host/trace/show.js';
import { hexToBytes } from '../../card/runtime/bytes.js';
import type { TraceEvent } from '../../host/trace/events.js';

// ---- the secrets, from the profiles themselves ----

interface Secret {
  readonly what: string;
  /** Hex forms (lower case) searched in the output with whitespace and colons removed. */
  readonly hex: readonly string[];
  /** Text forms, searched as tokens (an IMSI 001010123456789 holds "12345678", not as a token). */
  readonly text: readonly string[];
}

type Yaml = Record<string, Record<string, unknown> | undefined>;
const utf = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const isHex = (s: string): boolean => /^([0-9a-f]{2})+$/i.test(s) && s.length >= 16;

function secretsOf(file: string): Secret[] {
  const p = parse(readFileSync(join(REPO, 'profiles', file), 'utf8')) as Yaml;
  const out: Secret[] = [];
  const add = (what: string, v: unknown): void => {
    if (typeof v !== 'string' || !v) return;
    // Keys (Ki, OPc, MAC key, an ADM given in hex) are bytes; PINs, PUKs and codes are ASCII.
    out.push(isHex(v) ? { what, hex: [v.toLowerCase()], text: [] } : { what, hex: [utf(v)], text: [v] });
  };
  add(`${file} auth.ki`, p['auth']?.['ki']);
  add(`${file} auth.opc`, p['auth']?.['opc']);
  for (const k of ['pin1', 'puk1', 'pin2', 'puk2', 'adm1']) add(`${file} pins.${k}`, p['pins']?.[k]);
  for (const k of ['payment_code', 'unblock_code', 'mac_key']) add(`${file} payment.${k}`, p['payment']?.[k]);
  for (const u of (p['payment']?.['users'] as { credential?: string }[] | undefined) ?? []) add(`${file} payment user credential`, u.credential);
  add(`${file} ledger.consent.code`, (p['ledger']?.['consent'] as { code?: string } | undefined)?.code);
  return out;
}

const SECRETS = [...secretsOf('example-sim.yaml'), ...secretsOf('example-seeds.yaml')];
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every secret value found in `text` ("what: form"). */
function leaks(text: string): string[] {
  const flat = text.toLowerCase().replace(/[\s:]+/g, '');
  const found = new Set<string>();
  for (const s of SECRETS) {
    for (const h of s.hex) if (flat.includes(h)) found.add(`${s.what}: ${h}`);
    for (const t of s.text) if (new RegExp(`(?<![0-9A-Za-z])${escape(t)}(?![0-9A-Za-z])`).test(text)) found.add(`${s.what}: "${t}"`);
  }
  return [...found];
}

function expectNoSecrets(where: string, ...texts: string[]): void {
  expect(leaks(texts.join('\n')), `${where} prints a secret:\n${texts.join('\n')}`).toEqual([]);
}

const out = (r: CliResult): string => `${r.stdout}\n${r.stderr}`;

// ---- the APDUs that carry them ----

const ff = (s: string, n = 8): string => utf(s).padEnd(2 * n, 'f');
const lc = (hex: string): string => (hex.length / 2).toString(16).padStart(2, '0');
const apdu = (header: string, data: string): string => `${header}${lc(data)}${data}`;
const sim = parse(readFileSync(join(REPO, 'profiles/example-sim.yaml'), 'utf8')) as { pins: Record<string, string> };
const seeds = parse(readFileSync(join(REPO, 'profiles/example-seeds.yaml'), 'utf8')) as { payment: Record<string, string>; ledger: { consent: { code: string } } };
const { pin1, puk1, pin2, adm1 } = sim.pins;
const pay = seeds.payment;

/** SIM/USIM: VERIFY, CHANGE, UNBLOCK, DISABLE-free (the card stays usable), ADM, in class A0 and 00. */
const SIM_SECRET_APDUS = [
  apdu('a0200001', ff(pin1!)),
  apdu('00200001', ff(pin1!)),
  apdu('00200081', ff(pin2!)),
  apdu('0020000a', utf(adm1!)),
  apdu('a0240001', ff(pin1!) + ff(pin1!)),
  apdu('00240001', ff(pin1!) + ff(pin1!)),
  apdu('002c0001', ff(puk1!) + ff(pin1!)),
  apdu('a02c0000', ff(puk1!) + ff(pin1!)),
];
/** Secret commands whose length does not parse: Lc 09 before 8 bytes, Lc 07 before 8, Lc missing. */
const MALFORMED = [`a020000109${ff(pin1!)}`, `0020000a07${utf(adm1!)}`, `00200001${ff(pin1!)}`, `0024000110${ff(pin1!)}${ff(pin1!)}00ff`];
const PAYMENT = [`00a404000a${PAYMENT_AID}`, apdu('00200081', utf(pay['payment_code']!)), apdu('002c0081', utf(pay['unblock_code']!) + utf(pay['payment_code']!))];
const LEDGER = [`00a404000a${LEDGER_AID}`, apdu('00200081', utf(seeds.ledger.consent.code))];

let dir: string;
let card: string;
let cli: string;
beforeAll(async () => {
  cli = builtCli();
  dir = tempDir('cf-secret-scan-');
  card = join(dir, 'seeds.json');
  const r = await runCli(['personalize', join(REPO, 'profiles/example-seeds.yaml'), '--backend-keys', 'demo', '-o', card]);
  expect(r.code, r.stderr).toBe(0);
  expectNoSecrets('personalize -o', out(r));
}, 120_000);

const send = (...args: string[]): Promise<CliResult> => runCli(['send', '--card', card, '--no-save', ...args]);

function shellPipe(lines: readonly string[]): CliResult {
  const r = spawnSync(process.execPath, [cli, 'shell', '--card', card, '--no-save'], { input: `${lines.join('\n')}\nquit\n`, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const haveScript = spawnSync('script', ['--version']).status === 0;

/** The shell in a terminal (a pty through util-linux `script`), so it keeps a history file; returns the file. */
function shellInTerminal(lines: readonly string[]): string {
  const history = join(dir, `history-${Math.random().toString(36).slice(2)}`);
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} shell --card ${JSON.stringify(card)} --no-save`;
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { input: `${lines.join('\n')}\nquit\n`, encoding: 'utf8', timeout: 30_000, env: { ...process.env, CARDFORGE_HISTORY: history } });
  expect(r.status, r.stderr).toBe(0);
  expect(existsSync(history), `no history written:\n${r.stdout}`).toBe(true);
  return readFileSync(history, 'utf8');
}

/** `cardforge emulate -v` against a stand-in for vpcd (the card side connects to it): power on, the APDUs, SIGTERM. */
async function emulateVerbose(apdus: readonly string[]): Promise<string> {
  const image = join(dir, 'emulated.json');
  copyFileSync(card, image);
  let socket: Socket | undefined;
  const connected = new Promise<Socket>((res) => {
    const server = createServer((s) => {
      socket = s;
      server.close();
      res(s);
    });
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      child = spawn(process.execPath, [cli, 'emulate', '--card', image, '--vpcd', `127.0.0.1:${port}`, '-v'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    });
  });
  let child: ReturnType<typeof spawn> | undefined;
  let log = '';
  const s = await connected;
  let buf = Buffer.alloc(0);
  const waiting: ((b: Buffer) => void)[] = [];
  s.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const n = buf.readUInt16BE(0);
      const frame = buf.subarray(2, 2 + n);
      buf = buf.subarray(2 + n);
      waiting.shift()?.(frame);
    }
  });
  const frame = (payload: Buffer): Buffer => Buffer.concat([Buffer.from([payload.length >> 8, payload.length & 0xff]), payload]);
  const ask = (payload: Buffer): Promise<Buffer> =>
    new Promise((res) => {
      waiting.push(res);
      s.write(frame(payload));
    });
  s.write(frame(Buffer.from([0x01]))); // power on (no reply)
  await ask(Buffer.from([0x04])); // ATR
  for (const a of apdus) await ask(Buffer.from(a, 'hex'));
  const exited = new Promise<void>((res) => child!.once('exit', () => res()));
  child!.kill('SIGTERM');
  await exited;
  socket?.destroy();
  return log;
}

describe('the leaks of issue 14, one test each', () => {
  it('shell: a VERIFY / CHANGE / UNBLOCK typed in hex is echoed with stars', () => {
    const r = shellPipe(SIM_SECRET_APDUS.map((a) => a.replace(/(..)/g, '$1 ').trim()));
    expectNoSecrets('shell echo', out(r));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('> A0 20 00 01 08 ** ** ** ** ** ** ** **  (GSM_VERIFY_CHV)');
    expect(r.stdout).toMatch(/< 9000/);
  }, 60_000);

  it.skipIf(!haveScript)('shell: the history file keeps a hex VERIFY only starred, by the command sent (hex, alias or spec name)', () => {
    const typed = [SIM_SECRET_APDUS[0]!, SIM_SECRET_APDUS[5]!, `gsm_verify_chv 0001 ${ff(pin1!)}`, `verify_chv pin1 ${pin1}`, 'select 3F00'];
    const history = shellInTerminal(typed);
    expectNoSecrets('shell history', history);
    expect(history.split('\n')).toEqual(['A0 20 00 01 08 ** ** ** ** ** ** ** **', `00 24 00 01 10 ${'** '.repeat(15)}**`, 'A0 20 00 01 08 ** ** ** ** ** ** ** **', '00 20 00 01 08 ** ** ** ** ** ** ** **', 'select 3F00', 'quit', '']);
  }, 60_000);

  it('send: a secret command whose length does not parse is printed header only', async () => {
    const r = await send(...MALFORMED);
    expectNoSecrets('send (malformed)', out(r));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`> A0 20 00 01 ${'** '.repeat(8)}**  (GSM_VERIFY_CHV)`);
  }, 60_000);

  it('trace show: a recorded secret command whose length does not parse is printed header only', () => {
    const events: TraceEvent[] = [{ kind: 'power-on' }, ...MALFORMED.flatMap((a): TraceEvent[] => [{ kind: 'command', apdu: hexToBytes(a) }, { kind: 'response', data: hexToBytes('6700') }])];
    const lines = [...showTrace({ header: { tool: 'test' }, events })].join('\n');
    expectNoSecrets('trace show (malformed)', lines);
    expect(lines).toContain(`> A0 20 00 01 ${'** '.repeat(8)}**  (GSM_VERIFY_CHV)`);
  });

  it('emulate -v: what a remote client sends, malformed or not, is logged starred', async () => {
    const log = await emulateVerbose([...MALFORMED, ...SIM_SECRET_APDUS, ...PAYMENT, ...LEDGER]);
    expectNoSecrets('emulate -v', log);
    expect(log).toContain(`> A0 20 00 01 ${'** '.repeat(8)}**  (GSM_VERIFY_CHV)`);
    expect(log).toContain('> 00 20 00 81 04 ** ** ** **'); // the payment code, after the applet's SELECT
  }, 60_000);

  it('send --json: the command is starred like the text', async () => {
    const r = await send('--json', ...SIM_SECRET_APDUS, ...MALFORMED);
    expectNoSecrets('send --json', out(r));
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { command: string }[];
    expect(rows[0]!.command).toBe(`a020000108${'*'.repeat(16)}`);
    expect(rows[SIM_SECRET_APDUS.length]!.command).toBe(`a0200001${'*'.repeat(18)}`);
  }, 60_000);

  it('a bad-hex error names the offset, never the argument (send and shell)', async () => {
    const bad = `00 20 00 01 08 ${ff(pin1!).slice(0, 14)}zz`;
    const r = await send(bad);
    const sh = shellPipe([`uicc_verify_pin 0001 ${ff(pin1!).slice(0, 14)}zz`, `select ${utf(pin1!)}z`, `${utf(pin1!)} 1`]);
    expectNoSecrets('bad-hex errors', out(r), out(sh));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cardforge: APDU 1: not a hex digit at offset 29\n');
    expect(sh.stdout).toContain('uicc_verify_pin: data: not a hex digit at offset 14');
  }, 60_000);
});

describe('secret scan: every CLI command the suite runs, with the example profiles\' secrets', () => {
  it('send (text and JSON; SIM, payment, ledger), shell on a pipe, trace show of a recorded session', async () => {
    const trace = join(dir, 'session.jsonl');
    const all = [...SIM_SECRET_APDUS, ...MALFORMED];
    const texts: [string, string][] = [];
    let r = await send('--record', trace, ...all);
    expect(r.code, r.stderr).toBe(0);
    texts.push(['send --record', out(r)]);
    texts.push(['send payment', out(await send(...PAYMENT))]);
    texts.push(['send payment --json', out(await send('--json', ...PAYMENT))]);
    texts.push(['send ledger', out(await send(...LEDGER))]);
    texts.push(['send ledger --json', out(await send('--json', ...LEDGER))]);
    const sh = shellPipe([`verify_chv chv1 ${pin1}`, `verify_chv pin2 ${pin2}`, `verify_chv adm1 ${adm1}`, `unblock_chv pin1 ${puk1} ${pin1}`, `change_chv pin1 ${pin1} ${pin1}`, `uicc_change_pin 0001 ${ff(pin1!)}${ff(pin1!)}`, ...PAYMENT, ...LEDGER, ...MALFORMED]);
    expect(sh.code, sh.stderr).toBe(0);
    texts.push(['shell (pipe)', out(sh)]);
    r = await runCli(['trace', 'show', trace]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/UICC_CHANGE_PIN[\s\S]*UICC_UNBLOCK_PIN/);
    texts.push(['trace show', out(r)]);
    for (const [where, text] of texts) expectNoSecrets(where, text);

    // Positive control: the reveal switches show the values, and the scanner sees them.
    const shown = await send('--show-secrets', SIM_SECRET_APDUS[0]!, MALFORMED[0]!);
    expect(leaks(out(shown))).toContain(`example-sim.yaml pins.pin1: ${utf(pin1!)}`);
    expect(JSON.parse((await send('--json', '--show-secrets', SIM_SECRET_APDUS[0]!)).stdout)[0].command).toBe(SIM_SECRET_APDUS[0]);
    expect(leaks(out(await runCli(['trace', 'show', '--reveal', trace])))).toContain(`example-sim.yaml pins.puk1: ${utf(puk1!)}`);
  }, 120_000);

  it('personalize --dry-run (SIM, and SIM + payment + ledger), prove --json and --junit, demo (text and --json)', async () => {
    const texts: [string, string][] = [];
    // The demo story runs on example-seeds.yaml: CHV1, the payment code, the ledger consent.
    const [demo, demoJson] = await Promise.all([runCli(['demo'], { timeoutMs: 90_000 }), runCli(['demo', '--json'], { timeoutMs: 90_000 })]);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toContain(`A020000108${"*".repeat(16)}`);
    texts.push(['demo', out(demo)], ['demo --json', out(demoJson)]);
    texts.push(['personalize --dry-run example-sim', out(await runCli(['personalize', join(REPO, 'profiles/example-sim.yaml'), '--dry-run']))]);
    texts.push(['personalize --dry-run example-seeds', out(await runCli(['personalize', join(REPO, 'profiles/example-seeds.yaml'), '--dry-run', '--backend-keys', 'demo']))]);
    const proved = join(dir, 'proved.json');
    copyFileSync(card, proved);
    const junit = join(dir, 'junit.xml');
    const prove = await runCli(['prove', '--card', proved, '--profile', join(REPO, 'profiles/example-seeds.yaml'), '--backend-keys', 'demo', '--json', '--junit', junit], { timeoutMs: 60_000 });
    expect(prove.code, prove.stderr).toBe(0);
    expect(JSON.parse(prove.stdout).failed).toBe(0);
    texts.push(['prove --json', out(prove)], ['prove --junit', readFileSync(junit, 'utf8')]);
    for (const [where, t] of texts) expectNoSecrets(where, t);
  }, 180_000);
});

describe('secret scan: the Issuer Security Domain\'s static keys (issue 21)', () => {
  // A profile with its own ISD keys (not the well-known test keys, which are public): ENC, MAC and
  // DEK distinct, and the keys of a new key set given to put-key. None may appear in anything the
  // CLI prints or records: personalize, gp info/list/put-key (text and JSON), a recorded gp session
  // and its trace show, image show (text and JSON).
  const ENC = '8a1f3e5c7b9d2f4e6a8c0b1d3f5e7a9c';
  const MAC = '2c4e6a8c0e1f3b5d7f9a1c3e5b7d9f0a';
  const DEK = '9e7c5a3f1d0b8e6c4a2f0d9b7e5c3a1f';
  const NEW = '5d3b1f9e7c5a3e1c0f8d6b4a2e0c9f7b';
  const KEYS = [ENC, MAC, DEK, NEW];
  const keyLeaks = (text: string): string[] => {
    const flat = text.toLowerCase().replace(/[\s:]+/g, '');
    return KEYS.filter((k) => flat.includes(k) || flat.includes(k.slice(0, 16)) || flat.includes(k.slice(16)));
  };

  it('personalize with isd: keys, gp info / list / put-key, gp --record + trace show, image show: no key or half of one', async () => {
    const profile = join(dir, 'isd-keys.yaml');
    const src = readFileSync(join(REPO, 'profiles/example-sim.yaml'), 'utf8');
    writeFileSync(profile, `${src}\nisd:\n  scp: "03"\n  kvn: 0x30\n  enc: "${ENC}"\n  mac: "${MAC}"\n  dek: "${DEK}"\n`);
    const image = join(dir, 'isd-keys.json');
    const texts: [string, string][] = [];
    const p = await runCli(['personalize', profile, '-o', image]);
    expect(p.code, p.stderr).toBe(0);
    texts.push(['personalize', out(p)]);
    const keyArgs = ['--kvn', '0x30', '--enc', ENC, '--mac', MAC, '--dek', DEK];
    const trace = join(dir, 'gp-session.jsonl');
    for (const args of [
      ['gp', 'info', '--card', image],
      ['gp', 'info', '--card', image, '--json'],
      ['gp', 'list', '--card', image, ...keyArgs, '--level', 'mac+enc+rmac+renc'],
      ['gp', 'list', '--card', image, ...keyArgs, '--json', '--record', trace],
      ['gp', 'put-key', '--card', image, ...keyArgs, '--level', 'mac+enc', '--new-kvn', '0x31', '--new-key', NEW, '--json'],
      ['gp', 'list', '--card', image, '--kvn', '0x31', '--key', NEW],
      ['trace', 'show', trace],
      ['trace', 'show', trace, '--json'],
      ['image', 'show', image],
      ['image', 'show', image, '--json'],
    ]) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
      texts.push([args.join(' '), out(r)]);
    }
    // The positive control: the image file itself holds the keys (the scanner finds them there).
    expect(keyLeaks(readFileSync(image, 'utf8')).length).toBeGreaterThan(0);
    for (const [where, t] of texts) expect(keyLeaks(t), where).toEqual([]);
  }, 180_000);
});
