/**
 * GlobalPlatformPro / apdu4j verbose logs (`gp -d`): the APDU lines apdu4j's logging terminal
 * prints among GlobalPlatformPro's own messages. Read only. Both styles seen in public logs:
 *   A>> T=1 (4+0009) 00A40400 09 A00000015100000000 00     command: header, Lc, data, Le
 *   A<< (0018+2) (26ms) 6F108408A000000151000000A5049F6501FF 9000   response: data, SW
 * (GlobalPlatformPro 18.x–21.x, e.g. its issues #169, #192, #221, #347) and the newer form without
 * the protocol, where the session lines are comments (GlobalPlatformPro 26.x, issue #192):
 *   # SCardConnect("Alcor Micro AU9540", T=*) -> T=0, 3B6A00FF0031C173C84000009000
 *   A>> (4+0000) 00A40400 00
 * A ">>"/"<<" line without the "A" is read the same way. `(h+nnnn)` announces the command header
 * and data lengths, `(nnnn+2)` the response data and SW lengths: both are checked, so a log a
 * terminal wrapped or cut is an error, never a shorter APDU. Other lines are GlobalPlatformPro's
 * messages and skipped; "SCardConnect(…) -> T=1, ATR" (or a plain "ATR: …" line) gives the ATR.
 */
import { syntaxError, TraceError, type OnBadLine } from '../errors.js';
import type { Trace, TraceEvent, TraceHeader } from '../events.js';
import { parseHex, type LineReader } from '../io.js';
import { concat } from '../../../card/runtime/index.js';

const CMD = /^(?:# )?A?>> (?:(T=[01]|T=CL) )?\((\d+)\+(\d+)\)((?: [0-9A-Fa-f]+)*)\s*$/;
const RSP = /^(?:# )?A?<< \((\d+)\+(\d+)\) \((?:(\d+)s)?(\d+)ms\)((?: [0-9A-Fa-f]+)*)\s*$/;
const ANY_APDU = /^(?:# )?A?(?:>>|<<) /;
const CONNECT = /SCardConnect\("([^"]*)", T=[^)]*\) -> (T=[01]|T=CL|DIRECT), ([0-9A-Fa-f]+)/;

function command(m: RegExpExecArray, src: LineReader): Uint8Array {
  const tokens = m[4]!.trim().split(/ +/).filter((t) => t !== '');
  const head = Number(m[2]);
  const n = Number(m[3]);
  const parts = tokens.map((t, i) => parseHex(t, src, `command part ${i + 1}`));
  if (!parts.length || parts[0]!.length !== head || head !== 4) throw syntaxError(src, `command header: (${m[2]}+…) announces ${head} bytes, the line starts with ${parts[0]?.length ?? 0}; expected 4 (CLA INS P1 P2)`);
  if (n > 0) {
    // header, Lc, data[, Le]
    if (parts.length < 3 || parts[2]!.length !== n) throw syntaxError(src, `command data: (…+${m[3]}) announces ${n} bytes, the line has ${parts[2]?.length ?? 0}`);
    if (parts.length > 4) throw syntaxError(src, `command: ${parts.length} hex fields; expected header, Lc, data and Le at most`);
  } else if (parts.length > 2) throw syntaxError(src, `command: (…+0000) announces no data, the line has ${parts.length} hex fields`);
  return concat(...parts);
}

function response(m: RegExpExecArray, src: LineReader): Uint8Array {
  const tokens = m[5]!.trim().split(/ +/).filter((t) => t !== '');
  const n = Number(m[1]);
  const parts = tokens.map((t, i) => parseHex(t, src, `response part ${i + 1}`));
  const sw = parts.at(-1);
  if (!sw || sw.length !== 2 || Number(m[2]) !== 2) throw syntaxError(src, 'response: the line does not end with a 2-byte status word');
  const data = concat(...parts.slice(0, -1));
  if (data.length !== n) throw syntaxError(src, `response data: (${m[1]}+2) announces ${n} bytes, the line has ${data.length} (a wrapped or cut line?)`);
  return concat(data, sw);
}

export function readGpLog(src: LineReader, onBad?: OnBadLine): Trace {
  const header: TraceHeader = { tool: 'GlobalPlatformPro' };
  function* events(): Generator<TraceEvent> {
    let open = false;
    let openAt = 0;
    // A failed transmit ends in an exception message instead of "A<<"; without one, a command
    // left unanswered means its response line was lost, and that is said, not skipped.
    let failed = false;
    const unanswered = (): TraceError => syntaxError({ file: src.file, line: openAt }, 'command without a response line and no error logged after it (a lost line?)');
    let atrSeen = false;
    for (let line = src.next(); line !== undefined; line = src.next()) {
      let ev: TraceEvent[] = [];
      let lost: TraceError | undefined;
      try {
        let m: RegExpExecArray | null;
        if ((m = CMD.exec(line))) {
          lost = open && !failed ? unanswered() : undefined;
          ev = [{ kind: 'command', apdu: command(m, src) }];
          open = true;
          openAt = src.line;
          failed = false;
        } else if ((m = RSP.exec(line))) {
          if (!open) throw syntaxError(src, 'response without a command before it');
          open = false;
          const us = (Number(m[3] ?? 0) * 1000 + Number(m[4])) * 1000;
          ev = [{ kind: 'response', data: response(m, src), us }];
        } else if (ANY_APDU.test(line)) {
          throw syntaxError(src, 'APDU line not understood (expected "A>> T=1 (4+nnnn) CLAINSP1P2 …" or "A<< (nnnn+2) (12ms) … SW")');
        } else if (open && /Error|Exception|failed/i.test(line)) {
          failed = true;
        } else if ((m = CONNECT.exec(line))) {
          open = false;
          atrSeen = true;
          ev = [{ kind: 'power-on' }, { kind: 'atr', atr: parseHex(m[3]!, src, 'ATR') }];
        } else if ((m = /^(?:# )?ATR: ([0-9A-Fa-f]+)\s*$/.exec(line)) && !atrSeen) {
          atrSeen = true;
          ev = [{ kind: 'atr', atr: parseHex(m[1]!, src, 'ATR') }];
        }
      } catch (e) {
        if (!(e instanceof TraceError) || !onBad) throw e;
        onBad(e);
      }
      yield* ev;
      if (lost) {
        if (!onBad) throw lost;
        onBad(lost);
      }
    }
    if (open && !failed) {
      if (!onBad) throw unanswered();
      onBad(unanswered());
    }
  }
  return { header, events: events() };
}

/** An APDU line of either style in the first lines of a file. */
export const looksLikeGpLog = (head: string): boolean => /^(?:# )?A?>> (?:T=[01] |T=CL )?\(\d+\+\d+\) [0-9A-Fa-f]{8}/m.test(head);
