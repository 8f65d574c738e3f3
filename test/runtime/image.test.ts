/**
 * Card image format: round trip of memory, applets, ATR and journal; strict parsing with the
 * field named for every kind of damage.
 */
import { describe, expect, it } from 'vitest';
import { parseImage, serializeImage, ImageError, IMAGE_VERSION } from '../../card/image/index.js';
import { APPLET_REGISTRY } from '../../card/applets/index.js';
import { buildAtr } from '../../card/runtime/index.js';
import { testCard, tx, selectHex, TEST_AID, TestApplet, RefusingApplet } from '../helpers/test-applets.js';

const registry = new Map([...APPLET_REGISTRY, [TestApplet.type, TestApplet], [RefusingApplet.type, RefusingApplet]]);

function modified(card = testCard({ atr: buildAtr([0]) })) {
  tx(card, '8016000003010203');
  tx(card, selectHex(TEST_AID));
  tx(card, '002000010439393939'); // one wrong PIN
  return card;
}

function expectImageError(text: string, code: string, field: string | RegExp): void {
  try {
    parseImage(text, { registry });
    expect.unreachable('parse should fail');
  } catch (e) {
    expect(e).toBeInstanceOf(ImageError);
    const err = e as ImageError;
    expect(err.code).toBe(code);
    if (typeof field === 'string') expect(err.field).toBe(field);
    else expect(err.message).toMatch(field);
  }
}

describe('card image', () => {
  it('round trip keeps memory, applets, default, ATR and protocol; serialization is stable', () => {
    const card = modified();
    const text = serializeImage(card);
    const back = parseImage(text, { registry });
    expect(serializeImage(back)).toBe(text);
    back.powerOn();
    expect(back.protocol).toBe('T=0');
    expect(tx(back, '8018000003')).toBe('0102039000');
    tx(back, selectHex(TEST_AID));
    expect(tx(back, '00200001')).toBe('63c2');
    expect(back.selectedOn(0)).toBeTruthy();
    expect(back.applets.map((a) => [a.type, a.isDefault])).toEqual(card.applets.map((a) => [a.type, a.isDefault]));
  });

  it('names the problem for each kind of damage', () => {
    const good = JSON.parse(serializeImage(modified()));
    const mutate = (f: (o: Record<string, unknown>) => void): string => {
      const o = structuredClone(good);
      f(o);
      return JSON.stringify(o);
    };
    expectImageError(serializeImage(modified()).slice(0, 100), 'IMAGE_SYNTAX', /truncated or corrupt/);
    expectImageError('[]', 'IMAGE_FORMAT', '');
    expectImageError(mutate((o) => (o.format = 'something-else')), 'IMAGE_FORMAT', 'format');
    expectImageError(mutate((o) => (o.version = IMAGE_VERSION + 1)), 'IMAGE_VERSION', /upgrade cardforge/);
    expectImageError(mutate((o) => (o.atr = '3b0g')), 'IMAGE_FIELD', 'atr');
    expectImageError(mutate((o) => (o.atr = '3b80')), 'IMAGE_FIELD', 'atr');
    expectImageError(mutate((o) => (o.protocol = 'T=2')), 'IMAGE_FIELD', 'protocol');
    expectImageError(mutate((o) => ((o.applets as { type: string }[])[1]!.type = 'no.such')), 'IMAGE_APPLET_UNKNOWN', 'applets[1].type');
    expectImageError(mutate((o) => ((o.applets as { aid: string }[])[1]!.aid = (o.applets as { aid: string }[])[0]!.aid)), 'IMAGE_INCONSISTENT', 'applets[1]');
    type A = { aid: string; layout: unknown; fields: Record<string, string> };
    const applets = (o: Record<string, unknown>): A[] => o.applets as A[];
    const key = Object.keys(applets(good)[1]!.fields)[0]!;
    const at = `applets[1].fields["${key}"]`;
    const aid = applets(good)[1]!.aid;
    expectImageError(mutate((o) => (applets(o)[1]!.fields[key] = '00')), 'IMAGE_INCONSISTENT', at);
    expectImageError(mutate((o) => (applets(o)[1]!.fields[key] = '00')), 'IMAGE_INCONSISTENT', /wrong size: expected \d+ bytes, got 1/);
    expectImageError(mutate((o) => delete applets(o)[1]!.fields[key]), 'IMAGE_INCONSISTENT', at);
    expectImageError(mutate((o) => delete applets(o)[1]!.fields[key]), 'IMAGE_INCONSISTENT', /missing field/);
    expectImageError(mutate((o) => (applets(o)[1]!.fields['extra'] = '00')), 'IMAGE_INCONSISTENT', 'applets[1].fields["extra"]');
    expectImageError(mutate((o) => (applets(o)[1]!.fields['extra'] = '00')), 'IMAGE_INCONSISTENT', /unknown field/);
    expectImageError(mutate((o) => (applets(o)[1]!.fields[key] = 'xy')), 'IMAGE_FIELD', /invalid hex character "x" at offset 0/);
    expectImageError(mutate((o) => (applets(o)[1]!.layout = 2)), 'IMAGE_LAYOUT', 'applets[1].layout');
    expectImageError(mutate((o) => (applets(o)[1]!.layout = 2)), 'IMAGE_LAYOUT', /newer than this cardforge's \(1\).*upgrade cardforge/);
    expectImageError(mutate((o) => (applets(o)[1]!.layout = '1')), 'IMAGE_FIELD', 'applets[1].layout');
    expectImageError(mutate((o) => delete applets(o)[1]!.layout), 'IMAGE_FIELD', 'applets[1].layout');
    expectImageError(mutate((o) => ((applets(o)[1]! as Record<string, unknown>).cells = {})), 'IMAGE_FIELD', 'applets[1].cells');
    expectImageError(mutate((o) => (o.persistent = {})), 'IMAGE_FIELD', 'persistent');
    expectImageError(mutate((o) => (o.journal = [{ aid, field: key, offset: 999, before: '00' }])), 'IMAGE_INCONSISTENT', 'journal[0]');
    expectImageError(mutate((o) => (o.journal = [{ aid, field: 'nope', offset: 0, before: '00' }])), 'IMAGE_INCONSISTENT', 'journal[0].field');
    expectImageError(mutate((o) => (o.journal = [{ aid: 'a000000001', field: key, offset: 0, before: '00' }])), 'IMAGE_INCONSISTENT', 'journal[0].aid');
    expectImageError(mutate((o) => (o.journal = [{ key: `${aid}/${key}`, offset: 0, before: '00' }])), 'IMAGE_FIELD', 'journal[0].key');
  });
});
