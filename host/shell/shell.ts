/**
 * The interactive shell's evaluator, separate from the terminal so it can be tested directly:
 * one input line → the lines to print, and the line the history file may keep; and one partial
 * line → what Tab offers. Hex APDUs are sent as they are; named commands go through aliases.ts
 * (files by name through files.ts); answers are decoded from apdu-specs with status-word
 * meanings, file contents through the EF codecs (host/trace/decode.ts).
 *
 * Secrets are judged by the command actually sent, whatever was typed (host/trace/mask.ts): a
 * VERIFY typed in hex, by name (`verify_chv pin1 1234`) or by spec name (`uicc_verify_pin 0001 …`)
 * is echoed with stars and kept in the history only in that starred form. A line that sent
 * nothing (a usage error, an unknown word) is not kept, is marked `error`, and errors name
 * offsets, never the input.
 */
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import type { Transport } from '../transport/index.js';
import { EmulatorTransport } from '../transport/index.js';
import { ExchangeDecoder, defaultAppletSpecs, describeFcp, describeGsmResponse } from '../trace/decode.js';
import { hexErrorMessage, isSecretCommand, spacedHex } from '../trace/mask.js';
import { defaultAidOf } from '../transport/emulator.js';
import { ALIASES, BUILTINS, ShellUsageError, buildBySpec, commandNames, hasSim, type Alias, type ShellContext } from './aliases.js';
import { dirLines } from './files.js';

export interface ShellResult {
  readonly lines: string[];
  readonly quit?: boolean;
  /**
   * What the history file may keep for this line: the typed line, or — when the command sent was
   * secret — its starred hex form; undefined: keep nothing (nothing was sent, or a usage error).
   */
  readonly history?: string;
  /** The line failed in the shell (usage error, unknown command): nothing, or not all of it, was sent. A status word the card answered is not an error. */
  readonly error?: true;
}

const HEX_LINE = /^[0-9a-fA-F\s:]+$/;
/** A word worth repeating in "unknown command": a name, not digits (a PIN typed at the prompt). */
const NAME = /^[a-z][\w-]*$/i;
const ok = (sw: number): boolean => sw === 0x9000 || sw >> 8 === 0x61 || sw >> 8 === 0x9f || sw >> 8 === 0x91;

/** Words into lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const w of text.split(' ')) {
    if (cur && cur.length + 1 + w.length > width) {
      out.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) out.push(cur);
  return out;
}

export class ShellEvaluator {
  private readonly decoder: ExchangeDecoder;
  /** AIDs of the applets on the card (hex, lower case); undefined for a card in a reader. */
  private readonly aids: readonly string[] | undefined;
  /** `raw`: the transport leaves T=0's 61xx/9Fxx and 6Cxx to the user (shell --raw); only the help text depends on it. */
  constructor(
    private readonly transport: Transport,
    private readonly opts: { raw?: boolean } = {},
  ) {
    // An emulated card says which applet answers after reset; a reader's card is taken for a SIM.
    this.decoder = new ExchangeDecoder(defaultAppletSpecs(defaultAidOf(transport)));
    this.aids = transport instanceof EmulatorTransport ? transport.card.applets.map((a) => a.aidHex.toLowerCase()) : undefined;
  }

  private get ctx(): ShellContext {
    return { current: this.decoder.currentFile(0), aids: this.aids };
  }

  async eval(input: string): Promise<ShellResult> {
    const line = input.trim();
    if (!line || line.startsWith('#')) return { lines: [] };
    const [word, ...args] = line.split(/\s+/) as [string, ...string[]];
    const w = word.toLowerCase();
    const fail = (message: string): ShellResult => ({ lines: [message], error: true });
    const builtin = BUILTINS.find((b) => b.name === w || (b.name === 'quit' && w === 'exit'));
    if (builtin) {
      const max = builtin.name === 'help' ? 1 : 0;
      if (args.length > max) return fail(`${w}: ${args.length} argument${args.length > 1 ? 's' : ''} too many (usage: ${builtin.usage})`);
    }
    if (w === 'quit' || w === 'exit') return { lines: [], quit: true, history: line };
    if (w === 'help') {
      if (!args.length) return { lines: this.help(), history: line };
      const lines = this.helpFor(args[0]!);
      return lines ? { lines, history: line } : fail(`help: no command "${NAME.test(args[0]!) ? args[0] : '…'}" (type help)`);
    }
    if (w === 'dir') return { lines: dirLines(this.ctx.current), history: line };
    if (w === 'atr') return { lines: [`ATR ${bytesToHex(this.transport.atr ?? new Uint8Array(0)).toUpperCase()} (${this.transport.protocol ?? '?'})`], history: line };
    if (w === 'reset') {
      const atr = await this.transport.reset();
      this.decoder.reset();
      return { lines: [`reset: ATR ${bytesToHex(atr).toUpperCase()}`], history: line };
    }
    const alias = ALIASES.find((a) => a.name === w);
    const usageError = (e: unknown): ShellResult => {
      if (e instanceof ShellUsageError) return fail(`${NAME.test(word) ? `${w}: ` : ''}${e.message}${alias ? ` (usage: ${alias.usage})` : ''}`);
      if (e instanceof RangeError) return fail(`${alias || !HEX_LINE.test(line) ? `${word}: ` : 'APDU: '}${hexErrorMessage(e)}${alias ? ` (usage: ${alias.usage})` : ''}`);
      throw e;
    };
    if (alias?.steps && args.length === 1 && args[0]!.includes('/')) return this.steps(alias, args[0]!, line);
    let command: Uint8Array;
    try {
      if (HEX_LINE.test(line) && /[0-9a-f]{2}/i.test(line)) {
        command = hexToBytes(line);
        if (command.length < 4) return fail(`a command APDU has at least 4 bytes (CLA INS P1 P2), got ${command.length}`);
      } else if (alias) {
        if (args.length > alias.maxArgs) return fail(`${alias.name}: ${args.length - alias.maxArgs} argument${args.length - alias.maxArgs > 1 ? 's' : ''} too many (usage: ${alias.usage})`);
        command = alias.build(args, this.ctx);
      } else {
        const bySpec = buildBySpec(w, args);
        if (!bySpec) return fail(this.unknown(word));
        command = bySpec;
      }
    } catch (e) {
      return usageError(e);
    }
    const lines = await this.exchange(command, !HEX_LINE.test(line) && w !== 'apdu');
    // A secret command is kept starred; else the line as typed, to recall it.
    return { lines: lines.lines, history: isSecretCommand(command) ? lines.starred : line };
  }

  /** `select DF_GSM/EF_IMSI`: one SELECT per step, each resolved where the last one led; stops at the first failure. */
  private async steps(alias: Alias, arg: string, line: string): Promise<ShellResult> {
    const out: string[] = [];
    for (const step of arg.split('/').filter(Boolean)) {
      let command: Uint8Array;
      try {
        command = alias.build([step], this.ctx);
      } catch (e) {
        if (!(e instanceof ShellUsageError || e instanceof RangeError)) throw e;
        const msg = e instanceof ShellUsageError ? e.message : hexErrorMessage(e as RangeError);
        return { lines: [...out, `${alias.name}: ${msg} (usage: ${alias.usage})`], error: true, ...(out.length ? { history: line } : {}) };
      }
      const r = await this.exchange(command, true);
      out.push(...r.lines);
      if (!r.ok) break;
    }
    return { lines: out, history: line };
  }

  /**
   * Send one command and decode the exchange. `named`: the shell built it, so a class A0 case 2
   * answered 67xx (TS 51.011 §9.4.4: wrong P3, xx the right one) is asked again with P3 = xx, as
   * a T=0 transport does for 6Cxx; a typed APDU is sent once, as typed.
   */
  private async exchange(command: Uint8Array, named: boolean): Promise<{ lines: string[]; starred: string; ok: boolean }> {
    const lines: string[] = [];
    let starred = '';
    let cmd = command;
    for (let round = 0; round < 2; round++) {
      const response = await this.transport.transmit(cmd);
      const { command: c, response: r } = this.decoder.decode(cmd, response);
      starred = spacedHex(c.text);
      // The file a SELECT names, the FCP tag by tag and decoded file contents, as `send` shows them.
      const more = (l: readonly string[] | undefined): string[] => (l ?? []).map((x) => `    ${x}`);
      lines.push(`> ${spacedHex(c.text)}  (${c.name}${c.file !== undefined ? ` ${c.file}` : ''})`, ...more(c.details), `< ${r.data.length ? spacedHex(bytesToHex(r.data)) + '  ' : ''}${r.swHex.toUpperCase()}  ${r.meaning}`, ...more(r.details ?? this.status(cmd, r.sw, r.data)));
      const p3 = r.sw & 0xff;
      if (!(named && cmd[0] === 0xa0 && r.sw >> 8 === 0x67 && p3 !== 0 && cmd.length <= 5 && r.data.length === 0)) return { lines, starred, ok: ok(r.sw) };
      lines.push(`    (asked again with P3 = ${p3.toString(16).padStart(2, '0').toUpperCase()}, the length the card gave)`);
      cmd = Uint8Array.of(cmd[0]!, cmd[1]!, cmd[2]!, cmd[3]!, p3);
    }
    return { lines, starred, ok: false };
  }

  /** STATUS answers (A0 F2: the GSM DF response, TS 51.011 §9.2.2; 80 F2: the DF's FCP), which the decoder leaves as hex. */
  private status(cmd: Uint8Array, sw: number, data: Uint8Array): readonly string[] | undefined {
    if (cmd[1] !== 0xf2 || !ok(sw) || !data.length) return undefined;
    try {
      if (cmd[0] === 0xa0) return describeGsmResponse(data);
      return data[0] === 0x62 ? describeFcp(data) : undefined;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      return [`cannot decode: ${e.message}`];
    }
  }

  private unknown(word: string): string {
    if (!NAME.test(word)) return 'unknown command (type help)';
    // One name per command: the old dashed spellings (read-binary) point to the snake_case one.
    const snake = word.toLowerCase().replace(/-/g, '_');
    const known = this.names();
    const hint = snake !== word.toLowerCase() && known.includes(snake) ? `; did you mean ${snake}?` : '';
    return `unknown command "${word}"${hint} (type help)`;
  }

  /** The command names on this card (one per command; none of an applet the card lacks). */
  names(): string[] {
    return commandNames(this.aids);
  }

  /**
   * What Tab offers for a partial line: [candidates, the word they complete] (node:readline's
   * completer). The command word, then per command its arguments: file names and FIDs of the
   * current DF and the card's AIDs after select, PIN references after verify_chv and the like,
   * command names after help; after `select DF_GSM/` the files of DF_GSM. Matching ignores case
   * and counts `.` as `_` (EF.IM → EF_IMSI).
   */
  complete(partial: string): [string[], string] {
    const parts = partial.trimStart().split(/\s+/);
    const word = parts[parts.length - 1] ?? '';
    const key = (s: string): string => s.toLowerCase().replace(/\./g, '_');
    const pick = (cands: readonly string[]): [string[], string] => [[...new Set(cands.filter((c) => key(c).startsWith(key(word))))], word];
    if (parts.length === 1) return pick(this.names());
    const w = parts[0]!.toLowerCase();
    if (w === 'help') return parts.length === 2 ? pick(this.names()) : [[], word];
    const alias = ALIASES.find((a) => a.name === w);
    if (!alias?.complete) return [[], word];
    return pick(alias.complete(parts.length - 2, this.ctx, word));
  }

  private visible(): Alias[] {
    const sim = hasSim(this.aids);
    return ALIASES.filter((a) => sim || !a.sim);
  }

  private helpFor(name: string): string[] | undefined {
    const n = name.toLowerCase();
    // Every named command, also one this card's applets do not serve (it can still be sent).
    const a = ALIASES.find((x) => x.name === n);
    if (a) return [`usage: ${a.usage}`, ...a.help.split(/(?<=\.) /).map((s) => `  ${s}`)];
    const b = BUILTINS.find((x) => x.name === n);
    if (b) return [`usage: ${b.usage}`, `  ${b.help}`];
    if (!this.names().includes(n)) return undefined;
    return [`usage: ${n} [P1P2|-] [DATA|-] [LE]`, '  the command declared in apdu-specs under this name, all hex (see docs/commands.md); no Le on a command that answers data: up to 256 bytes'];
  }

  private help(): string[] {
    const spec = this.names().filter((n) => !ALIASES.some((a) => a.name === n) && !BUILTINS.some((b) => b.name === n));
    return [
      'Type a command APDU in hex, or a named command (help <command> for one in full; Tab completes commands, file names, FIDs, AIDs and PIN references):',
      ...this.visible().map((a) => `  ${a.usage.padEnd(50)} ${a.help.split('. ')[0]}`),
      ...BUILTINS.filter((b) => b.name !== 'dir' || hasSim(this.aids)).map((b) => `  ${b.usage.padEnd(50)} ${b.help}`),
      `  ${'NAME [P1P2|-] [DATA|-] [LE]'.padEnd(50)} a command declared in apdu-specs, by name, all hex; on this card:`,
      ...wrap(spec.join(', '), 96).map((l) => `    ${l}`),
      'Files by name: EF_IMSI or EF.IMSI, any case; MF; .. ; ADF_USIM. Numbers are hex, offsets decimal.',
      this.opts.raw
        ? 'T=0 (--raw): answers come as the card gives them: after 61xx/9Fxx send get_response yourself (get_response 17 gsm for class A0); 6Cxx is shown, not re-sent. T=1: answers come whole.'
        : 'T=0: the shell sends GET RESPONSE after 61xx/9Fxx and re-sends on 6Cxx itself, so each command shows its data and final SW (start the shell with --raw to see 61xx/9Fxx and fetch yourself). T=1: answers come whole.',
      'PIN, PUK, ADM and code values are shown as stars, and kept in the history file only as stars.',
      'On a pipe, the shell goes on after a failing line and exits 1 at the end; a status word the card answers is not a failure.',
    ];
  }
}
