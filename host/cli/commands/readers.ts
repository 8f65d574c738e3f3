/** `cardforge readers`: the PC/SC readers and the state of the card in each. */
import type { Command } from 'commander';
import { bytesToHex } from '../../../card/runtime/index.js';
import { listReaders } from '../../transport/index.js';
import type { CliContext } from '../context.js';
import { emitJson } from '../json/convention.js';
import { READERS_JSON } from '../json/outputs.js';

export function registerReaders(program: Command, ctx: CliContext): void {
  program
    .command('readers')
    .description('List PC/SC readers and whether a card is present (with its ATR)')
    .option('--json', 'print a JSON array of {index, name, cardPresent, atr, inUse, exclusive, mute} (docs/json.md)')
    .addHelpText('after', '\nUses the pcscd socket in PCSCLITE_CSOCK_NAME when set (default /run/pcscd/pcscd.comm).')
    .action(async (opts: { json?: boolean }) => {
      const readers = await listReaders();
      if (opts.json) {
        emitJson(ctx, READERS_JSON, readers.map((r, index) => ({ index, ...r, atr: r.atr ? bytesToHex(r.atr) : null })));
        return;
      }
      if (readers.length === 0) {
        ctx.out('no PC/SC readers attached');
        return;
      }
      for (const r of readers) {
        const flags = [r.inUse ? 'in use' : '', r.exclusive ? 'exclusive' : '', r.mute ? 'mute' : ''].filter(Boolean).join(', ');
        const state = r.cardPresent ? `card present  ATR ${bytesToHex(r.atr ?? new Uint8Array(0)).toUpperCase()}` : 'no card';
        ctx.out(`${r.name}  ${state}${flags ? `  (${flags})` : ''}`);
      }
    });
}
