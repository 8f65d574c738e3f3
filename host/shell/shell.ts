/**
 * The interactive shell's evaluator, separate from the terminal so it can be tested directly:
 * one input line → the lines to print. Hex APDUs are sent as they are; named commands go through
 * aliases.ts; answers are decoded from apdu-specs with status-word meanings. PIN values typed in
 * `verify` are masked in the echo.
 */
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import type { Transport } from '../transport/index.js';
import { ExchangeDecoder, defaultAppletSpecs } from '../trace/decode.js';
import { defaultAidOf } from '../transport/emulator.js';
import { ALIASES, ShellUsageError, buildBySpec } from './aliases.js';

export interface ShellResult {
  readonly lines: string[];
  readonly quit?: boolean;
}

const HEX_LINE = /^[0-9a-fA-F\s:]+$/;

export class ShellEvaluator {
  private readonly decoder: ExchangeDecoder;
  constructor(private readonly transport: Transport) {
    // An emulated card says which applet answers after reset; a reader's card is taken for a SIM.
    this.decoder = new ExchangeDecoder(defaultAppletSpecs(defaultAidOf(transport)));
  }

  async eval(input: string): Promise<ShellResult> {
    const line = input.trim();
    if (!line || line.startsWith('#')) return { lines: [] };
    const [word, ...args] = line.split(/\s+/) as [string, ...string[]];
    const w = word.toLowerCase();
    if (w === 'quit' || w === 'exit') return { lines: [], quit: true };
    if (w === 'help') return { lines: this.help() };
    if (w === 'atr') return { lines: [`ATR ${bytesToHex(this.transport.atr ?? new Uint8Array(0)).toUpperCase()} (${this.transport.protocol ?? '?'})`] };
    if (w === 'reset') {
      const atr = await this.transport.reset();
      this.decoder.reset();
      return { lines: [`reset: ATR ${bytesToHex(atr).toUpperCase()}`] };
    }
    let command: Uint8Array;
    let masked = false;
    try {
      if (HEX_LINE.test(line) && /[0-9a-f]{2}/i.test(line)) command = hexToBytes(line);
      else {
        const alias = ALIASES.find((a) => a.name === w);
        if (alias) {
          command = alias.build(args);
          masked = w === 'verify' || w === 'unblock';
        } else {
          const bySpec = buildBySpec(w, args);
          if (!bySpec) return { lines: [`unknown command "${word}" (type help)`] };
          command = bySpec;
        }
      }
    } catch (e) {
      if (e instanceof ShellUsageError || e instanceof RangeError) {
        const alias = ALIASES.find((a) => a.name === w);
        return { lines: [`${word}: ${e.message.replace(/^hexToBytes: /, '')}${alias ? ` (usage: ${alias.usage})` : ''}`] };
      }
      throw e;
    }
    const response = await this.transport.transmit(command);
    const { command: c, response: r } = this.decoder.decode(command, response);
    const shown = masked ? bytesToHex(command.subarray(0, 5)).toUpperCase() + ' ' + '*'.repeat(2 * (command.length - 5)) : spaced(command);
    // The file a SELECT names, the FCP tag by tag and decoded file contents, as `send` shows them.
    const more = (lines: readonly string[] | undefined): string[] => (lines ?? []).map((l) => `    ${l}`);
    return {
      lines: [`> ${shown}  (${c.name}${c.file !== undefined ? ` ${c.file}` : ''})`, ...more(c.details), `< ${r.data.length ? spaced(r.data) + '  ' : ''}${r.swHex.toUpperCase()}  ${r.meaning}`, ...more(r.details)],
    };
  }

  private help(): string[] {
    return [
      'Type a command APDU in hex, or a named command:',
      ...ALIASES.map((a) => `  ${a.usage.padEnd(44)} ${a.help}`),
      '  NAME [P1P2|-] [DATA|-] [LE]                  any command declared in apdu-specs, by name, all hex (see docs/commands.md)',
      '  atr | reset | help | quit',
    ];
  }
}

function spaced(b: Uint8Array): string {
  return bytesToHex(b).toUpperCase().replace(/(..)(?!$)/g, '$1 ');
}
