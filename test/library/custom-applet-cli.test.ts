/**
 * A user's applet through the CLI (issue 16): `--applets MODULE` registers it, so an image holding
 * it loads, `send` and `trace show` name its commands and mask its secret fields, and without the
 * module the image is refused with a message that says what to pass.
 */
import { join, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtCli, runCli } from '../cli/built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { COUNTER_AID, writeCounterModule } from './counter-fixture.js';

const PIN_HEX = '31323334';
let dir: string;
let mod: string;
let image: string;

beforeAll(async () => {
  const dist = dirname(dirname(dirname(builtCli())));
  const lib = join(dist, 'lib/index.js');
  dir = tempDir('cf-applets-');
  mod = writeCounterModule(dir, lib);
  // The image is made with the library, as a user's own setup script would.
  const api = (await import(pathToFileURL(lib).href)) as typeof import('../../lib/index.js');
  const { applets } = (await import(pathToFileURL(mod).href)) as { applets: { applet: never; aid: string }[] };
  const card = new api.Card({ atr: api.buildAtr([0]) });
  card.install(applets[0]!.applet, { aid: COUNTER_AID, personalization: { pin: '1234' }, default: true });
  image = join(dir, 'counter.json');
  api.saveImageFile(image, card);
});

describe('--applets: a user applet in the CLI', () => {
  it('send decodes its commands by name and masks the PIN; the counter counts', async () => {
    const trace = join(dir, 'session.jsonl');
    // SELECT first: a trace read later knows the applet on the channel from it, as from a real session.
    const r = await runCli(['--applets', mod, 'send', '--card', image, '--record', trace, `00a4040008${COUNTER_AID}`, `0020000004${PIN_HEX}`, '800200000105', '8004000004']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/COUNTER_VERIFY/);
    expect(r.stdout).toMatch(/COUNTER_INCREMENT/);
    expect(r.stdout).toMatch(/COUNTER_READ[\s\S]*00 00 00 05 {2}9000/);
    expect(r.stdout).not.toContain('31 32 33 34');
    expect(r.stdout.replace(/\s/g, '')).not.toContain(PIN_HEX.toUpperCase());
    const show = await runCli(['--applets', mod, 'trace', 'show', trace]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/COUNTER_VERIFY/);
    expect(show.stdout).toMatch(/COUNTER_INCREMENT/);
    expect(show.stdout.replace(/\s/g, '')).not.toContain(PIN_HEX.toUpperCase());
  });

  it('CARDFORGE_APPLETS does the same for commands spawned by other tools (emulate under a test harness)', async () => {
    const r = await runCli(['send', '--card', image, '8004000004'], { env: { ...process.env, CARDFORGE_APPLETS: mod } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/COUNTER_READ/);
  });

  it('without the module the image is refused, naming the applet type', async () => {
    const r = await runCli(['send', '--card', image, '8004000004']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/example\.counter/);
  });

  it('a module without applets, or one that cannot load, is a clear usage error', async () => {
    const r = await runCli(['--applets', join(dir, 'missing.mjs'), 'send', '--card', image, '8004000004']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--applets .*missing\.mjs: cannot load the module/);
  });
});
