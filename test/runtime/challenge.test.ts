/**
 * The one-use challenge (card/runtime/challenge.ts) shared by the ledger and the e-wallet: fresh
 * from the card's RNG, one take per issue, replaced by the next issue, cleared by reset and — when
 * asked — by deselection of its owner only. Guards: a challenge usable twice, surviving a
 * deselect it should not, or cleared for another applet.
 */
import { describe, expect, it } from 'vitest';
import { OneUseChallenge, SeededRng, TransientMemory, TransientStore } from '../../card/runtime/index.js';

function make(clear: 'reset' | 'deselect', owner = 'a') {
  const mem = new TransientMemory();
  const ctx = { transient: new TransientStore(mem, owner), rng: new SeededRng('challenge-test') };
  return { mem, c: new OneUseChallenge(ctx, 16, clear) };
}

describe('OneUseChallenge', () => {
  it('is taken once; the next issue replaces the outstanding one with fresh bytes', () => {
    const { c } = make('reset');
    expect(c.take()).toBeUndefined();
    const a = c.issue();
    expect(a).toHaveLength(16);
    expect(c.outstanding).toBe(true);
    expect(c.take()).toEqual(a);
    expect(c.take()).toBeUndefined();
    expect(c.outstanding).toBe(false);
    const b = c.issue();
    const b2 = c.issue();
    expect(b2).not.toEqual(b);
    expect(c.take()).toEqual(b2);
    // The copy handed out is not the RAM: changing it changes nothing.
    const d = c.issue();
    const keep = d.slice();
    d.fill(0);
    expect(c.take()).toEqual(keep);
  });

  it('reset clears it; a deselect clears it only when asked, and only for its owner', () => {
    const r = make('reset');
    r.c.issue();
    r.mem.clearOnDeselect('a');
    expect(r.c.outstanding).toBe(true);
    r.mem.clearAll();
    expect(r.c.take()).toBeUndefined();
    const d = make('deselect');
    d.c.issue();
    d.mem.clearOnDeselect('b');
    expect(d.c.outstanding).toBe(true);
    d.mem.clearOnDeselect('a');
    expect(d.c.take()).toBeUndefined();
  });

  it('refuses a length it cannot hold', () => {
    const mem = new TransientMemory();
    expect(() => new OneUseChallenge({ transient: new TransientStore(mem, 'x'), rng: new SeededRng('x') }, 0)).toThrow(/"length" expected 1..255, got 0/);
  });
});
