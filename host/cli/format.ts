/**
 * Human-readable exchange lines for the CLI, decoded from apdu-specs (command name, SW meaning)
 * and the file system (a SELECT's file, its FCP tag by tag, a READ's content through the EF's codec).
 */
import { bytesToHex } from '../../card/runtime/index.js';
import { ExchangeDecoder, decodeResponse, type DecodedCommand, type DecodedResponse } from '../trace/decode.js';

const spaced = (hex: string): string => hex.toUpperCase().replace(/(..)(?!$)/g, '$1 ');

/** The lines of one decoded exchange: `> command  (NAME file)`, its details, `< response  SW meaning`, its details. */
export function formatDecoded(c: DecodedCommand, r: DecodedResponse): string {
  const data = r.data.length ? `${spaced(bytesToHex(r.data))}  ` : '';
  const more = (lines: readonly string[] | undefined): string => (lines ?? []).map((l) => `\n    ${l}`).join('');
  return `> ${spaced(c.text)}  (${c.name}${c.file !== undefined ? ` ${c.file}` : ''})${more(c.details)}\n< ${data}${r.swHex.toUpperCase()}  ${r.meaning}${more(r.details)}`;
}

/** One exchange; pass the same decoder for a session so commands are named by the selected applet and files are followed. */
export function formatExchange(command: Uint8Array, response: Uint8Array, decoder: ExchangeDecoder = new ExchangeDecoder()): string {
  const { command: c, response: r } = decoder.decode(command, response);
  return formatDecoded(c, r);
}

export interface JsonExchange {
  command: string;
  response: string;
  sw: string;
}

export function jsonExchange(command: Uint8Array, response: Uint8Array): JsonExchange {
  const r = decodeResponse(response);
  return { command: bytesToHex(command), response: bytesToHex(response), sw: r.swHex };
}
