/**
 * `trace replay` prints the commands it reports: a VERIFY's PIN is starred there too (the replay
 * report is terminal output like send and trace show; host/trace/mask.ts decides). Guards the leak
 * the masking work left in replay's report.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { formatResult, replay } from '../../host/trace/replay.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import type { Trace } from '../../host/trace/events.js';
import { pinField, simCard } from '../applets/sim/helpers.js';

describe('trace replay report', () => {
  it('a differing VERIFY is reported with its PIN starred', async () => {
    const verify = `0020000108${pinField('9999')}`;
    const trace = { header: { cardforge: 'trace', version: 1 }, events: [{ kind: 'command', apdu: hexToBytes(verify) }, { kind: 'response', data: hexToBytes('9000') }] } as unknown as Trace;
    const lines: string[] = [];
    const s = await replay(trace, new EmulatorTransport(simCard()), { onExchange: (r) => lines.push(...formatResult(r, (b) => bytesToHex(b).toUpperCase())) });
    expect(s.swDifferent).toBe(1); // the card holds PIN 1234: 63C2
    const text = lines.join('\n');
    expect(text).toMatch(/#1 > 0020000108\*{16} /);
    expect(text).not.toContain('39393939');
  });
});
