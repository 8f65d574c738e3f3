/**
 * `cardforge emulate` against a scripted vpcd (a local TCP server speaking vpcd's framing, as
 * test/transport/vpcd-endpoint.test.ts does), spawned as a user runs it (issue 19 items 6 and 7):
 * --json prints one schema-valid JSON object per event, a secret command starred; -v logs pcscd's
 * idle presence polls once per idle stretch with their count, not 2.5 lines a second; a --vpcd host
 * that does not resolve fails at once; a vpcd that accepts the connection but never speaks (the
 * slot already serves a card) fails within seconds with exit 1 instead of "the card is inserted"
 * forever. The same two failures through a real pcscd are in test/integration/emulate-pcsc.test.ts.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { builtCli } from './built-cli.js';
import { EMULATE_JSON, ERROR_JSON } from '../../host/cli/json/outputs.js';
import { saveImageFile } from '../../host/store/index.js';
import { encodeFrame, FrameReader } from '../../host/transport/index.js';
import { hexToBytes } from '../../card/runtime/index.js';
import { loopbackCard } from '../trace/helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

beforeAll(() => void builtCli(), 300_000);

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A vpcd that runs `script` on the card's connection; resolves its port. */
function fakeVpcd(script: (s: Socket, replies: Uint8Array[]) => void): Promise<number> {
  const server = createServer((s) => {
    const reader = new FrameReader();
    const replies: Uint8Array[] = [];
    s.on('data', (d) => {
      for (const m of reader.push(Uint8Array.from(d))) if (m.kind === 'apdu') replies.push(m.apdu);
    });
    s.on('error', () => {});
    script(s, replies);
  });
  servers.push(server);
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res((server.address() as { port: number }).port)));
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run emulate; `stopWhen`: send SIGTERM (as Ctrl-C would) once stdout contains it. */
function emulate(args: string[], stopWhen?: string): Promise<Run> {
  const t0 = Date.now();
  return new Promise((res) => {
    const p = spawn(process.execPath, [builtCli(), 'emulate', ...args]);
    let stdout = '';
    let stderr = '';
    let stopped = false;
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stopWhen !== undefined && !stopped && stdout.includes(stopWhen)) {
        stopped = true;
        p.kill('SIGTERM');
      }
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (code) => {
      clearTimeout(kill);
      res({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

function image(): string {
  const f = join(tempDir('cf-emu-'), 'card.json');
  saveImageFile(f, loopbackCard());
  return f;
}

const lines = (out: string): unknown[] => out.trim().split('\n').map((l) => JSON.parse(l) as unknown);

describe('emulate fails fast', () => {
  it('a --vpcd host that does not resolve: exit 1 at once, the host named', async () => {
    const r = await emulate(['--card', image(), '--vpcd', 'nohost.invalid', '--json']);
    expect(r.code).toBe(1);
    const err = ERROR_JSON.schema.parse(lines(r.stdout).at(-1)).error;
    expect(err.code).toBe('VPCD_UNREACHABLE');
    expect(err.message).toMatch(/^--vpcd: host "nohost\.invalid" not found \(E[A-Z_]+\); give the host where pcscd runs the vpcd reader/);
    expect(r.ms).toBeLessThan(15_000);
  });

  it('a vpcd that accepts but never speaks (its slot already serves a card): exit 1 within seconds, said why', async () => {
    const port = await fakeVpcd(() => {}); // kernel-accepted, never spoken to: what vpcd does to a second card
    const r = await emulate(['--card', image(), '--vpcd', `127.0.0.1:${port}`, '--json']);
    expect(r.code).toBe(1);
    const out = lines(r.stdout);
    const events = out.slice(0, -1).map((l) => EMULATE_JSON.schema.parse(l));
    expect(events.map((e) => e.event)).toEqual(['ready', 'inserted', 'error']);
    const err = ERROR_JSON.schema.parse(out.at(-1)).error;
    expect(err.code).toBe('VPCD_SLOT_BUSY');
    expect(err.message).toMatch(/sent nothing for 4\.0 s: this slot already serves a card \(another "cardforge emulate" or a vicc/);
    expect(r.ms).toBeLessThan(15_000);
  }, 30_000);
});

describe('emulate --json and -v', () => {
  it('events as JSON lines (secret starred); -v logs idle ATR polls once per stretch with their count', async () => {
    const ATR = Uint8Array.of(4);
    const port = await fakeVpcd((s) => {
      // pcscd's pattern: presence polls, power on, commands, presence polls while idle.
      const polls = (n: number): void => {
        for (let i = 0; i < n; i++) s.write(encodeFrame(ATR));
      };
      polls(10);
      s.write(encodeFrame(Uint8Array.of(1)));
      s.write(encodeFrame(hexToBytes('00a404000af0636172646667010001')));
      s.write(encodeFrame(hexToBytes('002000010431323334')));
      polls(25);
      s.write(encodeFrame(Uint8Array.of(0)));
    });
    const r = await emulate(['--card', image(), '--vpcd', `127.0.0.1:${port}`, '--json', '-v'], '"action":"off"');
    expect(r.code, r.stderr).toBe(0);
    const events = lines(r.stdout).map((l) => EMULATE_JSON.schema.parse(l));
    expect(events.map((e) => (e.event === 'power' ? `power ${e.action}` : e.event))).toEqual(['ready', 'inserted', 'power on', 'apdu', 'apdu', 'power off', 'stopped']);
    const apdus = events.filter((e) => e.event === 'apdu');
    expect(apdus[0]).toMatchObject({ command: '00a404000af0636172646667010001', name: 'SELECT', sw: '9000' });
    expect(apdus[1]!.command).toBe('0020000104********');
    expect(r.stdout).not.toContain('31323334');
    expect(r.stderr).not.toContain('31 32 33 34');
    // 35 polls in two idle stretches: two lines saying so and two counts, not 35 lines.
    expect(r.stderr.match(/get ATR \(pcscd's presence poll/g)).toHaveLength(2);
    expect(r.stderr).toContain('vpcd: 9 more presence polls (get ATR) while idle');
    expect(r.stderr).toContain('vpcd: 24 more presence polls (get ATR) while idle');
    expect(r.stderr).toMatch(/power on, ATR 3B/);
  }, 30_000);
});
