/**
 * `--applets MODULE`: a user's own applets for the CLI (issue 16). The module exports `applets`
 * (or a default export): AppletRegistration objects { applet, aid, commands, name? }. Each is
 * registered (card/applets registerApplet), so `image new --applet`, `send`, `emulate`, `shell` and
 * `trace show/replay` load images holding it, decode its commands by name and mask its secrets.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerApplet, type AppletRegistration } from '../../card/applets/index.js';
import { CliError } from './errors.js';

export async function loadAppletModule(file: string): Promise<readonly AppletRegistration[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (e) {
    throw new CliError('APPLETS_MODULE', `--applets ${file}: cannot load the module (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); give a compiled ES module (.js/.mjs)`);
  }
  const found = mod['applets'] ?? mod['default'];
  const list = Array.isArray(found) ? found : found !== undefined ? [found] : [];
  if (list.length === 0) throw new CliError('APPLETS_MODULE', `--applets ${file}: the module exports no \`applets\` (an array of { applet, aid, commands })`);
  list.forEach((r: unknown, i) => {
    const o = r as Partial<AppletRegistration> | null;
    if (o === null || typeof o !== 'object' || typeof o.applet !== 'function' || typeof o.aid !== 'string' || !Array.isArray(o.commands)) {
      throw new CliError('APPLETS_MODULE', `--applets ${file}: applets[${i}] expected { applet: class, aid: hex string, commands: CommandSpec[] }`);
    }
    try {
      registerApplet(o as AppletRegistration);
    } catch (e) {
      throw new CliError('APPLETS_MODULE', `--applets ${file}: applets[${i}]: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  return list as AppletRegistration[];
}
