/**
 * The shell a SIM engineer keeps open all day (issue 19 item 5, pySim-shell as the model): one
 * snake_case name per command and a completion list without duplicates or commands of applets the
 * card lacks; Tab completion of file names and FIDs valid in the current DF, AIDs and PIN
 * references; `select EF_IMSI` / `select MF` by name; decoded contents on read; extra arguments
 * refused; piped-mode failures exit non-zero; `gsm_status` without Le.
 * Guards: `gsm-select` and `gsm_select` both listed; `select 3F00 junk` sending 3F00; a pipe whose
 * lines failed exiting 0; A0 F2 00 00 answered 6700 and left at that.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SHELL_JSON } from '../../host/cli/json/outputs.js';
import { builtCli, runCli, REPO } from './built-cli.js';
import { ShellEvaluator } from '../../host/shell/shell.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { Card, bytesToHex } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { SIM_APPLET_AID } from '../../apdu-specs/aids.js';
import { simCard } from '../applets/sim/helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A shell on an emulated SIM, with the APDUs it sends recorded. */
async function simShell(): Promise<{ sh: ShellEvaluator; sent: string[] }> {
  const t = new EmulatorTransport(simCard());
  await t.connect();
  const sent: string[] = [];
  t.on('exchange', (cmd: Uint8Array) => sent.push(bytesToHex(cmd).toUpperCase()));
  return { sh: new ShellEvaluator(t), sent };
}

const MF_EFS = ['EF_DIR', 'EF_ICCID', 'EF_PL', 'EF_ARR', 'EF_UMPC'];

describe('shell command names', () => {
  it('one snake_case name per command, without duplicates, and only the applets on the card', async () => {
    const { sh } = await simShell();
    const names = sh.complete('')[0];
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => /-/.test(n))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['select', 'gsm_select', 'read_binary', 'read_record', 'update_binary', 'verify_chv', 'unblock_chv', 'status', 'gsm_status', 'dir', 'apdu', 'help', 'quit']));
    expect(names.filter((n) => n === 'select' || n === 'gsm_select')).toEqual(['gsm_select', 'select']);
    // The loopback, payment and ledger applets are not on this card.
    expect(names.filter((n) => /^(echo|fixed16|ledger_|payment_|wallet_)/.test(n))).toEqual([]);
    expect(sh.complete('read_')).toEqual([['read_binary', 'read_record'], 'read_']);

    const card = new Card();
    card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
    const t = new EmulatorTransport(card);
    await t.connect();
    const loop = new ShellEvaluator(t).complete('')[0];
    expect(loop).toEqual(expect.arrayContaining(['echo', 'fixed16', 'select', 'apdu']));
    // GSM_GET_RESPONSE is the runtime's (every card), the rest the SIM's.
    expect(loop.filter((n) => /chv|gsm_|uicc_|binary|^dir$/.test(n))).toEqual(['gsm_get_response']);
  });

  it('the old dashed spellings are unknown, with the one name to use', async () => {
    const { sh, sent } = await simShell();
    expect(await sh.eval('read-binary')).toEqual({ lines: ['unknown command "read-binary"; did you mean read_binary? (type help)'], error: true });
    expect(await sh.eval('gsm-select 7F20')).toEqual({ lines: ['unknown command "gsm-select"; did you mean gsm_select? (type help)'], error: true });
    expect(sent).toEqual([]);
  });
});

describe('shell completion of arguments', () => {
  it('select: the names and FIDs of the current DF, in the MF, DF_GSM and ADF_USIM', async () => {
    const { sh } = await simShell();
    expect(new Set(sh.complete('select EF')[0])).toEqual(new Set(MF_EFS));
    expect(new Set(sh.complete('select DF')[0])).toEqual(new Set(['DF_TELECOM', 'DF_GSM']));
    expect(sh.complete('select 2F')[0]).toEqual(['2F00', '2FE2', '2F05', '2F06', '2F08']);
    expect(sh.complete('select AD')).toEqual([['ADF_USIM'], 'AD']);

    await sh.eval('select DF_GSM');
    const gsm = sh.complete('select EF')[0];
    expect(gsm).toEqual(expect.arrayContaining(['EF_IMSI', 'EF_Kc', 'EF_SST', 'EF_ACC', 'EF_AD']));
    expect(gsm).not.toContain('EF_DIR');
    expect(gsm).not.toContain('EF_UST');
    // pySim's spelling and any case complete to the declared name.
    expect(sh.complete('select ef.im')).toEqual([['EF_IMSI'], 'ef.im']);
    expect(sh.complete('select 6F0')[0]).toEqual(['6F05', '6F07']);
    expect(sh.complete('select .')).toEqual([['..'], '.']);

    await sh.eval('select ADF.USIM');
    const usim = sh.complete('select EF')[0];
    expect(usim).toEqual(expect.arrayContaining(['EF_IMSI', 'EF_UST', 'EF_Keys', 'EF_EST']));
    expect(usim).not.toContain('EF_SST');
    expect(new Set(sh.complete('select DF')[0])).toEqual(new Set(['DF_TELECOM', 'DF_GSM', 'DF_GSM-ACCESS']));
    // A path: the steps before the last / resolved on the declarations (nothing sent), the last completed there.
    expect(sh.complete('select DF_GSM/EF_I')).toEqual([['DF_GSM/EF_IMSI'], 'DF_GSM/EF_I']);
    expect(sh.complete('select ADF.USIM/DF_GSM-ACCESS/EF_')).toEqual([['ADF.USIM/DF_GSM-ACCESS/EF_Kc', 'ADF.USIM/DF_GSM-ACCESS/EF_KcGPRS'], 'ADF.USIM/DF_GSM-ACCESS/EF_']);
    expect(sh.complete('select 3F00/7F20/6F0')[0]).toEqual(['3F00/7F20/6F05', '3F00/7F20/6F07']);
    expect(sh.complete('select EF_ICCID/x')[0]).toEqual([]);
    // gsm_select: class A0 reaches no file of an ADF.
    await sh.eval('select MF');
    expect(sh.complete('gsm_select AD')[0]).toEqual([]);
  });

  it('select: the AIDs of the applets on the card; verify_chv and the like: PIN references; help: command names', async () => {
    const { sh } = await simShell();
    expect(sh.complete('select F0')).toEqual([[SIM_APPLET_AID.toUpperCase()], 'F0']);
    expect(sh.complete('verify_chv ')).toEqual([['chv1', 'chv2', 'pin1', 'pin2', 'adm1'], '']);
    expect(sh.complete('verify_chv A')).toEqual([['adm1'], 'A']);
    expect(sh.complete('unblock_chv p')).toEqual([['pin1', 'pin2'], 'p']);
    expect(sh.complete('enable_chv ')).toEqual([['chv1', 'pin1'], '']);
    // No value is ever offered for the PIN itself.
    expect(sh.complete('verify_chv pin1 ')).toEqual([[], '']);
    expect(sh.complete('help gsm_st')).toEqual([['gsm_status'], 'gsm_st']);
    expect(sh.complete('nonsense x')).toEqual([[], 'x']);
  });
});

describe('shell: files by name', () => {
  it('select MF / DF.GSM / EF_IMSI, then read_binary shows the decoded IMSI', async () => {
    const { sh, sent } = await simShell();
    const mf = await sh.eval('select MF');
    expect(mf.lines[0]).toBe('> 00 A4 00 04 02 3F 00 00  (SELECT 3F00 MF)');
    await sh.eval('select DF.GSM');
    const imsi = await sh.eval('select ef_imsi');
    expect(imsi.error).toBeUndefined();
    expect(imsi.lines[0]).toBe('> 00 A4 00 04 02 6F 07 00  (SELECT 3F00/7F20/6F07 EF_IMSI)');
    await sh.eval('verify_chv pin1 1234');
    const read = await sh.eval('read_binary');
    expect(read.lines.join('\n')).toContain('EF_IMSI: IMSI 001010123456789');
    expect(sent.slice(0, 3)).toEqual(['00A40004023F0000', '00A40004027F2000', '00A40004026F0700']);
  });

  it('a name means the file reachable from the current DF; one declared once elsewhere goes by path; .. is the parent', async () => {
    const { sh, sent } = await simShell();
    await sh.eval('select DF_GSM');
    sent.length = 0;
    // EF_ICCID is the MF's: not reachable by FID from DF_GSM, so by path from the MF (P1 08).
    expect((await sh.eval('select EF_ICCID')).lines[0]).toBe('> 00 A4 08 04 02 2F E2 00  (SELECT 3F00/2FE2 EF_ICCID)');
    await sh.eval('select DF_GSM');
    expect((await sh.eval('select ..')).lines[0]).toBe('> 00 A4 00 04 02 3F 00 00  (SELECT 3F00 MF)');
    const adf = await sh.eval('select ADF_USIM');
    expect(adf.lines[0]).toBe('> 00 A4 04 04 07 A0 00 00 00 87 10 02 00  (SELECT)');
    expect(adf.lines.join('\n')).toContain('84 DF name (AID): A0000000871002');
    expect((await sh.eval('select EF_UST')).lines[0]).toBe('> 00 A4 00 04 02 6F 38 00  (SELECT 3F00/7FFF/6F38 EF_UST)');
    expect((await sh.eval('select ef_imsi')).lines[0]).toBe('> 00 A4 00 04 02 6F 07 00  (SELECT 3F00/7FFF/6F07 EF_IMSI)');
  });

  it('select DF_GSM/EF_IMSI goes step by step and stops at the first failure', async () => {
    const { sh, sent } = await simShell();
    const r = await sh.eval('select MF/DF_GSM/EF.IMSI');
    expect(r.error).toBeUndefined();
    expect(sent).toEqual(['00A40004023F0000', '00A40004027F2000', '00A40004026F0700']);
    sent.length = 0;
    const bad = await sh.eval('select MF/7F99/EF_IMSI');
    expect(sent).toEqual(['00A40004023F0000', '00A40004027F9900']);
    expect(bad.lines.join('\n')).toContain('6A82');
  });

  it('names that cannot be resolved are errors that say what to do, and send nothing', async () => {
    const { sh, sent } = await simShell();
    expect(await sh.eval('select EF_IMSI')).toEqual({
      lines: ['select: EF_IMSI is in DF_GSM (3F00/7F20) and ADF_USIM (3F00/7FFF): select its DF first, or name both (select DF_GSM/EF_IMSI) (usage: select <name | FID | path | AID>[/<name>…])'],
      error: true,
    });
    expect((await sh.eval('select EF_UST')).lines[0]).toMatch(/^select: EF_UST is in ADF_USIM: select ADF_USIM first/);
    expect((await sh.eval('select EF_NOPE')).lines[0]).toMatch(/^select: no file is named "EF_NOPE" \(Tab after "select " lists the names here/);
    expect((await sh.eval('gsm_select EF_UST')).lines[0]).toMatch(/^gsm_select: EF_UST is a UICC file \(in ADF_USIM\); a classic SIM has no ADF: use select/);
    expect((await sh.eval('gsm_select EF_IMSI')).lines[0]).toMatch(/^gsm_select: EF_IMSI \(3F00\/7F20\/6F07\) is not reachable by FID from here, and class A0 has no path selection: select DF_GSM first/);
    // Hex that is not a name: the offset, never the text (it may be a PIN typed at the wrong prompt).
    expect((await sh.eval('select 31323334z')).lines[0]).toBe('select: FID, path or AID: not a hex digit at offset 8 (usage: select <name | FID | path | AID>[/<name>…])');
    expect(sent).toEqual([]);
  });

  it('gsm_select by name: class A0, FID only; dir lists the declared files of the current DF', async () => {
    const { sh, sent } = await simShell();
    await sh.eval('gsm_select DF_GSM');
    expect(sent[0]).toBe('A0A40000027F20');
    expect((await sh.eval('dir')).lines).toEqual(expect.arrayContaining(['DF_GSM (3F00/7F20):', '  6F07  EF_IMSI          transparent, 9 bytes']));
    await sh.eval('gsm_select EF.IMSI');
    expect(sent).toContain('A0A40000026F07');
  });
});

describe('shell: arguments, gsm_status, failures', () => {
  it('extra arguments are an error naming the usage; nothing is sent', async () => {
    const { sh, sent } = await simShell();
    expect(await sh.eval('select 3F00 7F20')).toEqual({ lines: ['select: 1 argument too many (usage: select <name | FID | path | AID>[/<name>…])'], error: true });
    expect(await sh.eval('read_binary 09 0 x y')).toEqual({ lines: ['read_binary: 2 arguments too many (usage: read_binary [length hex] [offset])'], error: true });
    expect(await sh.eval('status now')).toEqual({ lines: ['status: 1 argument too many (usage: status)'], error: true });
    expect(await sh.eval('atr now')).toEqual({ lines: ['atr: 1 argument too many (usage: atr)'], error: true });
    expect(await sh.eval('gsm_status - - 00 17')).toEqual({ lines: ['gsm_status: 4 arguments; at most 3 (usage: gsm_status [P1P2|-] [DATA|-] [LE])'], error: true });
    expect(sent).toEqual([]);
  });

  it('gsm_status without Le: P3 00, then again with the length the card gives (67xx), the DF response decoded', async () => {
    const { sh, sent } = await simShell();
    const r = await sh.eval('gsm_status');
    expect(r.error).toBeUndefined();
    expect(sent).toEqual(['A0F2000000', 'A0F2000017']);
    const text = r.lines.join('\n');
    expect(text).toContain('< 6717  Incorrect parameter P3; 23 = the correct length');
    expect(text).toContain('(asked again with P3 = 17, the length the card gave)');
    expect(text).toMatch(/< 00 00 .* 9000 {2}Normal ending/);
    expect(text).toContain('file 3F00, MF');
    // Typed in hex, the command goes once, as typed.
    sent.length = 0;
    await sh.eval('A0 F2 00 00 00');
    expect(sent).toEqual(['A0F2000000']);
  });

  it('help <command> shows one command in full; help of an unknown command is an error', async () => {
    const { sh } = await simShell();
    const h = (await sh.eval('help select')).lines;
    expect(h[0]).toBe('usage: select <name | FID | path | AID>[/<name>…]');
    expect(h.join('\n')).toContain('EF_IMSI = EF.IMSI = ef_imsi');
    expect((await sh.eval('help gsm_status')).lines[0]).toBe('usage: gsm_status [P1P2|-] [DATA|-] [LE]');
    expect((await sh.eval('help nope')).error).toBe(true);
  });
});

describe('cardforge shell on a pipe', () => {
  let image: string;
  let cli: string;
  beforeAll(async () => {
    cli = builtCli();
    image = join(tempDir('cf-shell-pysim-'), 'sim.json');
    const r = await runCli(['personalize', join(REPO, 'profiles/example-sim.yaml'), '-o', image]);
    expect(r.code, r.stderr).toBe(0);
  }); // the config's hookTimeout: builtCli() may wait for another file's compile

  const pipe = (lines: readonly string[]) => spawnSync(process.execPath, [cli, 'shell', '--card', image, '--no-save'], { input: `${lines.join('\n')}\n`, encoding: 'utf8', timeout: 30_000 });

  it('all lines good (a 6A82 from the card included): exit 0', () => {
    const r = pipe(['select MF', 'select DF_GSM', 'select 6F99', 'gsm_status', 'quit']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('< 6A82');
    expect(r.stdout).toContain('> A0 F2 00 00 17  (GSM_STATUS)');
    expect(r.stdout).toContain('file 7F20, DF');
  });

  it('a line that failed in the shell: the rest still runs, exit 1, the failing lines named on stderr', () => {
    const r = pipe(['select MF', 'select 3F00 junk', 'nonsense', 'select DF_GSM', 'select EF_IMSI', 'verify_chv pin1 1234', 'read_binary']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('cardforge shell: 2 lines failed (lines 2, 3)\n');
    expect(r.stdout).toContain('select: 1 argument too many (usage: select');
    expect(r.stdout).toContain('unknown command "nonsense" (type help)');
    expect(r.stdout).toContain('EF_IMSI: IMSI 001010123456789');
  });

  it('--json: JSON lines (docs/json.md), a ready line then one per input line; secrets starred; the exit status as in text', () => {
    const r = spawnSync(process.execPath, [cli, 'shell', '--card', image, '--no-save', '--json'], {
      input: 'select DF_GSM\nselect EF_IMSI\nverify_chv pin1 1234\nread_binary\nselect 3F00 junk\n',
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    const events = r.stdout.trim().split('\n').map((l) => SHELL_JSON.schema.parse(JSON.parse(l)));
    expect(events[0]).toMatchObject({ event: 'ready', protocol: 'T=0' });
    expect(events.slice(1).map((e) => (e.event === 'line' ? [e.line, e.error] : null))).toEqual([[1, false], [2, false], [3, false], [4, false], [5, true]]);
    const verify = events[3]!;
    expect(verify.event === 'line' && verify.input).toMatch(/^00 20 00 01 08( \*\*){8}$/);
    expect(r.stdout).not.toContain('31323334');
    const read = events[4]!;
    expect(read.event === 'line' && read.output.join('\n')).toContain('EF_IMSI: IMSI 001010123456789');
    const bad = events[5]!;
    expect(bad.event === 'line' && bad.input).toBeNull();
  });
});

const haveTmux = spawnSync('tmux', ['-V']).status === 0;
const runTmux = haveTmux || process.env['CI'] === 'true';
if (!runTmux) console.warn('shell-pysim.test.ts: tmux is not installed, so the terminal test (completion in a real pty) is skipped here; CI installs it (scripts/install-deps.sh)');

describe.skipIf(!runTmux)('cardforge shell in a terminal (tmux)', () => {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const screen = (session: string): string => spawnSync('tmux', ['capture-pane', '-p', '-J', '-t', session], { encoding: 'utf8' }).stdout;
  async function waitFor(session: string, re: RegExp, ms = 10_000): Promise<string> {
    const end = Date.now() + ms;
    let text = '';
    while (Date.now() < end) {
      text = screen(session);
      if (re.test(text)) return text;
      await sleep(50);
    }
    throw new Error(`the screen never matched ${re}:\n${text}`);
  }
  const keys = (session: string, ...k: string[]): void => {
    expect(spawnSync('tmux', ['send-keys', '-t', session, ...k]).status).toBe(0);
  };

  it('Tab completes file names of the current DF and PIN references; select by name, then read_binary shows the IMSI decoded', async () => {
    const cli = builtCli();
    const dir = tempDir('cf-shell-tmux-');
    const image = join(dir, 'sim.json');
    const p = await runCli(['personalize', join(REPO, 'profiles/example-sim.yaml'), '-o', image]);
    expect(p.code, p.stderr).toBe(0);
    const session = `cfpysim${process.pid}`;
    const cmd = `CARDFORGE_HISTORY=${join(dir, 'history')} ${process.execPath} ${cli} shell --card ${image} --no-save`;
    expect(spawnSync('tmux', ['new-session', '-d', '-s', session, '-x', '200', '-y', '50', cmd]).status).toBe(0);
    try {
      await waitFor(session, /^cardforge>\s*$/m);
      // In the MF: EF<Tab> completes the common part, the second Tab lists the MF's EFs.
      keys(session, 'select EF');
      await waitFor(session, /cardforge> select EF$/m);
      keys(session, 'Tab');
      await waitFor(session, /cardforge> select EF_$/m);
      keys(session, 'Tab');
      const list = await waitFor(session, /EF_UMPC/);
      const offered = list.split('\n').filter((l) => /^EF_\S+(\s+EF_\S+)*\s*$/.test(l)).join(' ').split(/\s+/).filter(Boolean);
      expect(new Set(offered)).toEqual(new Set(MF_EFS));
      keys(session, 'C-u');
      // DF.G<Tab>: pySim's spelling completes to the declared name.
      keys(session, 'select DF.G');
      await waitFor(session, /cardforge> select DF\.G$/m);
      keys(session, 'Tab');
      await waitFor(session, /cardforge> select DF_GSM$/m);
      keys(session, 'Enter');
      await waitFor(session, /\(SELECT 3F00\/7F20 DF_GSM\)/);
      // In DF_GSM, EF_IM<Tab> is EF_IMSI (in the MF it would be no file reachable).
      keys(session, 'select EF_IM');
      await waitFor(session, /cardforge> select EF_IM$/m);
      keys(session, 'Tab');
      await waitFor(session, /cardforge> select EF_IMSI$/m);
      keys(session, 'Enter');
      await waitFor(session, /\(SELECT 3F00\/7F20\/6F07 EF_IMSI\)/);
      // PIN references: p<Tab> → pin (pin1, pin2).
      keys(session, 'verify_chv p');
      await waitFor(session, /cardforge> verify_chv p$/m);
      keys(session, 'Tab');
      await waitFor(session, /cardforge> verify_chv pin$/m);
      keys(session, 'Tab');
      await waitFor(session, /^pin1\s+pin2\s*$/m);
      keys(session, '1 1234', 'Enter');
      await waitFor(session, /> 00 20 00 01 08 (\*\* ){7}\*\* {2}\(UICC_VERIFY_PIN\)\n< 9000/);
      keys(session, 'read_binary', 'Enter');
      await waitFor(session, /EF_IMSI: IMSI 001010123456789/);
      keys(session, 'quit', 'Enter');
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  }, 60_000);
});
