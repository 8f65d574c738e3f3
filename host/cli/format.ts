/** Human-readable exchange lines for the CLI, decoded from apdu-specs (command name, SW meaning). */
import { bytesToHex } from '../../card/runtime/index.js';
import { ExchangeDecoder, decodeResponse } from '../trace/decode.js';

const spaced = (hex: string): string => hex.toUpperCase().replace(/(..)(?!$)/g, '$1 ');

/** One exchange; pass the same decoder for a session so commands are named by the selected applet. */
export function formatExchange(command: Uint8Array, response: Uint8Array, decoder: ExchangeDecoder = new ExchangeDecoder()): string {
  const { command: c, response: r } = decoder.decode(command, response);
  const data = r.data.length ? `${spaced(bytesToHex(r.data))}  ` : '';
  return `> ${spaced(c.text)}  (${c.name})\n< ${data}${r.swHex.toUpperCase()}  ${r.meaning}`;
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
