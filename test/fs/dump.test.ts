/**
 * `image dump` (issue 13) through the emulator transport: dump(import(X)) gives back X — the same
 * files at the same paths, each with its FCP byte for byte and its contents — for the two real
 * exports (../shared/fixtures/real-cards: a sysmoISIM-SJA2 UICC, a sysmoSIM-GR1 classic SIM), the
 * phonebook EFs the import built from EF_PBR included. The expectations are the fixtures' own
 * lines read by the strict parser; the dump must parse with it without a single error.
 * Guards: a file the walk misses (a DF never entered, an ADF not listed, a FID outside the tables),
 * a hit that is really the parent or a sibling DF (relative SELECT), contents cut at a chunk
 * boundary, records shifted, a refused read turned into fake contents, a wrong ADM retried.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpCard, DumpError, importPysimExport, parsePysimExport, writePysimExport, type PysimImport } from '../../host/fs/index.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import type { FsNodeData } from '../../card/fs/index.js';
import { Card, bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { saveImageFile } from '../../host/store/index.js';
import { runCli } from '../cli/built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const FX = new URL('../../../shared/fixtures/real-cards/', import.meta.url);
const SJA2 = readFileSync(new URL('sysmoisim-sja2-backup.script', FX), 'utf8');
const GR1 = readFileSync(new URL('sysmosim-gr1-classic-backup.script', FX), 'utf8');
const ADM1 = '12345678'; // the clone's ADM1 without a profile (import.ts DEFAULT_SECRETS)

/** Every node's FCP by node path. */
function fcps(p: PysimImport): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (n: FsNodeData, at: string): void => {
    const path = at ? `${at}/${n.kind === 'ADF' ? n.aid! : n.fid!}` : n.fid!;
    out.set(path.toUpperCase(), n.fcp.toLowerCase());
    for (const c of n.children ?? []) walk(c, path);
  };
  walk(p.tree.mf, '');
  return out;
}

/** Files of X the real card would not let pySim read because pySim expected a BER-TLV EF there. */
function berTlvMisreads(text: string): string[] {
  return [...text.matchAll(/^# bad file: (\S+)\/EF\.[^,]+, selected file has structure type 'transparent', expecting a file with structure 'ber_tlv'$/gm)].map((m) => m[1]!);
}

async function dumpOf(text: string, name: string, opts: Parameters<typeof dumpCard>[1] = { adm: ADM1 }) {
  const clone = importPysimExport(text, name);
  const t = new EmulatorTransport(clone.card);
  await t.connect();
  return { clone, t, d: await dumpCard(t, opts) };
}

/** dump(import(X)) against X: same paths and FCPs, X's contents byte for byte, nothing invented. */
function expectSameCard(fixture: string, dumpText: string): { files: number; contents: number } {
  const want = parsePysimExport(fixture, 'fixture');
  const got = parsePysimExport(dumpText, 'dump'); // strict: any malformed line throws
  expect([...fcps(got)].sort()).toEqual([...fcps(want)].sort());
  for (const [path, c] of Object.entries(want.contents)) expect(got.contents[path], path).toEqual(c);
  // The clone serves bytes for the few files the real card gave pySim none of (it wanted BER-TLV): only those are extra.
  const extra = Object.keys(got.contents).filter((p) => !(p in want.contents));
  expect(extra.length).toBe(berTlvMisreads(fixture).length);
  return { files: fcps(got).size, contents: Object.keys(got.contents).length };
}

describe('image dump of an emulated clone (EmulatorTransport)', () => {
  it('sysmoISIM-SJA2: every file, FCP and content of the export, the PBR phonebook EFs named by their tags', async () => {
    const { d } = await dumpOf(SJA2, 'sja2.script');
    expect(d.flavour).toBe('uicc');
    const { files, contents } = expectSameCard(SJA2, d.text);
    expect(files).toBe(265);
    expect(contents).toBe(242);
    // The FID scan finds the EFs EF_PBR points to (card-chosen 4Fxx FIDs); the walk names them from the PBR.
    expect(d.text).toContain('# directory: MF/DF.TELECOM/DF.PHONEBOOK/EF.ADN (3f00/7f10/5f3a/4f3a)');
    expect(d.text).toContain('# directory: MF/ADF.USIM (3f00/a0000000871002ffffffff8907090000)');
    expect(d.text).toContain('# directory: MF/ADF.ISIM/EF.IMPI (3f00/a0000000871004ffffffff8907090000/6f02)');
    // What the real card refused pySim even with ADM1 stays refused, reported as pySim does.
    expect(d.bad).toHaveLength(8);
    expect(d.text).toMatch(/^# bad file: MF\/DF\.SYSTEM\/EF\.CHV1, SW match failed! Expected 9000 and got 6982: Security status not satisfied$/m);
    expect(d.text).not.toMatch(/^select MF\/DF\.SYSTEM\/EF\.CHV1\nupdate_binary/m);
  });

  it('sysmoSIM-GR1: a classic SIM (class 00 → 6E00) walked with class A0 and GSM responses', async () => {
    // Exported without ADM (its EF_SUME read answered 9804): dumped the same way, the clone answers the same.
    const { d } = await dumpOf(GR1, 'gr1.script', {});
    expect(d.flavour).toBe('classic');
    expect(expectSameCard(GR1, d.text).files).toBe(32);
    expect(d.bad).toEqual(['MF/DF.GSM/EF.SUME: SW match failed! Expected 9000 and got 9804: Access condition not fulfilled / unsuccessful CHV verification, at least one attempt left / unsuccessful UNBLOCK CHV, at least one attempt left / authentication failed']);
    expect(d.text).toContain('# RAW FCP Template: 0000000a2fe2040005ff5501020000'); // EF_ICCID's GSM response
  });

  it('without ADM1 the files ADM protects are reported unreadable, never given invented contents', async () => {
    const { d } = await dumpOf(SJA2, 'sja2.script', { scan: false });
    const want = parsePysimExport(SJA2, 'fixture');
    const got = parsePysimExport(d.text, 'dump');
    expect(d.bad.length).toBeGreaterThan(8);
    for (const [path, c] of Object.entries(got.contents)) if (path in want.contents) expect(c, path).toEqual(want.contents[path]);
    expect(d.bad.every((b) => / got 698[25]: /.test(b))).toBe(true);
  });

  it('--no-scan: the well-known FIDs only — everything but the PBR-referenced EFs, which an import then builds', async () => {
    const { d } = await dumpOf(SJA2, 'sja2.script', { adm: ADM1, scan: false });
    expect(d.files).toBe(253);
    expect(d.probes).toBeLessThan(400);
    expect(d.text).not.toContain('EF.ADN (3f00/7f10/5f3a/4f3a)');
    // Parsed, the import's EF_PBR completion puts the missing 12 back: the same tree.
    expect(fcps(parsePysimExport(d.text, 'dump')).size).toBe(265);
  });

  it('is deterministic and leaves the card as it found it (a second dump on the same connection is identical)', async () => {
    const { t, d } = await dumpOf(GR1, 'gr1.script');
    const again = await dumpCard(t, { adm: ADM1 });
    expect(again.text).toBe(d.text);
  });

  it('T=1, and a transport that leaves 61xx/9Fxx to the caller, give the same dump', async () => {
    const base = (await dumpOf(SJA2, 'sja2.script', { adm: ADM1, scan: false })).d.text;
    for (const [protocol, autoGetResponse] of [['T=1', true], ['T=0', false]] as const) {
      const clone = importPysimExport(SJA2, 'sja2.script');
      clone.card.protocol = protocol;
      const t = new EmulatorTransport(clone.card, { autoGetResponse });
      await t.connect();
      const d = await dumpCard(t, { adm: ADM1, scan: false, reset: false });
      expect(d.text.split('\n').slice(1).join('\n'), `${protocol} auto=${autoGetResponse}`).toBe(base.split('\n').slice(1).join('\n'));
    }
  });

  it('a file no table names is found by the scan and named by its FID', async () => {
    // EF_ICCID's GSM response with FID 2F99 and size 3: a proprietary EF at the MF.
    const extra = ['# directory: MF/EF.Mine (3f00/2f99)', '# file: EF.Mine (2f99)', '# structure: transparent',
      '# RAW FCP Template: 000000032f99040005ff5501020000', 'select MF/EF.Mine', 'update_binary 0a0b0c', ''].join('\n');
    const { d } = await dumpOf(`${GR1}\n${extra}`, 'gr1+.script');
    expect(d.text).toMatch(/^# directory: MF\/EF\.2F99 \(3f00\/2f99\)\n(?:.*\n){3}select MF\/EF\.2F99\nupdate_binary 0a0b0c$/m);
    expect(parsePysimExport(d.text, 'dump').contents['3F00/2F99']).toBe('0a0b0c');
  });

  it('reports progress: one call per SELECT probe, up to the total once every DF is known', async () => {
    const seen: [number, number, string][] = [];
    const { d } = await dumpOf(GR1, 'gr1.script', { adm: ADM1, onProgress: (done, total, path) => seen.push([done, total, path]) });
    expect(seen).toHaveLength(d.probes);
    expect(seen.map((s) => s[0])).toEqual(seen.map((_, i) => i + 1));
    expect(seen.at(-1)).toEqual([d.probes, d.probes, 'MF/DF.GSM']);
    expect(new Set(seen.map((s) => s[2]))).toEqual(new Set(['MF', 'MF/DF.TELECOM', 'MF/DF.GSM']));
    // 2 × 256 FIDs below the MF and each first-level DF, less the ones a relative SELECT would resolve elsewhere.
    expect(d.probes).toBeGreaterThan(3 * 500);
  });

  it('a wrong ADM1 stops the dump after one VERIFY; a malformed one is refused before any command', async () => {
    const clone = importPysimExport(GR1, 'gr1.script');
    const t = new EmulatorTransport(clone.card);
    await t.connect();
    const sent: string[] = [];
    t.on('exchange', (c) => sent.push(bytesToHex(c)));
    await expect(dumpCard(t, { adm: '1234' })).rejects.toMatchObject({ code: 'DUMP_BAD_ADM' });
    expect(sent).toEqual([]);
    const err = await dumpCard(t, { adm: '87654321' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DumpError);
    expect((err as DumpError).code).toBe('DUMP_ADM_REJECTED');
    expect((err as Error).message).toMatch(/VERIFY ADM1 answered 98/);
    expect(sent.filter((c) => c.startsWith('a020000a'))).toHaveLength(1);
    expect(sent.at(-1)).toMatch(/^a020000a08/);
  });

  it('a card without a SIM file system: DUMP_NO_MF naming both answers', async () => {
    const card = new Card();
    card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
    const t = new EmulatorTransport(card);
    await t.connect();
    await expect(dumpCard(t)).rejects.toMatchObject({ code: 'DUMP_NO_MF', message: expect.stringMatching(/class 00 and .* with class A0/) });
  });
});

describe('cardforge image dump --card (the built CLI)', () => {
  it('-o x.script writes the export, -o x.json a clone with the dumped card\'s ATR; other names and a wrong ADM are refused', async () => {
    const dir = tempDir('cf-dump-');
    const image = join(dir, 'gr1.json');
    const src = importPysimExport(GR1, 'gr1.script').card;
    saveImageFile(image, src);
    const script = join(dir, 'gr1.script');
    let r = await runCli(['image', 'dump', '--card', image, '--no-save', '-o', script], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*gr1\.script: classic SIM emulator .*: 32 files, 28 with contents, 1 unreadable; \d+ SELECTs, \d+ commands in [\d.]+ s\n$/);
    expect(r.stderr).toBe(''); // no progress bar on a pipe
    expectSameCard(GR1, readFileSync(script, 'utf8'));
    r = await runCli(['image', 'dump', '--card', image, '--no-save', '--no-scan', '-o', join(dir, 'clone.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`ATR ${bytesToHex(src.atr).toUpperCase()} (T=0)`);
    expect(r.stderr).toMatch(/^warning: no --profile: /m);
    r = await runCli(['image', 'dump', '--card', image, '-o', join(dir, 'x.txt')]);
    expect([r.code, r.stderr]).toEqual([2, 'cardforge: -o expected a file ending .script (the export) or .json (a card image), got "' + join(dir, 'x.txt') + '"\n']);
    r = await runCli(['image', 'dump', '--card', image, '--no-save', '--adm', '00000000', '-o', join(dir, 'y.script')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cardforge: emulator .*: VERIFY ADM1 answered 98\d\d .*nothing was dumped/);
    r = await runCli(['image', 'dump', '--card', image, '-o', script]);
    expect(r.stderr).toMatch(/already exists; pass --force/);
  }, 90_000);
});

describe('export writer', () => {
  it('writes what the strict parser reads: an empty transparent EF, records, an ADF by AID, a refused read', () => {
    const mf = hexToBytes('622d8202782183023f00a509800171830400018d088a01058c04261a0000c60f90017083010183018183010a83010b');
    const ef = (fid: string, size: string): Uint8Array => hexToBytes(`621a820241218302${fid}a503d001208a01058c02021a8002${size}8800`);
    const text = writePysimExport([
      { names: ['MF'], ids: ['3F00'], kind: 'MF', fcp: mf },
      { names: ['MF', 'EF.Empty'], ids: ['3F00', '2F10'], kind: 'EF', structure: 'transparent', fcp: ef('2f10', '0000'), contents: { binary: new Uint8Array(0) } },
      { names: ['MF', 'EF.Shut'], ids: ['3F00', '2F11'], kind: 'EF', structure: 'transparent', fcp: ef('2f11', '0002'), bad: 'SW match failed! Expected 9000 and got 6982: Security status not satisfied' },
    ], { lines: ['test'] });
    const p = parsePysimExport(text, 'w');
    expect(p.contents).toEqual({ '3F00/2F10': '' });
    expect(p.warnings.join('\n')).toMatch(/EF\.Shut .* kept without contents: the export could not read it \(SW match failed! Expected 9000 and got 6982/);
    expect(text).toMatch(/^update_binary$/m);
    expect(text.startsWith('# test\n')).toBe(true);
  });
});
