/**
 * Applet layout versions in card images (issue 17): an applet class whose layout 2 renames and
 * resizes a field ("tries", 1 byte → "counter", 2 bytes) migrates images written with layout 1 —
 * version 3 images and the raw-cell version 2 format alike, an open transaction rolled back first —
 * and an image written with a layout newer than the class is refused, naming the field.
 */
import { describe, expect, it } from 'vitest';
import { ImageError, imageDigest, parseImage, serializeImage, type CardImageV3 } from '../../card/image/index.js';
import { Applet, Card, CommandTable, type AppletContext, type AppletParams, type LayoutFields, type PBytes, type PU16, type PU8 } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { ImageFileError, loadImageText } from '../../host/store/index.js';
import { imageCells } from '../helpers/image-cells.js';

const TYPE = 'test.layout';
const AID = 'a000000999030101';

/** Layout 1: "tries" (1 byte) and "label" (params.label bytes). */
class CounterV1 extends Applet {
  static readonly type = TYPE;
  readonly commands = new CommandTable([], {});
  readonly tries: PU8;
  readonly label: PBytes;
  constructor(ctx: AppletContext, params: AppletParams) {
    super(ctx, params);
    const s = ctx.persistent.scope('c');
    this.tries = s.u8('tries');
    this.label = s.bytes('label', Number(params.label ?? 4));
  }
}

/** Layout 2: "tries" became the 2-byte "counter"; "label" is unchanged. */
class CounterV2 extends Applet {
  static readonly type = TYPE;
  static readonly layout = 2;
  static readonly migrations: number[] = [];
  static migrateLayout(from: number, fields: LayoutFields): LayoutFields {
    CounterV2.migrations.push(from);
    if (from !== 1) throw new Error(`no migration from layout ${from}`);
    const { 'c/tries': tries, ...rest } = fields;
    return { ...rest, 'c/counter': Uint8Array.of(0, tries![0]!) };
  }
  readonly commands = new CommandTable([], {});
  readonly counter: PU16;
  readonly label: PBytes;
  constructor(ctx: AppletContext, params: AppletParams) {
    super(ctx, params);
    const s = ctx.persistent.scope('c');
    this.counter = s.u16('counter');
    this.label = s.bytes('label', Number(params.label ?? 4));
  }
}

/** Layout 2 again, but without a migration. */
class CounterV2NoHook extends CounterV1 {
  static readonly layout = 2;
}

/** Layout 2 whose migration forgets the size change. */
class CounterV2Wrong extends CounterV2 {
  static override migrateLayout(_from: number, fields: LayoutFields): LayoutFields {
    const { 'c/tries': tries, ...rest } = fields;
    return { ...rest, 'c/counter': tries! };
  }
}

const reg = (cls: typeof CounterV1 | typeof CounterV2): Map<string, typeof Applet & { type: string }> =>
  new Map<string, never>([[LoopbackApplet.type, LoopbackApplet as never], [TYPE, cls as never]]);

/** A layout-1 card: tries 05, label "ABCD", and a loopback applet beside it. */
function v1Card(): { card: Card; applet: CounterV1 } {
  const card = new Card();
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  const applet = card.install(CounterV1, { aid: AID, params: { label: 4 } }) as CounterV1;
  applet.tries.set(5);
  applet.label.set(new TextEncoder().encode('ABCD'));
  return { card, applet };
}

function layoutError(text: string, registry: ReadonlyMap<string, unknown>): ImageError {
  try {
    parseImage(text, { registry: registry as never });
  } catch (e) {
    expect(e).toBeInstanceOf(ImageError);
    return e as ImageError;
  }
  throw new Error('expected the image to be refused');
}

const counterOf = (card: Card): CounterV2 => card.applets.find((a) => a.type === TYPE)!.applet as CounterV2;

describe('applet layout versions', () => {
  it('a layout 1 image is written with "layout": 1 and its fields named without the AID', () => {
    const image = JSON.parse(serializeImage(v1Card().card)) as CardImageV3;
    expect(image.version).toBe(3);
    const counter = image.applets.find((a) => a.type === TYPE)!;
    expect(counter).toEqual({ type: TYPE, aid: AID, default: false, params: { label: 4 }, layout: 1, fields: { 'c/label': '41424344', 'c/tries': '05' } });
    expect(image.applets.find((a) => a.type === LoopbackApplet.type)!.layout).toBe(1);
  });

  it('layout 2 migrates a layout 1 image: the renamed, resized field keeps its value, the rest is untouched, and it is saved as layout 2', () => {
    const text = serializeImage(v1Card().card);
    CounterV2.migrations.length = 0;
    const card = parseImage(text, { registry: reg(CounterV2) as never });
    expect(CounterV2.migrations).toEqual([1]);
    expect(counterOf(card).counter.get()).toBe(5);
    expect(new TextDecoder().decode(counterOf(card).label.get())).toBe('ABCD');
    const resaved = JSON.parse(serializeImage(card)) as CardImageV3;
    expect(resaved.applets.find((a) => a.type === TYPE)).toMatchObject({ layout: 2, fields: { 'c/counter': '0005', 'c/label': '41424344' } });
    // The loopback applet (layout 1 both times) is carried over field for field.
    const loop = (i: CardImageV3): unknown => i.applets.find((a) => a.type === LoopbackApplet.type);
    expect(loop(resaved)).toEqual(loop(JSON.parse(text) as CardImageV3));
    // And the layout 2 image loads as it is: no second migration.
    CounterV2.migrations.length = 0;
    expect(counterOf(parseImage(serializeImage(card), { registry: reg(CounterV2) as never })).counter.get()).toBe(5);
    expect(CounterV2.migrations).toEqual([]);
  });

  it('a version 2 image (raw cells, before layouts) is layout 1 and migrates the same way', () => {
    const v3 = JSON.parse(serializeImage(v1Card().card)) as CardImageV3;
    const body = {
      format: v3.format, version: 2, atr: v3.atr, protocol: v3.protocol,
      applets: v3.applets.map(({ type, aid, default: d, params }) => ({ type, aid, default: d, params })),
      persistent: imageCells(v3), journal: null,
    };
    const text = JSON.stringify({ ...body, digest: imageDigest(body) });
    const warnings: string[] = [];
    const card = parseImage(text, { registry: reg(CounterV2) as never, onWarning: (w) => warnings.push(w) });
    expect(counterOf(card).counter.get()).toBe(5);
    expect(warnings).toEqual([expect.stringMatching(/version 2 image .* written as version 3/)]);
  });

  it('an image saved mid-transaction with layout 1 is rolled back before the migration; other applets keep their journal', () => {
    const { card, applet } = v1Card();
    card.memory.begin();
    applet.tries.set(9);
    applet.label.set(new TextEncoder().encode('WXYZ'));
    const loop = card.applets.find((a) => a.type === LoopbackApplet.type)!;
    const loopKey = [...card.memory.cells.keys()].find((k) => k.startsWith(`${loop.aidHex}/`))!;
    const before = card.memory.cells.get(loopKey)!.slice();
    card.memory.write(card.memory.cells.get(loopKey)!, loopKey, 0, new Uint8Array(before.length).fill(0x77));
    const image = JSON.parse(serializeImage(card)) as CardImageV3;
    expect(image.journal!.map((e) => [e.aid, e.field])).toEqual([[AID, 'c/tries'], [AID, 'c/label'], [loop.aidHex, loopKey.slice(loop.aidHex.length + 1)]]);
    // Loaded by layout 1 (no migration): the transaction is still open and rolls back at power-up.
    const same = parseImage(serializeImage(card), { registry: reg(CounterV1) as never });
    expect(same.memory.inTransaction).toBe(true);
    same.powerOn();
    expect((same.applets.find((a) => a.type === TYPE)!.applet as CounterV1).tries.get()).toBe(5);
    // Loaded by layout 2: this applet's part is rolled back, then migrated; the loopback part is still journalled.
    const migrated = parseImage(serializeImage(card), { registry: reg(CounterV2) as never });
    expect(counterOf(migrated).counter.get()).toBe(5);
    expect(new TextDecoder().decode(counterOf(migrated).label.get())).toBe('ABCD');
    expect(migrated.memory.journalEntries()!.map((e) => e.key)).toEqual([loopKey]);
    expect(migrated.memory.cells.get(loopKey)!.every((b) => b === 0x77)).toBe(true);
    migrated.powerOn();
    expect(migrated.memory.cells.get(loopKey)).toEqual(before);
  });

  it('a layout newer than the class is refused, naming the field and what to do', () => {
    const { card } = v1Card();
    const v2 = serializeImage(parseImage(serializeImage(card), { registry: reg(CounterV2) as never }));
    const err = layoutError(v2, reg(CounterV1));
    expect(err.code).toBe('IMAGE_LAYOUT');
    expect(err.field).toBe('applets[1].layout');
    expect(err.message).toBe(`applets[1].layout: layout 2 of applet type "${TYPE}" is newer than this cardforge's (1): the image was written by a newer cardforge; upgrade cardforge (an older release cannot know the newer fields)`);
    // Through the file loader: the file is named, and the advice is the upgrade (not "restore a backup").
    let fileErr: ImageFileError | undefined;
    try {
      loadImageText(v2, 'card.json', { registry: reg(CounterV1) as never, onWarning: () => {} });
    } catch (e) {
      fileErr = e as ImageFileError;
    }
    expect(fileErr).toBeInstanceOf(ImageFileError);
    expect(fileErr!.message).toBe(`card.json: field applets[1].layout: layout 2 of applet type "${TYPE}" is newer than this cardforge's (1): the image was written by a newer cardforge; upgrade cardforge (an older release cannot know the newer fields)`);
  });

  it('an older layout without a migration, or a migration that does not fit, is refused', () => {
    const text = serializeImage(v1Card().card);
    const none = layoutError(text, reg(CounterV2NoHook as never));
    expect([none.code, none.field]).toEqual(['IMAGE_LAYOUT', 'applets[1].layout']);
    expect(none.message).toMatch(/layout 1 of applet type "test.layout" is older than this cardforge's \(2\) and the applet class has no migrateLayout/);
    const wrong = layoutError(text, reg(CounterV2Wrong));
    expect([wrong.code, wrong.field]).toEqual(['IMAGE_INCONSISTENT', 'applets[1].fields["c/counter"]']);
    expect(wrong.message).toMatch(/after migrating applet type "test.layout" from layout 1 to 2: wrong size: expected 2 bytes, got 1/);
  });

  it('at its own layout, an unknown or missing field is refused before any migration code runs', () => {
    const image = JSON.parse(serializeImage(v1Card().card)) as CardImageV3;
    const counter = image.applets.find((a) => a.type === TYPE)!;
    counter.fields['c/extra'] = '00';
    const err = layoutError(JSON.stringify(image), reg(CounterV1));
    expect([err.code, err.field]).toEqual(['IMAGE_INCONSISTENT', 'applets[1].fields["c/extra"]']);
    // A corrupt layout 1 image is caught by its digest before the migration runs.
    delete counter.fields['c/extra'];
    counter.fields['c/tries'] = '06';
    CounterV2.migrations.length = 0;
    expect(layoutError(JSON.stringify(image), reg(CounterV2)).code).toBe('IMAGE_DIGEST');
    expect(CounterV2.migrations).toEqual([]);
  });
});
