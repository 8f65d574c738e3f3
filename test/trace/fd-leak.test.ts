/**
 * Trace readers close their file whatever happens: a malformed line (at the header or in the
 * events), a consumer that stops after the first event, a conversion whose output cannot be
 * written. Guards issue 14: every failed read leaked one descriptor (EMFILE after 20,000).
 * The process' descriptors are counted in /proc/self/fd before and after 7,000 failed reads.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceError } from '../../host/trace/errors.js';
import { convertFile, readTraceFile, type FormatName } from '../../host/trace/formats/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const openFds = (): number => readdirSync('/proc/self/fd').length;
const HEADER = '{"cardforge":"trace","version":1,"tool":"test"}';

/** One malformed file per text format: [name, format, content]. */
const MALFORMED: [string, FormatName, string][] = [
  ['bad-header.jsonl', 'native', '{"cardforge":"trace","version":0}\n'],
  ['bad-event.jsonl', 'native', `${HEADER}\n{"e":"command","apdu":"00a40400"}\n{"e":"command","apdu":"zz"}\n`],
  ['bad.scriptor', 'scriptor', '00 A4 04 00 00\n00 B0 0Z 00 00\n'],
  ['bad.scriptor-log', 'scriptor-log', 'Using T=1 protocol\n> 00 A4 04 00 00\n< 90 00 : Normal processing.\n> 00 QQ\n'],
  ['bad.dump', 'apdu4j', '# PROTOCOL: T=1\n00A4040000\n9000\n00B0\n'],
  ['bad-header.dump', 'apdu4j', '# ATR: 3B8\n00A4040000\n9000\n'],
  ['bad.spy', 'pcsc-spy', 'SCardTransmit\n i hCard: 0x1\n o bRecvBuffer\n 0000 90 00\n => Command successful. (SCARD_S_SUCCESS [0x00000000])  [0.000100]\n'],
];

const readAll = (path: string, format?: FormatName): number => {
  let n = 0;
  for (const _ of readTraceFile(path, format ? { format } : {}).events) n++;
  return n;
};

describe('trace readers close their file (issue 14: one descriptor leaked per failed read)', () => {
  const dir = tempDir('cf-trace-fd-');
  const files = MALFORMED.map(([name, format, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return { path, format };
  });

  it('every malformed file is refused with a TraceError (so the loop below tests failed reads)', () => {
    for (const f of files) expect(() => readAll(f.path, f.format), f.path).toThrow(TraceError);
    expect(() => readAll(files[0]!.path)).toThrow(TraceError); // format guessed, then refused
  });

  it('7,000 failed reads leave the open descriptor count where it was', () => {
    const before = openFds();
    for (let i = 0; i < 1000; i++) {
      for (const f of files) {
        try {
          readAll(f.path, f.format);
        } catch (e) {
          if (!(e instanceof TraceError)) throw e;
        }
      }
    }
    expect(openFds()).toBe(before);
  });

  it('a consumer that stops early and a conversion to an unwritable output close the file too', () => {
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, `${HEADER}\n{"e":"command","apdu":"00a40400"}\n{"e":"response","data":"9000"}\n`);
    const before = openFds();
    for (let i = 0; i < 2000; i++) {
      for (const _ of readTraceFile(good).events) break;
      expect(() => convertFile(good, join(dir, 'no-such-dir', 'out.jsonl'))).toThrow(TraceError);
    }
    expect(openFds()).toBe(before);
  });
});
