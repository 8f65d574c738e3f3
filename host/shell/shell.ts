/**
 * The interactive shell's evaluator, separate from the terminal so it can be tested directly:
 * one input line → the lines to print, and the line the history file may keep. Hex APDUs are
 * sent as they are; named commands go through aliases.ts; answers are decoded from apdu-specs
 * with status-word meanings.
 *
 * Secrets are judged by the command actually sent, whatever was typed (host/trace/mask.ts): a
 * VERIFY typed in hex, by alias (`verify pin1 1234`) or by spec name (`uicc_verify_pin 0001 …`)
 * is echoed with stars and kept in the history only in that starred form. A line that sent
 * nothing (a usage error, an unknown word) is not kept, and errors name offsets, never the input.
 */
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import type { Transport } from '../transport/index.js';
import { ExchangeDecoder, defaultAppletSpecs } from '../trace/decode.js';
import { hexErrorMessage, isSecretCommand, spacedHex } from '../trace/mask.js';
import { defaultAidOf } from '../transport/emulator.js';
import { ALIASES, ShellUsageError, buildBySpec } from './aliases.js';

export interface ShellResult {
  readonly lines: string[];
  readonly quit?: boolean;
  /**
   * What the history file may keep for this line: the typed line, or — when the command sent was
   * secret — its starred hex form; undefined: keep nothing (nothing was sent, or a usage error).
   */
  readonly history?: string;
}

const HEX_LINE = /^[0-9a-fA-F\s:]+$/;
/** A word worth repeating in "unknown command": a name, not digits (a PIN typed at the prompt). */
const NAME = /^[a-z][\w-]*$/i;

export class ShellEvaluator {
  private readonly decoder: ExchangeDecoder;
  /** `raw`: the transport leaves T=0's 61xx/9Fxx and 6Cxx to the user (shell --raw); only the help text depends on it. */
  constructor(
    private readonly transport: Transport,
    private readonly opts: { raw?: boolean } = {},
  ) {
    // An emulated card says which applet answers after reset; a reader's card is taken for a SIM.
    this.decoder = new ExchangeDecoder(defaultAppletSpecs(defaultAidOf(transport)));
  }

  async eval(input: string): Promise<ShellResult> {
    const line = input.trim();
    if (!line || line.startsWith('#')) return { lines: [] };
    const [word, ...args] = line.split(/\s+/) as [string, ...string[]];
    const w = word.toLowerCase();
    if (w === 'quit' || w === 'exit') return { lines: [], quit: true, history: line };
    if (w === 'help') return { lines: this.help(), history: line };
    if (w === 'atr') return { lines: [`ATR ${bytesToHex(this.transport.atr ?? new Uint8Array(0)).toUpperCase()} (${this.transport.protocol ?? '?'})`], history: line };
    if (w === 'reset') {
      const atr = await this.transport.reset();
      this.decoder.reset();
      return { lines: [`reset: ATR ${bytesToHex(atr).toUpperCase()}`], history: line };
    }
    let command: Uint8Array;
    const alias = ALIASES.find((a) => a.name === w);
    try {
      if (HEX_LINE.test(line) && /[0-9a-f]{2}/i.test(line)) {
        command = hexToBytes(line);
        if (command.length < 4) return { lines: [`a command APDU has at least 4 bytes (CLA INS P1 P2), got ${command.length}`] };
      } else if (alias) command = alias.build(args);
      else {
        const bySpec = buildBySpec(w, args);
        if (!bySpec) return { lines: [NAME.test(word) ? `unknown command "${word}" (type help)` : 'unknown command (type help)'] };
        command = bySpec;
      }
    } catch (e) {
      if (e instanceof ShellUsageError) return { lines: [`${NAME.test(word) ? `${word}: ` : ''}${e.message}${alias ? ` (usage: ${alias.usage})` : ''}`] };
      if (e instanceof RangeError) return { lines: [`${alias || !HEX_LINE.test(line) ? `${word}: ` : 'APDU: '}${hexErrorMessage(e)}${alias ? ` (usage: ${alias.usage})` : ''}`] };
      throw e;
    }
    const response = await this.transport.transmit(command);
    const { command: c, response: r } = this.decoder.decode(command, response);
    // The file a SELECT names, the FCP tag by tag and decoded file contents, as `send` shows them.
    const more = (lines: readonly string[] | undefined): string[] => (lines ?? []).map((l) => `    ${l}`);
    return {
      lines: [`> ${spacedHex(c.text)}  (${c.name}${c.file !== undefined ? ` ${c.file}` : ''})`, ...more(c.details), `< ${r.data.length ? spacedHex(bytesToHex(r.data)) + '  ' : ''}${r.swHex.toUpperCase()}  ${r.meaning}`, ...more(r.details)],
      // c.text is already starred when the command is secret; else the line as typed, to recall it.
      history: isSecretCommand(command) ? spacedHex(c.text) : line,
    };
  }

  private help(): string[] {
    return [
      'Type a command APDU in hex, or a named command:',
      ...ALIASES.map((a) => `  ${a.usage.padEnd(44)} ${a.help}`),
      '  NAME [P1P2|-] [DATA|-] [LE]                  any command declared in apdu-specs, by name, all hex (see docs/commands.md)',
      '  atr | reset | help | quit',
      this.opts.raw
        ? 'T=0 (--raw): answers come as the card gives them: after 61xx/9Fxx send get-response yourself (A0 C0 00 00 xx for class A0); 6Cxx is shown, not re-sent. T=1: answers come whole.'
        : 'T=0: the shell sends GET RESPONSE after 61xx/9Fxx and re-sends on 6Cxx itself, so each command shows its data and final SW (start the shell with --raw to see 61xx/9Fxx and fetch yourself). T=1: answers come whole.',
      'PIN, PUK, ADM and code values are shown as stars, and kept in the history file only as stars.',
    ];
  }
}
