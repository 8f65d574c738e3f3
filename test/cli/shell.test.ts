/**
 * The interactive shell driven through a real pseudo-terminal (tmux): prompt, tab completion,
 * decoded answers, named commands, usage errors that keep the shell alive, history written
 * without PIN values. Also the evaluator directly and the shell on a pipe.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { builtCli, runCli } from './built-cli.js';
import { ShellEvaluator } from '../../host/shell/shell.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { Card } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { simCard } from '../applets/sim/helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const haveTmux = spawnSync('tmux', ['-V']).status === 0;
let dir: string;
let cli: string;
beforeAll(() => {
  cli = builtCli();
  dir = tempDir('cf-shell-');
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(session: string, re: RegExp, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  let screen = '';
  while (Date.now() < end) {
    screen = spawnSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' }).stdout;
    if (re.test(screen)) return screen;
    await sleep(50);
  }
  throw new Error(`screen never matched ${re}:\n${screen}`);
}

describe('shell evaluator', () => {
  it('sends hex and named commands, decodes answers, masks PIN values, reports usage errors', async () => {
    const card = new Card();
    card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
    const t = new EmulatorTransport(card);
    await t.connect();
    const sh = new ShellEvaluator(t);
    expect((await sh.eval('80 12 00 00 10')).lines[1]).toBe('< A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AB AC AD AE AF  9000  Normal ending of the command');
    expect((await sh.eval('echo - cafe 02')).lines).toEqual(['> 80 10 00 00 02 CA FE 02  (ECHO)', '< CA FE  9000  Normal ending of the command']);
    // 00 20 is declared by the UICC, payment and ledger applets alike; the decoder names the first.
    expect((await sh.eval('verify_chv pin1 1234')).lines[0]).toBe('> 00 20 00 01 08 ** ** ** ** ** ** ** **  (UICC_VERIFY_PIN)');
    expect((await sh.eval('authenticate 00')).lines[0]).toBe('authenticate: RAND: expected 16 bytes, got 1 (usage: authenticate <rand> <autn>)');
    expect((await sh.eval('nonsense')).lines[0]).toBe('unknown command "nonsense" (type help)');
    expect((await sh.eval('quit')).quit).toBe(true);
  });
});

describe('shell evaluator on a SIM', () => {
  it('names the file a SELECT reaches, shows its FCP tag by tag and decodes what READ returns', async () => {
    const t = new EmulatorTransport(simCard());
    await t.connect();
    const sh = new ShellEvaluator(t);
    const sel = (await sh.eval('00 A4 00 04 02 2F E2')).lines;
    expect(sel[0]).toMatch(/^> 00 A4 00 04 02 2F E2 {2}\(SELECT .*EF_ICCID\)$/);
    expect(sel.join('\n')).toMatch(/62 FCP template/);
    expect(sel.join('\n')).toMatch(/80 file size: 10 bytes/);
    const read = (await sh.eval('00 B0 00 00 0A')).lines.join('\n');
    expect(read).toMatch(/EF_ICCID: .*8949000000000000001/);
  });
});

describe('cardforge shell', () => {
  it('on a pipe: one command per line, answers decoded', async () => {
    const image = join(dir, 'pipe.json');
    expect((await runCli(['image', 'new', '-o', image])).code).toBe(0);
    const r = spawnSync(process.execPath, [cli, 'shell', '--card', image], { input: 'fixed16 - - 10\nquit\n', encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('< A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AB AC AD AE AF  9000');
  });

  it.skipIf(!haveTmux && process.env['CI'] !== 'true')('in a terminal (tmux): prompt, tab completion, answers, history without PINs', async () => {
    const image = join(dir, 'tty.json');
    const history = join(dir, 'history');
    expect((await runCli(['image', 'new', '-o', image])).code).toBe(0);
    const session = `cfshell${process.pid}`;
    const cmd = `CARDFORGE_HISTORY=${history} ${process.execPath} ${cli} shell --card ${image}`;
    expect(spawnSync('tmux', ['new-session', '-d', '-s', session, '-x', '160', '-y', '40', cmd]).status).toBe(0);
    try {
      await waitFor(session, /^cardforge>\s*$/m);
      spawnSync('tmux', ['send-keys', '-t', session, 'fixe', 'Tab']);
      await waitFor(session, /cardforge> fixed16/);
      spawnSync('tmux', ['send-keys', '-t', session, ' - - 10', 'Enter']);
      await waitFor(session, /< A0 A1 .* AF {2}9000 {2}Normal ending/);
      spawnSync('tmux', ['send-keys', '-t', session, 'verify_chv pin1 4321', 'Enter']);
      await waitFor(session, /> 00 20 00 01 08 (\*\* ){7}\*\* /);
      spawnSync('tmux', ['send-keys', '-t', session, 'select zz', 'Enter']);
      await waitFor(session, /select: FID, path or AID: not a hex digit at offset 0/);
      spawnSync('tmux', ['send-keys', '-t', session, 'quit', 'Enter']);
      // The shell writes its history on exit: wait for the file and for its content (under load the
      // file can exist before the write lands).
      let saved = '';
      for (let i = 0; i < 200 && !saved.includes('fixed16'); i++) {
        if (existsSync(history)) saved = readFileSync(history, 'utf8');
        if (!saved.includes('fixed16')) await sleep(50);
      }
      expect(saved).toContain('fixed16 - - 10');
      expect(saved).not.toContain('4321');
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  });
});
