/**
 * Human-readable exchange lines for the CLI, decoded from apdu-specs (command name, SW meaning)
 * and the file system (a SELECT's file, its FCP tag by tag, a READ's content through the EF's codec).
 * Commands are shown as host/trace/mask.ts decides: a secret command (PIN, PUK, ADM, code, key)
 * starred unless the caller reveals it — in text and in JSON alike.
 */
import { bytesToHex } from '../../card/runtime/index.js';
import { ExchangeDecoder, decodeResponse, type DecodedCommand, type DecodedResponse } from '../trace/decode.js';
import { maskCommand, spacedHex as spaced } from '../trace/mask.js';
import type { CommandSpec } from '../../apdu-specs/index.js';

/** The lines of one decoded exchange: `> command  (NAME file)`, its details, `< response  SW meaning`, its details. */
export function formatDecoded(c: DecodedCommand, r: DecodedResponse): string {
  const data = r.data.length ? `${spaced(bytesToHex(r.data))}  ` : '';
  const more = (lines: readonly string[] | undefined): string => (lines ?? []).map((l) => `\n    ${l}`).join('');
  return `> ${spaced(c.text)}  (${c.name}${c.file !== undefined ? ` ${c.file}` : ''})${more(c.details)}\n< ${data}${r.swHex.toUpperCase()}  ${r.meaning}${more(r.details)}`;
}

/**
 * One exchange; pass the same decoder for a session so commands are named by the selected applet
 * and files are followed. emulate -v logs through this (secrets starred: what a remote client sent
 * is logged, and logs are kept).
 */
export function formatExchange(command: Uint8Array, response: Uint8Array, decoder: ExchangeDecoder = new ExchangeDecoder(), opts: { reveal?: boolean } = {}): string {
  const { command: c, response: r } = decoder.decode(command, response, opts.reveal ? { reveal: true } : {});
  return formatDecoded(c, r);
}

export interface JsonExchange {
  /** Hex; a secret command's data as '*' per hidden digit (mask.ts) unless revealed. */
  command: string;
  response: string;
  sw: string;
}

export function jsonExchange(command: Uint8Array, response: Uint8Array, opts: { specs?: readonly CommandSpec[]; reveal?: boolean } = {}): JsonExchange {
  const r = decodeResponse(response);
  return { command: maskCommand(command, opts), response: bytesToHex(response), sw: r.swHex };
}
