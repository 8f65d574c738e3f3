/**
 * A user's own applet as a user ships it (issue 16): a compiled ES module that imports cardforge's
 * public entry (`dist/lib/index.js` of the same build the CLI runs) and exports `applets`. Written
 * as JavaScript text so the CLI loads it with `--applets`, exactly as it would a user's file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const COUNTER_AID = 'f0000000c0ffee01';

export function writeCounterModule(dir: string, libIndex: string): string {
  const file = join(dir, 'counter-applets.mjs');
  writeFileSync(file, `import { Applet, CardError, CommandTable, OwnerPin, SW, cla } from ${JSON.stringify(pathToFileURL(libIndex).href)};
const C80 = cla('8X', 0x80, 0xff);
export const COUNTER_COMMANDS = [
  { name: 'COUNTER_VERIFY', cla: cla('0X', 0x00, 0xff), ins: 0x20, cases: [3], description: 'Present the PIN', ref: 'example', command: [{ name: 'pin', length: 'rest', secret: true }] },
  { name: 'COUNTER_INCREMENT', cla: C80, ins: 0x02, cases: [3], description: 'Add n to the counter', ref: 'example', command: [{ name: 'n', length: 1 }] },
  { name: 'COUNTER_READ', cla: C80, ins: 0x04, cases: [2], description: 'Read the counter', ref: 'example', response: [{ name: 'value', length: 4 }] },
];
export class CounterApplet extends Applet {
  static type = 'example.counter';
  constructor(ctx) {
    super(ctx);
    const s = ctx.persistent.scope('counter');
    this.value = s.bytes('value', 4);
    this.pin = new OwnerPin(s, ctx.transient, 'pin', { tryLimit: 3, maxLength: 8 });
    this.commands = new CommandTable(COUNTER_COMMANDS, {
      COUNTER_VERIFY: (a) => { if (!this.pin.check(a.data)) throw new CardError(0x63c0 | this.pin.triesRemaining); },
      COUNTER_INCREMENT: (a) => {
        if (!this.pin.isValidated) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED);
        const v = this.value.read(0, 4).reduce((n, b) => n * 256 + b, 0) + a.data[0];
        this.value.set(Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
      },
      COUNTER_READ: () => ({ data: this.value.read(0, 4) }),
    });
  }
  install(p) { this.pin.update(new TextEncoder().encode(p.pin)); }
}
export const applets = [{ applet: CounterApplet, aid: ${JSON.stringify(COUNTER_AID)}, commands: COUNTER_COMMANDS, name: 'counter' }];
`);
  return file;
}
