/**
 * The one owner of "what in a command APDU is secret, and how it is shown". Every output that
 * prints a command — send (text and --json), the shell's echo and its history file, trace show,
 * emulate -v, demo — goes through maskCommand; nothing else decides.
 *
 * The decision is by declaration (apdu-specs FieldSpec.secret), from the CLA and INS alone:
 * - a command is secret when ANY declaration of its CLA/INS carries a secret field — the
 *   applet's own (the channel's, passed as `specs`) or any other applet's. 00 20 is VERIFY PIN
 *   for the USIM, VERIFY payment code for the payment applet and the consent code for the
 *   ledger: the context may be unknown (a trace without its SELECT, a fresh decoder per line in
 *   emulate -v) or wrong, and a value must never show because the guess was wrong;
 * - an invalid class byte (decodeCla: 20..3F, FF) says nothing about the class: the INS alone
 *   decides (a mistyped CLA still carries the typed PIN);
 * - the length is NOT trusted: a secret command whose Lc does not parse (`A0 20 00 01 09` + 8
 *   bytes) shows its 4-byte header and stars for everything after it.
 *
 * Shown form (hex, lower case, '*' per hidden hex digit): header, Lc, stars for the data and
 * whatever follows it (an Le byte after a PIN may be a mistyped PIN digit). A case 2 body is a
 * lone Le: shown only when it is 00 (the TS 51.011 P3=00 retry query), starred otherwise.
 * Only `reveal` (send --show-secrets, trace show --reveal) shows a secret command in clear.
 */
import { ALL_COMMANDS, type CommandSpec } from '../../apdu-specs/index.js';
import { CardError, bytesToHex, decodeCla, parseCommand } from '../../card/runtime/index.js';

/** CLA INS P1 P2. */
const HEADER = 4;

const stars = (bytes: number): string => '*'.repeat(bytes * 2);

function declaresSecret(s: CommandSpec): boolean {
  return s.command?.some((f) => f.secret === true) === true;
}

/** True when some declaration of this command's CLA/INS (any applet's, or one of `specs`) has a secret field. */
export function isSecretCommand(cmd: Uint8Array, specs: readonly CommandSpec[] = []): boolean {
  if (cmd.length < 2) return false;
  const ins = cmd[1]!;
  const info = decodeCla(cmd[0]!);
  const all = specs.length ? [...specs, ...ALL_COMMANDS] : ALL_COMMANDS;
  return all.some((s) => s.ins === ins && declaresSecret(s) && (info === undefined || (info.base & s.cla.mask) === s.cla.value));
}

/** Where the body shown in clear ends: the header, plus Lc when the length parses and data follows. */
function clearPrefix(cmd: Uint8Array): number {
  if (cmd.length <= HEADER) return cmd.length;
  let a;
  try {
    a = parseCommand(cmd);
  } catch (e) {
    if (e instanceof CardError) return HEADER; // the length does not parse: nothing after the header
    throw e;
  }
  if (a.data.length === 0) return cmd.subarray(HEADER).every((b) => b === 0) ? cmd.length : HEADER;
  return HEADER + (a.extended ? 3 : 1);
}

/** The command in hex with the secret part starred (see the file comment); in clear when not secret or revealed. */
export function maskCommand(cmd: Uint8Array, opts: { specs?: readonly CommandSpec[]; reveal?: boolean } = {}): string {
  if (opts.reveal || !isSecretCommand(cmd, opts.specs)) return bytesToHex(cmd);
  const keep = clearPrefix(cmd);
  return bytesToHex(cmd.subarray(0, keep)) + stars(cmd.length - keep);
}

/** Space a hex (or masked hex) string in byte pairs, upper case: "00 20 00 01 08 ** ** …". */
export function spacedHex(hex: string): string {
  return hex.toUpperCase().replace(/(..)(?!$)/g, '$1 ');
}

/**
 * A hex-parse error without the input: hexToBytes names the offending character; a PIN typed
 * with a stray character would be repeated in the message, so only the offset is kept.
 */
export function hexErrorMessage(e: Error): string {
  const m = /at offset (\d+)/.exec(e.message);
  if (/invalid hex character/.test(e.message) && m) return `not a hex digit at offset ${m[1]}`;
  return e.message.replace(/^hexToBytes: /, '');
}
