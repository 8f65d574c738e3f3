/**
 * The traces the capture tests write (capture-roundtrip, tshark): every fixture in
 * test/trace/fixtures and the real SIMtrace capture.
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { TraceEvent } from '../../host/trace/events.js';
import { FORMAT_NAMES, readTraceFile, type FormatName } from '../../host/trace/formats/index.js';
import { FIXTURES, REAL_GSMTAP } from './helpers.js';

/**
 * Every trace fixture as its reader gives it (a fixture in a folder named after a format is read
 * as that format; *.expected files are expectations, not traces), and the real capture both as
 * captured and folded.
 */
export function captureCorpus(): { name: string; events: TraceEvent[] }[] {
  const out: { name: string; events: TraceEvent[] }[] = [];
  const files = readdirSync(FIXTURES, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && !d.name.endsWith('.expected'));
  for (const d of files.map((f) => relative(FIXTURES, join(f.parentPath, f.name))).sort()) {
    const dir = d.split(sep)[0]!;
    const format = d.includes(sep) && (FORMAT_NAMES as readonly string[]).includes(dir) ? (dir as FormatName) : undefined;
    out.push({ name: d, events: [...readTraceFile(join(FIXTURES, d), { fold: false, ...(format ? { format } : {}) }).events] });
  }
  out.push({ name: 'sysmoisim-sja2-gsmtap.pcapng (as captured)', events: [...readTraceFile(REAL_GSMTAP, { fold: false }).events] });
  out.push({ name: 'sysmoisim-sja2-gsmtap.pcapng (folded)', events: [...readTraceFile(REAL_GSMTAP, { fold: true }).events] });
  return out;
}
