/**
 * `cardforge readers`: the PC/SC readers by index (what --reader N takes), the state of the card
 * in each, and its ATR parsed (ISO/IEC 7816-3 §8.2: convention, interface bytes, the protocols
 * offered and the one used without PPS, historical bytes, TCK checked). `--reader` picks one reader
 * the way every other command resolves it (index, exact name or a unique part).
 */
import type { Command } from 'commander';
import { bytesToHex } from '../../../card/runtime/index.js';
import { listReaders, pickReader } from '../../transport/index.js';
import { describeAtr, formatAtr, historicalText, type AtrDescription } from '../../transport/atr.js';
import type { CliContext } from '../context.js';
import { emitJson } from '../json/convention.js';
import { READERS_JSON } from '../json/outputs.js';

/** The parsed ATR as `readers --json` prints it (atrInfo). */
function atrJson(d: AtrDescription): NonNullable<(typeof READERS_JSON)['schema']['_zod']['input'][number]['atrInfo']> {
  const hx = (v: number): string => v.toString(16).padStart(2, '0');
  const text = historicalText(d.historical);
  return {
    convention: d.convention,
    protocols: d.protocols.map((p) => `T=${p}`),
    defaultProtocol: `T=${d.defaultProtocol}`,
    interfaceBytes: d.interfaceBytes.map((b) => ({ name: b.name, value: hx(b.value) })),
    historical: bytesToHex(d.historical),
    ...(text !== undefined ? { historicalText: text } : {}),
    tck: d.tck.present ? { present: true, ok: d.tck.ok === true } : { present: false, required: d.tck.required },
    problems: [...d.problems],
  };
}

export function registerReaders(program: Command, ctx: CliContext): void {
  program
    .command('readers')
    .description('List PC/SC readers by index (what --reader N takes) and the card in each, with its ATR parsed (protocols, historical bytes, TCK)')
    .option('--reader <name|index>', 'show only this reader: its index, exact name, or a unique part of it')
    .option('--json', 'print a JSON array of {index, name, cardPresent, atr, atrInfo, inUse, exclusive, mute} (docs/json.md)')
    .addHelpText('after', '\nUses the pcscd socket in PCSCLITE_CSOCK_NAME when set (default /run/pcscd/pcscd.comm).')
    .action(async (opts: { json?: boolean; reader?: string }) => {
      const all = (await listReaders()).map((r, index) => ({ index, ...r }));
      const readers = opts.reader !== undefined ? [pickReader(all, opts.reader, (r) => r.cardPresent)] : all;
      if (opts.json) {
        emitJson(ctx, READERS_JSON, readers.map((r) => ({ ...r, atr: r.atr ? bytesToHex(r.atr) : null, atrInfo: r.atr ? atrJson(describeAtr(r.atr)) : null })));
        return;
      }
      if (readers.length === 0) {
        ctx.out('no PC/SC readers attached');
        return;
      }
      for (const r of readers) {
        const flags = [r.inUse ? 'in use' : '', r.exclusive ? 'exclusive' : '', r.mute ? 'mute' : ''].filter(Boolean).join(', ');
        const state = r.cardPresent ? `card present  ATR ${bytesToHex(r.atr ?? new Uint8Array(0)).toUpperCase()}` : 'no card';
        ctx.out(`${r.index}  ${r.name}  ${state}${flags ? `  (${flags})` : ''}`);
        if (r.atr) for (const l of formatAtr(describeAtr(r.atr))) ctx.out(`     ${l}`);
      }
    });
}
