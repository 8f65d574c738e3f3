/**
 * The tear sweep (card/runtime/tear.ts) over every kind of ARA-M STORE DATA: the power is cut after
 * each persistent write in turn; after the next power-up the ARA-M's persistent state is exactly the
 * old one or exactly the new one, and what GET DATA answers (rules and refresh tag) is the old or
 * the new answer as a whole. Guards: rules written without the update counter (a new rule set under
 * the old refresh tag, which a phone that caches by tag would never read), half a rule list.
 */
import { describe, expect, it } from 'vitest';
import { hexToBytes, tearSweep, type Card } from '../../../card/runtime/index.js';
import { aramCard, aramState, carrierRule, cla80, getData, gpRule, len, openAram } from './helpers.js';

/** What a phone reads: all rules and the refresh tag. */
function answers(card: Card): string {
  const ch = openAram(card);
  return `${getData(card, ch, 'ff40')}/${getData(card, ch, 'df20')}`;
}

function sweep(initial: string, data: string): number {
  const card = aramCard(initial === '' ? undefined : hexToBytes(initial));
  const ch = openAram(card);
  const cmd = hexToBytes(`${cla80(ch)}e29000${len(data)}${data}`);
  const start = card.snapshot();
  const before = aramState(card);
  const beforeAnswers = answers(card);
  card.restore(start);
  expect(card.transmit(cmd)).toEqual(Uint8Array.of(0x90, 0x00));
  const after = aramState(card);
  const afterAnswers = answers(card);
  expect(after).not.toBe(before);
  expect(afterAnswers).not.toBe(beforeAnswers);
  card.restore(start);
  let olds = 0;
  let news = 0;
  const r = tearSweep(card, cmd, (p) => {
    const s = aramState(card);
    expect(s === before || s === after, `point ${p.point}: neither the old nor the new state`).toBe(true);
    const a = answers(card);
    expect(a).toBe(s === before ? beforeAnswers : afterAnswers);
    if (s === before) olds++;
    else news++;
  });
  expect(r.response).toEqual(Uint8Array.of(0x90, 0x00));
  // A tear at a data write rolls the transaction back; at the commit record (the last write) the
  // new state stands though the answer was lost; the run without a tear completes.
  expect(olds).toBe(r.writes - 1);
  expect(news).toBe(2);
  return r.writes;
}

describe('ARA-M STORE DATA under tears', () => {
  const r1 = carrierRule(1);
  const r2 = gpRule('a0000001515350', 2);
  const r3 = gpRule('a0000001515351', 3);

  it('store one rule (rules and counter in one transaction: 2 writes and the commit)', () => {
    expect(sweep('', `f0${len(r1)}${r1}`)).toBe(3);
  });

  it('store two rules after one', () => {
    expect(sweep(r1, `f0${len(r2 + r3)}${r2}${r3}`)).toBe(3);
  });

  it('delete all', () => {
    expect(sweep(r1 + r2, 'f100')).toBe(3);
  });

  it('delete by AID-REF-DO', () => {
    expect(sweep(r1 + r2 + r3, 'f1094f07a0000001515350')).toBe(3);
  });

  it('update the refresh tag only (the counter and the commit)', () => {
    expect(sweep(r1, 'f200')).toBe(2);
  });
});
