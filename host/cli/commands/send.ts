/**
 * `cardforge send`: send APDUs to an emulated card image (--card) or a card in a PC/SC reader
 * (--reader) and print each exchange decoded, or as JSON. Both paths run the same T=0 response
 * handling, so the same image answers with the same bytes either way.
 */
import { Option, type Command } from 'commander';
import { ImageAutosave, loadImageFile } from '../../store/index.js';
import { EmulatorTransport, PcscTransport, type Transport } from '../../transport/index.js';
import { parseApduArgs } from '../apdu-args.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { formatExchange, jsonExchange, type JsonExchange } from '../format.js';

interface SendOptions {
  card?: string;
  reader?: string;
  t0?: boolean;
  json?: boolean;
  save: boolean;
  wait: string;
  exclusive?: boolean;
}

export function registerSend(program: Command, ctx: CliContext): void {
  program
    .command('send')
    .description('Send command APDUs to a card image or a card in a PC/SC reader; print each exchange decoded')
    .argument('<apdu...>', 'command APDUs in hex, one per argument; spaces allowed inside quotes ("00 A4 04 00 00")')
    .addOption(new Option('--card <image>', 'card image file (the emulator, in process)').conflicts('reader'))
    .addOption(new Option('--reader <name>', 'PC/SC reader name (exact, or a unique part of it)').conflicts('card'))
    .option('--t0', 'use T=0 (emulator: run the card as T=0; reader: connect with T=0 only)')
    .option('--json', 'print a JSON array of {command, response, sw} (hex)')
    .option('--no-save', 'with --card: do not write the updated image back')
    .option('--wait <ms>', 'with --reader: wait this long for a card (and for pcscd) before failing', '0')
    .option('--exclusive', 'with --reader: connect exclusively instead of shared')
    .addHelpText('after', '\nExamples:\n  cardforge send --card card.json "00 A4 04 00 0A F0 63 61 72 64 66 67 01 00 01" "80 12 00 00 10"\n  cardforge send --reader "Virtual PCD 00 00" --json 8012000010')
    .action(async (apdus: string[], opts: SendOptions) => {
      const commands = parseApduArgs(apdus);
      if (!opts.card && !opts.reader) throw new CliError('USAGE', 'say where to send: --card IMAGE or --reader NAME', EXIT.USAGE);
      const waitMs = Number(opts.wait);
      if (!Number.isInteger(waitMs) || waitMs < 0) throw new CliError('USAGE', `--wait expected a whole number of milliseconds, got "${opts.wait}"`, EXIT.USAGE);
      let transport: Transport;
      if (opts.card) {
        const card = loadImageFile(opts.card);
        if (opts.t0) card.protocol = 'T=0';
        transport = new EmulatorTransport(card, { name: `emulator ${opts.card}`, ...(opts.save ? { autosave: new ImageAutosave(opts.card, card) } : {}) });
      } else {
        transport = new PcscTransport({ reader: opts.reader!, waitMs, share: opts.exclusive ? 'exclusive' : 'shared', ...(opts.t0 ? { protocol: 'T=0' as const } : {}) });
      }
      const results: JsonExchange[] = [];
      try {
        await transport.connect();
        for (const cmd of commands) {
          const rsp = await transport.transmit(cmd);
          if (opts.json) results.push(jsonExchange(cmd, rsp));
          else ctx.out(formatExchange(cmd, rsp));
        }
      } finally {
        await transport.close();
      }
      if (opts.json) ctx.out(JSON.stringify(results, null, 2));
    });
}
