/**
 * `cardforge send`: send APDUs to an emulated card image (--card) or a card in a PC/SC reader
 * (--reader) and print each exchange decoded, or as JSON. Both paths run the same T=0 response
 * handling, so the same image answers with the same bytes either way. Secret commands (VERIFY,
 * CHANGE, UNBLOCK…, host/trace/mask.ts) are starred in text and JSON alike; --show-secrets is
 * the only way to print them (trace show calls the same switch --reveal). `send -` reads the APDUs
 * from stdin, one per line with `#` comments (the line syntax of `cardforge run`, host/cli/script.ts,
 * without its expectations, resets and variables). --raw: no GET RESPONSE / 6Cxx handling by the
 * host, as a T=0 reader answers (target.ts RAW_HELP).
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { parseApduArgs } from '../apdu-args.js';
import { CliError, EXIT } from '../errors.js';
import { fileProblem } from '../files.js';
import { parseScript, type ApduStep } from '../script.js';
import type { CliContext } from '../context.js';
import { addRawOption, addTargetOptions, openTarget, type TargetOptions } from '../target.js';
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
  addRawOption(
    addTargetOptions(
      program
        .command('send')
        .description('Send command APDUs to a card image or a card in a PC/SC reader; print each exchange decoded')
        .argument('<apdu...>', 'command APDUs in hex, one per argument; spaces allowed inside quotes ("00 A4 04 00 00"); "-": read them from stdin, one per line, # comments'),
    ),
  )
    .option('--json', 'print a JSON array of {command, response, sw} (hex)')
    .option('--record <file>', 'record the session as a cardforge trace (JSON Lines)')
    .option('--show-secrets', 'print PIN/PUK/ADM/code values in clear (text and --json); by default a command declared secret shows stars after its header')
    // The same switch under trace show's name, so either spelling works on both commands.
    .addOption(new Option('--reveal', 'same as --show-secrets').hideHelp())
    .addHelpText(
      'after',
      [
        '',
        'On a T=0 card the host sends GET RESPONSE after 61xx/9Fxx and re-sends on 6Cxx itself, so each',
        'command shows its data and final SW; with --raw you see 61xx/9Fxx and send GET RESPONSE yourself.',
        '',
        'Examples:',
        '  cardforge send --card card.json "00 A4 04 00 0A F0 63 61 72 64 66 67 01 00 01" "80 12 00 00 10"',
        '  cardforge send --reader "Virtual PCD 00 00" --json 8012000010',
        '  cardforge send --card sim.json --raw "A0 A4 00 00 02 3F 00" "A0 C0 00 00 17"   # 9F17, then the 23 bytes and 9000',
        '  cardforge send --card sim.json - < apdus.txt',
      ].join('\n'),
    )
    .action(async (apdus: string[], opts: SendOptions) => {
      const commands = apdus.includes('-') ? apdusFromStdin(apdus) : parseApduArgs(apdus);
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

/** `send -`: the APDUs of stdin's lines; parsed whole before anything is sent. */
function apdusFromStdin(args: readonly string[]): Uint8Array[] {
  if (args.length !== 1) throw new CliError('USAGE', '"-" reads the APDUs from stdin: give it alone, without APDU arguments', EXIT.USAGE);
  let text: string;
  try {
    text = readFileSync(0, 'utf8');
  } catch (e) {
    throw new CliError('USAGE', `cannot read APDUs from stdin (${fileProblem(e)})`, EXIT.USAGE);
  }
  const steps = parseScript(text, '<stdin>', { extensions: false }) as ApduStep[];
  if (steps.length === 0) throw new CliError('BAD_APDU', 'no APDU on stdin (only blank or comment lines); one APDU per line, in hex', EXIT.USAGE);
  return steps.map((s) => s.apdu);
}
