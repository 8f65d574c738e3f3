/**
 * pcsc-tools scriptor: scripts and logs.
 * Script (what scriptor reads): one APDU per line in hex ("00 A4 04 00 00" or "00A4040000"), a
 * line ending in "\" continues on the next, "reset" resets the card, "exit" ends, "#" comments.
 * The scripts cardforge writes keep the recording in comments scriptor ignores: "# < OK: ATR" and
 * "# < RESPONSE" after its command, read back as the ATR and the response.
 * Log (what scriptor prints): the script lines echoed, then "> RESET" / "< OK: ATR" and
 * "> APDU" / "< RESPONSE : meaning", the response wrapped after every 16 bytes with the status
 * word and its meaning on the last line.
 */
import { TraceError, syntaxError, type OnBadLine } from '../errors.js';
import type { Trace, TraceEvent } from '../events.js';
import { hexUpper, parseHex, type LineReader, type Sink } from '../io.js';
import { decodeResponse } from '../decode.js';

function guard(src: LineReader, onBad: OnBadLine | undefined, f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof TraceError) || !onBad) throw e;
    onBad(e);
  }
}

export function readScriptorScript(src: LineReader, onBad?: OnBadLine): Trace {
  function* events(): Generator<TraceEvent> {
    let cmd = '';
    let startLine = 0;
    let open = false;
    for (let line = src.next(); line !== undefined; line = src.next()) {
      const s = line.trim();
      if (cmd === '') {
        if (/^exit\b/i.test(s)) return;
        if (s.startsWith('#')) {
          // cardforge's own scripts carry the recorded answers as comments: "# < OK: ATR" after a
          // reset, "# < RESPONSE" after a command. Any other comment is only a comment.
          const m = /^#\s*<\s+(OK:\s*)?((?:[0-9A-Fa-f]{2}\s*)+)$/.exec(s);
          if (m && (m[1] !== undefined || open)) {
            let out: TraceEvent | undefined;
            guard(src, onBad, () => {
              const bytes = parseHex(m[2]!.trim(), src, m[1] ? 'ATR' : 'response');
              if (!m[1] && bytes.length < 2) throw syntaxError(src, 'response without a status word');
              out = m[1] ? { kind: 'atr', atr: bytes } : { kind: 'response', data: bytes };
            });
            if (!m[1]) open = false;
            if (out) yield out;
          }
          continue;
        }
        if (s === '') continue;
        if (/^reset\b/i.test(s)) {
          open = false;
          yield { kind: 'reset' };
          continue;
        }
        startLine = src.line;
      }
      if (s.endsWith('\\')) {
        cmd += `${s.slice(0, -1)} `;
        continue;
      }
      cmd += s;
      const text = cmd;
      cmd = '';
      let out: TraceEvent | undefined;
      open = false;
      guard(src, onBad, () => {
        const apdu = parseHex(text, { file: src.file, line: startLine }, 'APDU');
        if (apdu.length < 4) throw syntaxError({ file: src.file, line: startLine }, `APDU of ${apdu.length} bytes; a command has at least 4 (CLA INS P1 P2)`);
        out = { kind: 'command', apdu };
      });
      if (out) {
        open = true;
        yield out;
      }
    }
    if (cmd !== '') throw syntaxError(src, 'the file ends inside a continued ("\\") APDU');
  }
  return { header: { tool: 'scriptor script' }, events: events() };
}

export function readScriptorLog(src: LineReader, onBad?: OnBadLine): Trace {
  let protocol: 'T=0' | 'T=1' | undefined;
  // "Using T=1 protocol" is the first line scriptor prints; look at it before the events start.
  const first = src.peek();
  const m = first ? /^Using (T=[01]) protocol/.exec(first) : null;
  if (m) protocol = m[1] as 'T=0' | 'T=1';
  function* events(): Generator<TraceEvent> {
    let open = false;
    for (let line = src.next(); line !== undefined; line = src.next()) {
      if (line.startsWith('> ')) {
        const body = line.slice(2).trim();
        if (/^RESET$/i.test(body)) {
          open = false;
          yield { kind: 'reset' };
          continue;
        }
        let ev: TraceEvent | undefined;
        guard(src, onBad, () => {
          const apdu = parseHex(body, src, 'command');
          if (apdu.length < 4) throw syntaxError(src, `command of ${apdu.length} bytes; at least 4 (CLA INS P1 P2)`);
          ev = { kind: 'command', apdu };
        });
        if (ev) {
          open = true;
          yield ev;
        }
      } else if (line.startsWith('< ')) {
        const body = line.slice(2);
        if (body.startsWith('OK:')) {
          let ev: TraceEvent | undefined;
          guard(src, onBad, () => (ev = { kind: 'atr', atr: parseHex(body.slice(3).trim(), src, 'ATR') }));
          if (ev) yield ev;
          continue;
        }
        if (body.startsWith('KO:')) continue; // the reset failed: no ATR
        const startLine = src.line;
        let text = body;
        // Continuation lines until the one carrying " : meaning".
        while (!text.includes(' : ')) {
          const next = src.next();
          if (next === undefined) throw syntaxError({ file: src.file, line: startLine }, 'response has no status line (" : meaning") before the end of the file');
          text += ` ${next}`;
        }
        const hex = text.slice(0, text.indexOf(' : '));
        let ev: TraceEvent | undefined;
        guard(src, onBad, () => {
          if (!open) throw syntaxError({ file: src.file, line: startLine }, 'response without a command before it');
          const data = parseHex(hex.trim(), { file: src.file, line: startLine }, 'response');
          if (data.length < 2) throw syntaxError({ file: src.file, line: startLine }, 'response without a status word');
          ev = { kind: 'response', data };
        });
        open = false;
        if (ev) yield ev;
      }
      // Anything else is the script echoed back, or scriptor's own messages.
    }
  }
  return { header: { tool: 'scriptor', ...(protocol ? { protocol } : {}) }, events: events() };
}

const spaced = (b: Uint8Array): string => hexUpper(b, ' ');

export function writeScriptorScript(trace: Trace, sink: Sink): void {
  sink.write(`# scriptor script written by cardforge from ${trace.header.tool}${trace.header.target ? ` (${trace.header.target})` : ''}\n`);
  for (const e of trace.events) {
    if (e.kind === 'reset') sink.write('reset\n');
    else if (e.kind === 'atr') sink.write(`# < OK: ${spaced(e.atr)}\n`);
    else if (e.kind === 'command') sink.write(`${spaced(e.apdu)}\n`);
    else if (e.kind === 'response') sink.write(`# < ${spaced(e.data)}\n`);
  }
  sink.write('exit\n');
}

export function writeScriptorLog(trace: Trace, sink: Sink): void {
  // scriptor's first line states the protocol; a trace that does not know it gets none (never a guessed T=1).
  if (trace.header.protocol) sink.write(`Using ${trace.header.protocol} protocol\n`);
  let batch = '';
  for (const e of trace.events) {
    if (e.kind === 'reset') batch += '> RESET\n';
    else if (e.kind === 'atr') batch += `< OK: ${spaced(e.atr)} \n`;
    else if (e.kind === 'command') batch += `> ${spaced(e.apdu)}\n`;
    else if (e.kind === 'response') {
      const d = decodeResponse(e.data);
      let s = '< ';
      for (let i = 0; i < e.data.length; i++) {
        s += `${hexUpper(e.data.subarray(i, i + 1))} `;
        if (i % 16 === 15 && i < e.data.length - 1) s += '\n';
      }
      batch += `${s}: ${d.meaning}\n`;
    }
    if (batch.length > 65536) {
      sink.write(batch);
      batch = '';
    }
  }
  if (batch) sink.write(batch);
}

export const looksLikeScriptorLog = (head: string): boolean => /^(> |< )/m.test(head) && /^< .* : /m.test(head);
/**
 * Every line a comment, "reset", "exit" or hex, and something that makes it a script: an APDU
 * (8 hex digits outside comments) or a "reset"/"exit" line — the script cardforge writes for a
 * trace without commands is a comment and "exit" (issue 15 item 9).
 */
export const looksLikeScriptorScript = (head: string): boolean => {
  const lines = head.split('\n');
  if (!lines.every((l) => /^\s*(#.*|reset|exit|([0-9a-fA-F]{2}\s?)+\\?|)\s*$/i.test(l))) return false;
  const code = lines.filter((l) => !l.trim().startsWith('#'));
  return /[0-9a-fA-F]{8}/.test(code.join('').replace(/\s/g, '')) || code.some((l) => /^\s*(reset|exit)\s*$/i.test(l));
};
