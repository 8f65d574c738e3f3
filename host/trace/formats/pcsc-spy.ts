/**
 * pcsc-spy output (pcsc-lite's PC/SC call logger, `pcsc-spy -n`): one block per call, the
 * function name on its own line, " i " / " o " lines for in and out parameters, buffers as
 * hexdump lines " i  0000 00 A4 04 00 …  ascii" (16 bytes, offset in hex), and the result line
 * " => Command successful. (SCARD_S_SUCCESS [0x00000000])  [0.000364]" with the call's duration
 * (pcsc-lite ≥ 2.2: " => SCARD_S_SUCCESS [0x00000000]  [0.000364]"; `-d`: "[??.??]").
 * SCardConnect → power-on, SCardReconnect with a reset or unpower → reset, the ATR from
 * SCardStatus, SCardTransmit → command and response. Read only.
 */
import { TraceError, syntaxError, type OnBadLine } from '../errors.js';
import type { Trace, TraceEvent } from '../events.js';
import { parseHex, type LineReader } from '../io.js';
import { concat } from '../../../card/runtime/index.js';

/**
 * The result line of a call, both spellings: pcsc-lite < 2.2
 * " => Command successful. (SCARD_S_SUCCESS [0x00000000])  [0.000296]" and ≥ 2.2 (April 2024)
 * " => SCARD_S_SUCCESS [0x00000000]  [0.000296]"; `pcsc-spy -d` writes "[??.??]" for the time.
 */
const RESULT = /^ => (?:.*\()?(\w+) \[0x([0-9A-Fa-f]{8})\]\)?\s+\[(?:(\d+)\.(\d+)|\?\?\.\?\?)\]/;

const DUMP = /^ [io] {2}([0-9A-F]{4}) (.{47})/;

/** The hexdump lines that follow a " i bSendBuffer" / " o bRecvBuffer" line. */
function readDump(src: LineReader, what: string): Uint8Array {
  const parts: Uint8Array[] = [];
  let expect = 0;
  for (let l = src.peek(); l !== undefined && DUMP.test(l); l = src.peek()) {
    src.next();
    const m = DUMP.exec(l)!;
    const off = parseInt(m[1]!, 16);
    if (off !== expect) throw syntaxError(src, `${what}: hexdump offset ${m[1]} where ${expect.toString(16).padStart(4, '0').toUpperCase()} was expected (a line is missing)`);
    const bytes = parseHex(m[2]!.trim(), src, what);
    parts.push(bytes);
    expect += 16;
    if (bytes.length < 16) break;
  }
  return concat(...parts);
}

export function readPcscSpy(src: LineReader, onBad?: OnBadLine): Trace {
  function* events(): Generator<TraceEvent> {
    let fn = '';
    let send: Uint8Array | undefined;
    let recv: Uint8Array | undefined;
    let sendLen = -1;
    let recvLen = -1;
    let init = -1;
    let atrSeen = false;
    for (let line = src.next(); line !== undefined; line = src.next()) {
      try {
        if (/^SCard\w+$/.test(line)) {
          // A transmit whose result line is missing would otherwise vanish with its APDUs.
          const unfinished = fn === 'SCardTransmit';
          fn = line;
          send = recv = undefined;
          sendLen = recvLen = init = -1;
          if (unfinished) throw syntaxError(src, 'the SCardTransmit before this call has no result line (" => …"); its exchange is not read');
          continue;
        }
        let m: RegExpExecArray | null;
        if ((m = /^ i bSendLength 0x([0-9A-F]+)/.exec(line))) sendLen = parseInt(m[1]!, 16);
        else if ((m = /^ o bRecvLength 0x([0-9A-F]+)/.exec(line))) recvLen = parseInt(m[1]!, 16);
        else if ((m = /^ i dwInitialization 0x([0-9A-F]+)/.exec(line))) init = parseInt(m[1]!, 16);
        else if (line === ' i bSendBuffer') send = readDump(src, 'bSendBuffer');
        else if (line === ' o bRecvBuffer') recv = readDump(src, 'bRecvBuffer');
        else if ((m = /^ o bAtr ([0-9A-F ]+)$/.exec(line)) && fn === 'SCardStatus' && !atrSeen) {
          atrSeen = true;
          yield { kind: 'atr', atr: parseHex(m[1]!, src, 'bAtr') };
        } else if ((m = RESULT.exec(line))) {
          const ok = m[2] === '00000000';
          // `pcsc-spy -d` prints "[??.??]" instead of the duration: no time, but the exchange is kept.
          const us = m[3] !== undefined ? Number(m[3]) * 1e6 + Number(m[4]!.padEnd(6, '0').slice(0, 6)) : undefined;
          if (fn === 'SCardConnect' && ok) {
            atrSeen = false;
            yield { kind: 'power-on' };
          } else if (fn === 'SCardReconnect' && ok && (init === 1 || init === 2)) {
            atrSeen = false;
            yield { kind: 'reset' };
          } else if (fn === 'SCardTransmit') {
            if (!send) throw syntaxError(src, 'SCardTransmit without a bSendBuffer dump');
            if (sendLen >= 0 && send.length !== sendLen) throw syntaxError(src, `bSendBuffer has ${send.length} bytes, bSendLength says ${sendLen}`);
            if (send.length < 4) throw syntaxError(src, `command of ${send.length} bytes; at least 4 (CLA INS P1 P2)`);
            yield { kind: 'command', apdu: send };
            if (ok && recv) {
              if (recvLen >= 0 && recv.length !== recvLen) throw syntaxError(src, `bRecvBuffer has ${recv.length} bytes, bRecvLength says ${recvLen}`);
              if (recv.length < 2) throw syntaxError(src, 'response without a status word');
              yield { kind: 'response', data: recv, ...(us !== undefined ? { us } : {}) };
            }
          }
          fn = '';
        } else if (line.startsWith(' => ')) {
          throw syntaxError(src, `result line not understood (expected " => SCARD_… [0x…]  [seconds]")${fn ? ` ending ${fn}` : ''}`);
        }
      } catch (e) {
        if (!(e instanceof TraceError) || !onBad) throw e;
        onBad(e);
      }
    }
    if (fn === 'SCardTransmit') {
      const e = syntaxError(src, 'the file ends inside an SCardTransmit (no result line); its exchange is not read');
      if (!onBad) throw e;
      onBad(e);
    }
  }
  return { header: { tool: 'pcsc-spy' }, events: events() };
}

export const looksLikePcscSpy = (head: string): boolean => /^SCard\w+\n i /m.test(head) || /^ => .*SCARD_/m.test(head);
