/**
 * `cardforge send`: send APDUs to an emulated card image (--card) or a card in a PC/SC reader
 * (--reader) and print each exchange decoded, or as JSON. Both paths run the same T=0 response
 * handling, so the same image answers with the same bytes either way. Secret commands (VERIFY,
 * CHANGE, UNBLOCK…, host/trace/mask.ts) are starred in text and JSON alike; --show-secrets is
 * the only way to print them (trace show calls the same switch --reveal).
 */
import { Option, type Command } from 'commander';
import { parseApduArgs } from '../apdu-args.js';
import type { CliContext } from '../context.js';
import { addTargetOptions, openTarget, type TargetOptions } from '../target.js';
import { emitJson } from '../json/convention.js';
import { SEND_JSON } from '../json/outputs.js';
import { formatExchange, jsonExchange, type JsonExchange } from '../format.js';
import { ExchangeDecoder, defaultAppletSpecs } from '../../trace/decode.js';
import { defaultAidOf } from '../../transport/index.js';
import { RecordingTransport, TraceRecorder } from '../../trace/record.js';

interface SendOptions extends TargetOptions {
  json?: boolean;
  record?: string;
  showSecrets?: boolean;
  reveal?: boolean;
}

export function registerSend(program: Command, ctx: CliContext): void {
  addTargetOptions(
    program
      .command('send')
      .description('Send command APDUs to a card image or a card in a PC/SC reader; print each exchange decoded')
      .argument('<apdu...>', 'command APDUs in hex, one per argument; spaces allowed inside quotes ("00 A4 04 00 00")'),
  )
    .option('--json', 'print a JSON array of {command, response, sw} (hex)')
    .option('--record <file>', 'record the session as a cardforge trace (JSON Lines)')
    .option('--show-secrets', 'print PIN/PUK/ADM/code values in clear (text and --json); by default a command declared secret shows stars after its header')
    // The same switch under trace show's name, so either spelling works on both commands.
    .addOption(new Option('--reveal', 'same as --show-secrets').hideHelp())
    .addHelpText('after', '\nExamples:\n  cardforge send --card card.json "00 A4 04 00 0A F0 63 61 72 64 66 67 01 00 01" "80 12 00 00 10"\n  cardforge send --reader "Virtual PCD 00 00" --json 8012000010')
    .action(async (apdus: string[], opts: SendOptions) => {
      const commands = parseApduArgs(apdus);
      const reveal = opts.showSecrets === true || opts.reveal === true;
      const target = openTarget(opts);
      const transport = opts.record ? new RecordingTransport(target, TraceRecorder.toFile(opts.record, { target: target.name })) : target;
      const results: JsonExchange[] = [];
      const decoder = new ExchangeDecoder(defaultAppletSpecs(defaultAidOf(target)));
      try {
        await transport.connect();
        for (const cmd of commands) {
          const rsp = await transport.transmit(cmd);
          if (opts.json) results.push(jsonExchange(cmd, rsp, { reveal }));
          else ctx.out(formatExchange(cmd, rsp, decoder, { reveal }));
        }
      } finally {
        await transport.close();
      }
      if (opts.json) emitJson(ctx, SEND_JSON, results);
    });
}
