/** The counter applet tested the way cardforge tests its own: in process, torn at every write, fuzzed. */
import { describe, expect, it } from 'vitest';
import { registerApplet } from 'cardforge';
import { withCard, tearSweep, fuzz } from 'cardforge/testing';
import { COUNTER_AID, COUNTER_COMMANDS, CounterApplet } from '../src/counter.js';

const PIN = Buffer.from('1234').toString('hex');
const card = () => withCard({ applets: [{ applet: CounterApplet, aid: COUNTER_AID, personalization: { pin: '1234' }, default: true }] });

describe('counter applet', () => {
  it('counts only after the PIN', () => {
    const c = card();
    expect(c.sw('800200000105')).toBe('6982');
    expect(c.sw(`0020000004${PIN}`)).toBe('9000');
    expect(c.sw('800200000105')).toBe('9000');
    expect(c.tx('8004000004')).toBe('000000059000');
  });

  it('a tear at any write leaves the old or the new value', () => {
    const c = card();
    c.tx(`0020000004${PIN}`);
    const r = tearSweep(c.card, Uint8Array.from([0x80, 0x02, 0x00, 0x01, 0x01, 0x07]), (p) => {
      if (!p.torn) return;
      p.card.transmit(Uint8Array.from([0x00, 0x20, 0x00, 0x00, 0x04, 0x31, 0x32, 0x33, 0x34]));
      const v = Buffer.from(p.card.transmit(Uint8Array.from([0x80, 0x04, 0x00, 0x00, 0x04]))).toString('hex');
      expect(['000000009000', '000000079000']).toContain(v);
    });
    expect(r.writes).toBeGreaterThan(0);
  });

  it('survives the fuzz oracle: declared SWs, no change on errors, no PIN in any answer', () => {
    const report = fuzz(card().card, { specs: COUNTER_COMMANDS, seed: 7, numRuns: 150 });
    expect(report.exchanges).toBeGreaterThan(500);
  });

  it('registered, its commands are part of the declarations cardforge decodes and masks', async () => {
    registerApplet({ applet: CounterApplet, aid: COUNTER_AID, commands: COUNTER_COMMANDS, name: 'counter' });
    const { ALL_COMMANDS } = await import('cardforge');
    expect(ALL_COMMANDS.map((s) => s.name)).toContain('COUNTER_INCREMENT');
  });
});
