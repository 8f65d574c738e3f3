/**
 * Service tables derived, never typed (issue #12): in every personality the EF_SST / EF_UST /
 * EF_EST a card answers over APDUs are decoded, and for every advertised service every file it
 * needs SELECTs and READs and its function works (SPN = the profile's, MSISDN decodes to the
 * profile's number, INCREASE of EF_ACM, AUTHENTICATE in GSM context, DISABLE CHV1, ...).
 * Negatives: no SPN/MSISDN in the profile → not advertised; FDN never (there is no EF_FDN); no
 * service whose files are missing is advertised. External evidence: the service → file map
 * agrees with a real sysmoISIM-SJA2 export (its EF_UST and EF_SST decoded with our tables).
 * Guards the old typed constants that advertised FDN, SMS, CCP, LND, GID1 … with none of their files.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { EST, FileTree, SERVICE_TABLES, SST, UST, decodeMsisdn, decodeServiceTable, decodeSpn, encodeServiceTable, serviceTableBytes, type ServiceDecl, type ServiceTableDecl } from '../../card/fs/index.js';
import { USIM_AID, type SimPersonality, type SimPersonalization } from '../../card/applets/sim/index.js';
import type { Card } from '../../card/runtime/index.js';
import { hexToBytes } from '../../card/runtime/bytes.js';
import { PERSO, pinField, simCard, split, tx } from '../applets/sim/helpers.js';
import { readSelected, selectAndRead, selectPath, type World } from './service-helpers.js';

const tree = new FileTree(USIM_AID);
const CHV1 = pinField(PERSO.pins.pin1);

function card(personality: SimPersonality, perso: Partial<SimPersonalization> = {}): Card {
  const c = simCard({ personality }, perso, false);
  const world: World = personality === 'classic' ? 'classic' : 'uicc';
  expect(tx(c, world === 'classic' ? `a020000108${CHV1}` : `0020000108${CHV1}`)).toBe('9000');
  return c;
}

function readTable(c: Card, t: ServiceTableDecl, world: World): number[] {
  return decodeServiceTable(t, hexToBytes(selectAndRead(c, t.path, world)));
}

interface Ctx {
  readonly card: Card;
  readonly world: World;
  readonly perso: SimPersonalization;
}

const cla = (w: World): string => (w === 'classic' ? 'a0' : '00');
/** Data of a command that answers 9Fxx/61xx (classic/T=0) or data+9000 (T=1). */
function exchange(c: Card, w: World, cmd: string): { data: string; sw: string } {
  const r = tx(c, cmd);
  if (w === 'classic' && r.startsWith('9f')) return split(tx(c, `a0c00000${r.slice(2)}`));
  return split(r);
}

function spnFn({ card: c, world, perso }: Ctx, path: string): void {
  expect(decodeSpn(hexToBytes(selectAndRead(c, path, world))).name).toBe(perso.spn);
}
function msisdnFn({ card: c, world, perso }: Ctx, path: string): void {
  expect(decodeMsisdn(hexToBytes(selectAndRead(c, path, world)))).toBe(perso.msisdn);
}
/** AoC: INCREASE EF_ACM by 1 unit returns the new value and the amount added (UICC: class 80). */
function aocFn({ card: c, world }: Ctx, path: string): void {
  selectPath(c, path, world);
  const r = exchange(c, world, world === 'classic' ? 'a032000003000001' : '803200000300000100');
  expect(r.sw).toBe('9000');
  expect(r.data).toBe('000001000001');
}
function recordRoundTrip({ card: c, world }: Ctx, path: string): void {
  const s = selectPath(c, path, world);
  const rec = 'a5'.padEnd(s.recordLength * 2, 'f');
  expect(tx(c, `${cla(world)}dc0104${s.recordLength.toString(16).padStart(2, '0')}${rec}`)).toBe('9000');
  expect(readSelected(c, path, s, world)).toBe(rec);
}
function binaryRoundTrip({ card: c, world }: Ctx, path: string): void {
  const s = selectPath(c, path, world);
  expect(tx(c, `${cla(world)}d6000003 02f810`.replace(' ', ''))).toBe('9000');
  expect(readSelected(c, path, s, world).slice(0, 6)).toBe('02f810');
}
function chv1DisableFn({ card: c, world }: Ctx): void {
  expect(tx(c, `${cla(world)}26000108${CHV1}`)).toBe('9000');
  expect(tx(c, `${cla(world)}28000108${CHV1}`)).toBe('9000');
}
function gsmContextFn({ card: c }: Ctx): void {
  expect(split(tx(c, `00a4040410${USIM_AID}00`)).sw).toBe('9000');
  const r = split(tx(c, `008800801110${'11'.repeat(16)}00`));
  expect(r.sw).toBe('9000');
  expect(r.data).toMatch(/^04[0-9a-f]{8}08[0-9a-f]{16}$/);
}

/** How each service we may advertise is proven to work; an advertised service without one fails. */
const FUNCTIONS: Record<string, (ctx: Ctx) => void> = {
  'EF_SST 1': chv1DisableFn,
  'EF_SST 2': (x) => recordRoundTrip(x, '3F00/7F10/6F3A'),
  'EF_SST 5': (x) => aocFn(x, '3F00/7F20/6F39'),
  'EF_SST 7': (x) => binaryRoundTrip(x, '3F00/7F20/6F30'),
  'EF_SST 9': (x) => msisdnFn(x, '3F00/7F10/6F40'),
  'EF_SST 12': (x) => recordRoundTrip(x, '3F00/7F10/6F42'),
  'EF_SST 17': (x) => spnFn(x, '3F00/7F20/6F46'),
  'EF_UST 12': (x) => recordRoundTrip(x, '3F00/7FFF/6F42'),
  'EF_UST 13': (x) => aocFn(x, '3F00/7FFF/6F39'),
  'EF_UST 19': (x) => spnFn(x, '3F00/7FFF/6F46'),
  'EF_UST 21': (x) => msisdnFn(x, '3F00/7FFF/6F40'),
  'EF_UST 27': (x) => {
    gsmContextFn(x);
    expect(selectAndRead(x.card, '3F00/7FFF/5F3B/4F20', x.world)).toBe('ffffffffffffffff07');
  },
  'EF_UST 33': ({ card: c, world }) => {
    expect(selectAndRead(c, '3F00/7FFF/6F73', world)).toBe('ffffffffffffffffffff0000ff01');
    expect(selectAndRead(c, '3F00/7FFF/6F09', world).slice(0, 2)).toBe('07');
  },
  'EF_UST 34': ({ card: c, world }) => expect(readTable(c, EST, world)).toEqual([]),
  'EF_UST 38': gsmContextFn,
};

const byN = (t: ServiceTableDecl, n: number): ServiceDecl => t.services.find((s) => s.n === n)!;

function proveAdvertised(personality: SimPersonality, t: ServiceTableDecl, world: World): number[] {
  const c = card(personality);
  const advertised = readTable(c, t, world);
  for (const n of advertised) {
    const where = `${personality}: ${t.name} n°${n} ${byN(t, n).name}`;
    for (const f of byN(t, n).files ?? []) {
      expect(tree.byPath(f.path)?.name, `${where}: ${f.name}`).toBe(f.name);
      selectAndRead(c, f.path, world);
    }
    const fn = FUNCTIONS[`${t.name} ${n}`];
    expect(fn, `${where}: no function check`).toBeDefined();
    fn!({ card: card(personality), world, perso: { ...PERSO } });
  }
  return advertised;
}

describe('service tables, read over APDUs, walked service by service', () => {
  it('classic: EF_SST advertises 1, 2, 5, 7, 9, 12, 17 and each works; the USIM world does not answer', () => {
    expect(proveAdvertised('classic', SST, 'classic')).toEqual([1, 2, 5, 7, 9, 12, 17]);
    expect(tx(card('classic'), '00a40004023f0000')).toBe('6e00');
  });

  it.each(['uicc', 'both'] as const)('%s: EF_UST advertises 12, 13, 19, 21, 27, 33, 34, 38 and each works; EF_EST enables nothing', (p) => {
    expect(proveAdvertised(p, UST, 'uicc')).toEqual([12, 13, 19, 21, 27, 33, 34, 38]);
    expect(proveAdvertised(p, SST, 'uicc')).toEqual([1, 2, 5, 7, 9, 12, 17]);
    expect(readTable(card(p), EST, 'uicc')).toEqual([]);
  });

  it('both: the classic world reads the same EF_SST bytes as the UICC world', () => {
    const c = card('both');
    const a = selectAndRead(c, SST.path, 'uicc');
    expect(tx(c, `a020000108${CHV1}`)).toBe('9000');
    expect(selectAndRead(c, SST.path, 'classic')).toBe(a);
    // TS 51.011 §10.3.7: both bits (allocated, activated) of every service agree.
    for (const b of hexToBytes(a)) for (let i = 0; i < 8; i += 2) expect([0, 3]).toContain((b >> i) & 3);
  });

  it('a profile without SPN or MSISDN advertises neither', () => {
    const c = simCard({ personality: 'both' }, { spn: undefined, msisdn: undefined }, false);
    expect(tx(c, `0020000108${CHV1}`)).toBe('9000');
    const sst = readTable(c, SST, 'uicc');
    const ust = readTable(c, UST, 'uicc');
    expect(sst).not.toContain(17);
    expect(sst).not.toContain(9);
    expect(ust).not.toContain(19);
    expect(ust).not.toContain(21);
    expect(sst).toContain(2);
    expect(ust).toContain(38);
  });

  it('no service whose files are missing is ever advertised; FDN never (no EF_FDN); name-only services never', () => {
    for (const p of ['classic', 'uicc', 'both'] as const) {
      const world: World = p === 'classic' ? 'classic' : 'uicc';
      const c = card(p);
      for (const t of SERVICE_TABLES) {
        if (world === 'classic' && t !== SST) continue;
        const advertised = readTable(c, t, world);
        for (const s of t.services) {
          const missing = (s.files ?? []).filter((f) => tree.byPath(f.path)?.name !== f.name);
          const nothingToProve = (s.files ?? []).length === 0 && (s.features ?? []).length === 0;
          if (missing.length > 0 || nothingToProve) expect(advertised, `${p}: ${t.name} n°${s.n} ${s.name}`).not.toContain(s.n);
        }
      }
      expect(readTable(c, SST, world)).not.toContain(3);
    }
  });

  it('each table is sized to fit what it advertises (SST at least 2 bytes), no larger', () => {
    for (const t of [SST, UST]) {
      const highest = Math.max(...t.services.filter((s) => (s.files ?? []).every((f) => tree.byPath(f.path)?.name === f.name) && ((s.files ?? []).length > 0 || (s.features ?? []).length > 0)).map((s) => s.n));
      expect(tree.byPath(t.path)!.ef!.size, t.name).toBe(serviceTableBytes(t, highest));
    }
    expect(() => encodeServiceTable(UST, [41], 5)).toThrow('"EF_UST" service n°41 expected to fit in 5 bytes');
    expect(decodeServiceTable(SST, encodeServiceTable(SST, [1, 17], 5))).toEqual([1, 17]);
  });

  it('every service has a number, a unique one, and a name; files name the EF the tree has at that path when present', () => {
    for (const t of SERVICE_TABLES) {
      expect(new Set(t.services.map((s) => s.n)).size, t.name).toBe(t.services.length);
      for (const s of t.services) {
        expect(s.name.length, `${t.name} n°${s.n}`).toBeGreaterThan(2);
        for (const f of s.files ?? []) {
          expect(f.path, `${t.name} n°${s.n}`).toMatch(/^3F00(\/[0-9A-F]{4})+$/);
          const n = tree.byPath(f.path);
          if (n) expect(n.name, `${t.name} n°${s.n}: ${f.path}`).toBe(f.name);
        }
      }
    }
  });
});

/** The export's files: `# directory: … (3f00/…)` followed by `# file:` (present) or `# bad file:`. */
function realCard(): { files: Set<string>; contents: Map<string, string> } {
  const text = readFileSync(new URL('../../../shared/fixtures/real-cards/sysmoisim-sja2-backup.script', import.meta.url), 'utf8');
  const files = new Set<string>();
  const contents = new Map<string, string>();
  let path = '';
  for (const line of text.split('\n')) {
    const d = /^# directory: .* \(([0-9a-f/]+)\)$/.exec(line);
    if (d) path = d[1]!.toUpperCase().replace('A0000000871002', '7FFF');
    if (/^# file: /.test(line) && path) files.add(path);
    const u = /^update_binary ([0-9a-f]+)$/.exec(line);
    if (u && path) contents.set(path, u[1]!);
  }
  return { files, contents };
}

describe('the service → file map against a real sysmoISIM-SJA2 export', () => {
  const real = realCard();

  it.each([UST, SST])('$name: for every service the real card advertises, the files we tie to it are files it has', (t) => {
    const advertised = decodeServiceTable(t, hexToBytes(real.contents.get(t.path)!));
    expect(advertised.length).toBeGreaterThan(20);
    let checked = 0;
    for (const n of advertised) {
      const s = byN(t, n);
      if (s === undefined) continue; // beyond the services we name
      for (const f of s.files ?? []) expect(real.files.has(f.path), `${t.name} n°${n} ${s.name}: ${f.name} (${f.path})`).toBe(true);
      if ((s.files ?? []).length > 0) checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('what we advertise in EF_UST the real card advertises too (same numbering)', () => {
    const theirs = decodeServiceTable(UST, hexToBytes(real.contents.get(UST.path)!));
    const c = card('uicc');
    for (const n of readTable(c, UST, 'uicc')) expect(theirs, `UST n°${n} ${byN(UST, n).name}`).toContain(n);
  });
});
