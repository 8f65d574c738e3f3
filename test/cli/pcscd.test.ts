/**
 * `cardforge pcscd` as a user runs it (issue 19 item 11): a private pcscd with the vpcd reader in
 * the foreground, the PCSCLITE_CSOCK_NAME to export printed, a card served by `emulate` reachable
 * through it, Ctrl-C stops it and removes what it made; a second one on the same directory or
 * port is refused with what to do. Needs the PC/SC stack (mandatory with CI=true).
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PCSCD_JSON } from '../../host/cli/json/outputs.js';
import { builtCli, runCli } from './built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freePortPair } from '../../host/pcsc/stack.js';
import { pcscSuiteNote, skipPcsc } from '../integration/pcsc-stack.js';

interface Running {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly closed: Promise<number | null>;
}

function start(args: string[], env: NodeJS.ProcessEnv = process.env): Running {
  const child = spawn(process.execPath, [builtCli(), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const r: Running = { child, stdout: '', stderr: '', closed: new Promise((res) => child.on('close', res)) };
  child.stdout!.on('data', (d: Buffer) => (r.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (r.stderr += d.toString()));
  return r;
}

async function until(what: () => boolean, label: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`cardforge pcscd${pcscSuiteNote}`, () => {
  it.skipIf(skipPcsc)('runs a private pcscd, prints the socket to export, serves emulate; Ctrl-C stops it and removes its directory', async () => {
    const base = tempDir('cf-pcscd-');
    const dir = join(base, 'p');
    const port = await freePortPair();
    const pcscd = start(['pcscd', '--dir', dir, '--port', String(port)]);
    try {
      await until(() => /^export PCSCLITE_CSOCK_NAME=/m.test(pcscd.stdout) || pcscd.child.exitCode !== null, 'the export line');
      const socket = /^export PCSCLITE_CSOCK_NAME=(.*)$/m.exec(pcscd.stdout)?.[1];
      expect(socket, pcscd.stdout + pcscd.stderr).toBe(join(dir, 'run', 'pcscd.comm'));
      expect(existsSync(socket!)).toBe(true);
      expect(pcscd.stdout).toContain(`vpcd reader "Virtual PCD 00 00" on port ${port}`);
      expect(pcscd.stdout).toContain(`then: cardforge emulate --card CARD.json --vpcd 127.0.0.1:${port}`);

      // The same directory, or the same port, while it runs: refused, saying what to do.
      const again = await runCli(['pcscd', '--dir', dir, '--port', String(port + 2)]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(new RegExp(`a private pcscd already runs in ${dir} \\(pid \\d+\\): use it \\(export PCSCLITE_CSOCK_NAME=${socket}\\)`));
      const busy = await runCli(['pcscd', '--port', String(port)]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(new RegExp(`TCP port ${port} is in use; choose another with --port N`));
      expect((await runCli(['pcscd', '--port', 'x'])).code).toBe(2);

      // A card served into it is seen by a PC/SC client that exported the socket.
      const image = join(base, 'loopback.json');
      expect((await runCli(['image', 'new', '-o', image])).code).toBe(0);
      const env = { ...process.env, PCSCLITE_CSOCK_NAME: socket };
      const emulate = start(['emulate', '--card', image, '--vpcd', `127.0.0.1:${port}`], env);
      try {
        const sent = await runCli(['send', '--reader', 'Virtual PCD 00 00', '--wait', '10000', '8012000010'], { env });
        expect(sent.code, sent.stderr).toBe(0);
        expect(sent.stdout).toMatch(/A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AB AC AD AE AF {2}9000/);
      } finally {
        emulate.child.kill('SIGTERM');
        await emulate.closed;
      }
    } finally {
      pcscd.child.kill('SIGINT');
    }
    expect(await pcscd.closed).toBe(0);
    expect(pcscd.stderr).toMatch(/cardforge pcscd: stopped/);
    expect(existsSync(dir)).toBe(false);
  }, 240_000);

  it.skipIf(skipPcsc)('a directory of yours keeps its files: a stale run is replaced, only the stack\'s entries are removed', async () => {
    const dir = tempDir('cf-pcscd-own-');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    mkdirSync(join(dir, 'run'));
    // A run that died, its pid since taken by another program (this one): not a pcscd, not refused.
    writeFileSync(join(dir, 'run', 'cardforge-pcscd.pid'), `${process.pid}\n`);
    const port = await freePortPair();
    const pcscd = start(['pcscd', '--dir', dir, '--port', String(port)]);
    await until(() => /^export PCSCLITE_CSOCK_NAME=/m.test(pcscd.stdout) || pcscd.child.exitCode !== null, 'the export line');
    expect(pcscd.stdout, pcscd.stderr).toContain(`export PCSCLITE_CSOCK_NAME=${join(dir, 'run', 'pcscd.comm')}`);
    pcscd.child.kill('SIGTERM');
    expect(await pcscd.closed).toBe(0);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  }, 60_000);

  it.skipIf(skipPcsc)('--json: a ready line with the socket and the vpcd ports, a stopped line after SIGINT (docs/json.md)', async () => {
    const dir = join(tempDir('cf-pcscd-json-'), 'p');
    const port = await freePortPair();
    const pcscd = start(['pcscd', '--json', '--dir', dir, '--port', String(port)]);
    await until(() => pcscd.stdout.includes('\n') || pcscd.child.exitCode !== null, 'the ready line');
    const ready = PCSCD_JSON.schema.parse(JSON.parse(pcscd.stdout.split('\n')[0]!));
    expect(ready).toMatchObject({ event: 'ready', socket: join(dir, 'run', 'pcscd.comm'), readers: [{ name: 'Virtual PCD 00 00', port }, { name: 'Virtual PCD 00 01', port: port + 1 }] });
    expect(existsSync(join(dir, 'run', 'pcscd.comm'))).toBe(true);
    pcscd.child.kill('SIGINT');
    expect(await pcscd.closed).toBe(0);
    const lines = pcscd.stdout.trim().split('\n').map((l) => PCSCD_JSON.schema.parse(JSON.parse(l)));
    expect(lines.map((l) => l.event)).toEqual(['ready', 'stopped']);
    expect(pcscd.stderr).toBe('');
  }, 60_000);
});
