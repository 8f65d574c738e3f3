/**
 * OpenSC debug logs (opensc.conf debug >= 3, or OPENSC_DEBUG=9): every APDU is logged by
 * reader-pcsc.c as a block "Outgoing APDU (N bytes):" / "Incoming APDU (N bytes):" (before 0.16,
 * apdu.c: "Outgoing APDU data [   N bytes] =====" … closed by a "=====" line) followed by
 * hexdump lines of 16 bytes ("00 A4 04 00 … ascii", 48 columns of hex) and an empty line. Other
 * log lines are skipped; "sc_connect_card: called" marks a power-up and "match_atr_table: ATR     :
 * 3b:89:…" the card's ATR. Read only.
 */
import { TraceError, syntaxError, type OnBadLine } from '../errors.js';
import type { Trace, TraceEvent } from '../events.js';
import { parseHex, type LineReader } from '../io.js';

/**
 * The block header, both generations: OpenSC ≥ 0.16 "Outgoing APDU (7 bytes):"; before 0.16
 * "Outgoing APDU data [    7 bytes] =====…" (the count right-aligned in 5 columns), the dump
 * closed by a line of "=" (seen in OpenSC issues #129, #528, #570, #585).
 */
const BLOCK = /^(Outgoing|Incoming) APDU (?:\((\d+) bytes\):|data \[\s*(\d+) bytes\] =+)\s*$/;
const RULE = /^=+\s*$/;

export function readOpensc(src: LineReader, onBad?: OnBadLine): Trace {
  function* events(): Generator<TraceEvent> {
    let open = false;
    let atrSeen = false;
    let openAt = 0;
    // A transmit that fails logs an error instead of the Incoming block; without one, a command
    // left unanswered means its Incoming block was lost, and that is said, not skipped.
    let failed = false;
    const unanswered = (): TraceError => syntaxError({ file: src.file, line: openAt }, 'Outgoing APDU without an Incoming APDU and no failure logged after it (a lost block?)');
    for (let line = src.next(); line !== undefined; line = src.next()) {
      try {
        const m = BLOCK.exec(line);
        if (!m) {
          if (open && /failed|returning with: -\d|[Cc]ard (?:was )?removed/.test(line)) failed = true;
          if (line.includes('sc_connect_card: called')) {
            atrSeen = false;
            open = false;
            yield { kind: 'power-on' };
          } else if (!atrSeen) {
            const a = /match_atr_table: ATR\s+: ([0-9a-fA-F:]+)\s*$/.exec(line);
            if (a && !line.includes('ATR try')) {
              atrSeen = true;
              yield { kind: 'atr', atr: parseHex(a[1]!, src, 'ATR') };
            }
          }
          continue;
        }
        const at = src.line;
        const n = Number(m[2] ?? m[3]);
        // A dump line holds min(16, remaining) bytes as "XX " then the ASCII column (unpadded on
        // a single short line), so the byte count says where the hex ends.
        let hex = '';
        let left = n;
        for (let l = src.peek(); left > 0 && l !== undefined && l.trim() !== '' && !/^P:\d+;/.test(l) && !RULE.test(l); l = src.peek()) {
          src.next();
          const k = Math.min(16, left);
          // Only the leading hex pairs count: a short dump must not swallow its ASCII column.
          hex += ` ${/^(?:[0-9A-Fa-f]{2}(?: |$))*/.exec(l.slice(0, k * 3))![0]}`;
          left -= k;
        }
        if (m[3] !== undefined && src.peek() !== undefined && RULE.test(src.peek()!)) src.next();
        const bytes = parseHex(hex.trim(), src, `${m[1]} APDU`);
        if (bytes.length !== n) throw syntaxError({ file: src.file, line: at }, `${m[1]} APDU announces ${n} bytes, the dump has ${bytes.length}`);
        if (m[1] === 'Outgoing') {
          if (n < 4) throw syntaxError({ file: src.file, line: at }, `command of ${n} bytes; at least 4 (CLA INS P1 P2)`);
          const lost = open && !failed ? unanswered() : undefined;
          open = true;
          openAt = at;
          failed = false;
          yield { kind: 'command', apdu: bytes };
          if (lost) throw lost;
        } else {
          if (!open) throw syntaxError({ file: src.file, line: at }, 'Incoming APDU without an Outgoing APDU before it');
          if (n < 2) throw syntaxError({ file: src.file, line: at }, 'response without a status word');
          open = false;
          yield { kind: 'response', data: bytes };
        }
      } catch (e) {
        if (!(e instanceof TraceError) || !onBad) throw e;
        onBad(e);
      }
    }
    if (open && !failed) {
      if (!onBad) throw unanswered();
      onBad(unanswered());
    }
  }
  return { header: { tool: 'opensc' }, events: events() };
}

export const looksLikeOpensc = (head: string): boolean =>
  /^(Outgoing|Incoming) APDU (\(\d+ bytes\):|data \[\s*\d+ bytes\] =+)\s*$/m.test(head) ||
  /^0x[0-9a-f]+ \d\d:\d\d:\d\d\.\d+ \[[^\]]+\] \S+\.c:\d+:\w+:/m.test(head) || /^P:\d+; T:0x[0-9a-f]+ .*\[\S+\] \w+\.c:\d+:/m.test(head);
