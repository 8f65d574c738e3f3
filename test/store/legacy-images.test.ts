/**
 * Images written by earlier cardforge releases keep loading and keep being the same card: the
 * fixtures in test/fixtures/images were written by fc30754 (image versions 1 and 2, raw memory-cell
 * keys), with what that card answered to a list of commands after loading. Today's code loads each
 * one, answers the same, and writes it back in the current format (version 3: each raw cell a named
 * field of its applet, layout 1), which loads to the same card.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseImage, serializeImage, IMAGE_VERSION, type CardImageV2, type CardImageV3 } from '../../card/image/index.js';
import { imageCells } from '../helpers/image-cells.js';
import { APPLET_REGISTRY } from '../../card/applets/index.js';
import type { Card } from '../../card/runtime/index.js';

/** Fields each applet's later layouts (issue 18) add, empty after the migration of a layout-1 image. */
const LAYOUT2_FIELDS: Record<string, readonly string[]> = {
  'cardforge.ledger': ['editors', 'editorCount', 'tickets/lastRefund'],
  'cardforge.payment': ['cardNumber', 'cardNumber.key', 'cardNumber.counter'],
};
/** Fields a later layout drops: the ledger's host-random window (layout 3: DEBIT answers the card's one-use challenge). */
const DROPPED_FIELDS: Record<string, readonly string[]> = { 'cardforge.ledger': ['randoms', 'randomNext'] };
/** Today's layout of each applet type whose layout moved on. */
const LAYOUT: Record<string, number> = { 'cardforge.ledger': 3, 'cardforge.payment': 2 };
const DIR = join(import.meta.dirname, '..', 'fixtures', 'images');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, { command: string; response: string }[]>;
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const HEX = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

function answers(card: Card, name: string): { command: string; response: string }[] {
  card.powerOn();
  return expected[name]!.map((e) => ({ command: e.command, response: HEX(card.transmit(hex(e.command))) }));
}

describe('legacy card images (written by fc30754)', () => {
  for (const name of Object.keys(expected)) {
    for (const version of [1, 2]) {
      it(`${name}-v${version}.json loads and the card answers as it did`, () => {
        const warnings: string[] = [];
        const text = readFileSync(join(DIR, `${name}-v${version}.json`), 'utf8');
        const card = parseImage(text, { registry: APPLET_REGISTRY, onWarning: (w) => warnings.push(w) });
        expect(answers(card, name)).toEqual(expected[name]);
        if (version < IMAGE_VERSION) expect(warnings.join('\n')).toMatch(/version/);
        // Written back in today's format, it is still the same card.
        const resaved = serializeImage(parseImage(text, { registry: APPLET_REGISTRY }));
        expect(JSON.parse(resaved).version).toBe(IMAGE_VERSION);
        expect(answers(parseImage(resaved, { registry: APPLET_REGISTRY }), name)).toEqual(expected[name]);
        // Field for field: every raw cell is a named field of its applet, at layout 1, nothing lost or added.
        const old = JSON.parse(text) as CardImageV2;
        const now = JSON.parse(resaved) as CardImageV3;
        // Layout 2 (issue 18) adds the ledger's editor table and refund record and the payment applet's card number, empty.
        const added = new Set(now.applets.flatMap((a) => (LAYOUT2_FIELDS[a.type] ?? []).map((f) => `${a.aid}/${f}`)));
        const dropped = new Set(now.applets.flatMap((a) => (DROPPED_FIELDS[a.type] ?? []).map((f) => `${a.aid}/${f}`)));
        const cells = imageCells(now);
        for (const k of added) expect(/^0+$/.test(cells[k] ?? ''), k).toBe(true);
        for (const k of dropped) expect(cells[k], `${k} is dropped`).toBeUndefined();
        expect(Object.fromEntries(Object.entries(cells).filter(([k]) => !added.has(k)))).toEqual(Object.fromEntries(Object.entries(old.persistent).filter(([k]) => !dropped.has(k))));
        expect(now.applets.map(({ type, aid, default: d, params }) => ({ type, aid, default: d, params }))).toEqual(old.applets);
        expect(now.applets.every((a) => a.layout === (LAYOUT[a.type] ?? 1) && Object.keys(a.fields).every((f) => !f.startsWith(a.aid)))).toBe(true);
        expect(now.journal?.map((e) => ({ key: `${e.aid}/${e.field}`, offset: e.offset, before: e.before })) ?? null).toEqual(old.journal);
      });
    }
  }
});
