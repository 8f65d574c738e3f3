/**
 * `cardforge image dump --reader` through the real stack (issue 13): `cardforge emulate` serves the
 * clones `cardforge image import` made of the two real exports (../shared/fixtures/real-cards: the
 * sysmoISIM-SJA2 UICC in slot 0, the sysmoSIM-GR1 classic SIM in slot 1) to a private pcscd via
 * vpcd, and the CLI dumps them as a user would. dump(import(X)) gives back X: the same files at the
 * same paths, every FCP / GSM response byte for byte, every content X holds. The full FID scan runs
 * here too (≈5,600 SELECTs for the SJA2), and the time is checked: seconds, not minutes.
 * Guards: T=0 through pcscd (61xx after every SELECT of a UICC, 9Fxx of the classic class A0, both
 * fetched by the transport), a dump cut by a slow path, -o x.json not cloning what was dumped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../cli/built-cli.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import type { FsNodeData } from '../../card/fs/index.js';
import { parsePysimExport, type PysimImport } from '../../host/fs/index.js';
import { pcscSuiteNote, skipPcsc, startStack } from './pcsc-stack.js';
import { EmulatorProcess } from './emulator-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const FX = fileURLToPath(new URL('../../../shared/fixtures/real-cards/', import.meta.url));
const SJA2 = join(FX, 'sysmoisim-sja2-backup.script');
const GR1 = join(FX, 'sysmosim-gr1-classic-backup.script');

function fcps(p: PysimImport): string[] {
  const out: string[] = [];
  const walk = (n: FsNodeData, at: string): void => {
    const path = at ? `${at}/${n.kind === 'ADF' ? n.aid! : n.fid!}` : n.fid!;
    out.push(`${path.toUpperCase()} ${n.fcp.toLowerCase()}`);
    for (const c of n.children ?? []) walk(c, path);
  };
  walk(p.tree.mf, '');
  return out.sort();
}

/** The dump against the export: same files and FCPs; every content of the export, byte for byte. */
function expectSameCard(fixture: string, dumpText: string): { files: number; extra: string[] } {
  const want = parsePysimExport(readFileSync(fixture, 'utf8'), fixture);
  const got = parsePysimExport(dumpText, 'dump');
  expect(fcps(got)).toEqual(fcps(want));
  for (const [path, c] of Object.entries(want.contents)) expect(got.contents[path], path).toEqual(c);
  return { files: fcps(got).length, extra: Object.keys(got.contents).filter((p) => !(p in want.contents)) };
}

describe.skipIf(skipPcsc)(`image dump --reader through pcscd + vpcd${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  let dir: string;
  const emus: EmulatorProcess[] = [];

  const cli = async (args: string[], timeoutMs = 60_000): Promise<string> => {
    const r = await runCli(args, { env: stack.env(), timeoutMs });
    expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    stack = await startStack();
    dir = tempDir('cf-image-dump-');
    await cli(['image', 'import', SJA2, '-o', join(dir, 'sja2.json')]);
    await cli(['image', 'import', GR1, '-o', join(dir, 'gr1.json')]);
    emus.push(...(await Promise.all([
      EmulatorProcess.start(stack, join(dir, 'sja2.json'), { slot: 0 }),
      EmulatorProcess.start(stack, join(dir, 'gr1.json'), { slot: 1 }),
    ])));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(emus.map((e, slot) => e.stop('SIGTERM', slot)));
    await stack?.stop();
  });

  it('the sysmoISIM-SJA2 clone: ADM1, EF_DIR ADFs, the full FID scan — every file, FCP and content (its time: bench dump)', async () => {
    const out = join(dir, 'sja2-dump.script');
    const t0 = performance.now();
    const stdout = await cli(['image', 'dump', '--reader', stack.readerName(0), '--adm', '12345678', '-o', out]);
    const s = (performance.now() - t0) / 1000;
    expect(stdout).toMatch(/^wrote .*sja2-dump\.script: UICC pcsc:.*: 265 files, 242 with contents, 8 unreadable; \d+ SELECTs/);
    const r = expectSameCard(SJA2, readFileSync(out, 'utf8'));
    expect(r.files).toBe(265);
    // Only the four files the real card gave pySim nothing for (pySim wanted BER-TLV there) have contents beyond the export.
    expect(r.extra.sort()).toEqual(['3F00/7F10/5F3D/4F02', '3F00/7F10/5F3E/4F02', '3F00/A0000000871004FFFFFFFF8907090000/6FF8', '3F00/A0000000871004FFFFFFFF8907090000/6FFC']);
    const walk = Number(/ in ([\d.]+) s$/m.exec(stdout)![1]);
    // The time is printed, not asserted (a loaded machine is not a bug): `npm run bench -- dump`
    // judges it ("seconds, not minutes") beside the raw replay of the same commands.
    console.log(`image dump through pcscd+vpcd, SJA2 clone with the FID scan: ${walk.toFixed(2)} s walk, ${s.toFixed(2)} s with the CLI's start`);
  }, 90_000);

  it('the sysmoSIM-GR1 classic clone (class A0, 9Fxx): the same files and contents; -o x.json clones it again', async () => {
    const out = join(dir, 'gr1-dump.script');
    await cli(['image', 'dump', '--reader', stack.readerName(1), '-o', out]);
    expect(expectSameCard(GR1, readFileSync(out, 'utf8'))).toEqual({ files: 32, extra: [] });
    // The clone of the clone: dumped again from an image (--card), the same export but for the header.
    const image = join(dir, 'gr1-again.json');
    const stdout = await cli(['image', 'dump', '--reader', stack.readerName(1), '--no-scan', '-o', image]);
    expect(stdout).toMatch(/classic SIM cloned from the classic SIM pcsc:.*: 32 files, 28 with contents, 1 unreadable/);
    const again = join(dir, 'gr1-again.script');
    await cli(['image', 'dump', '--card', image, '-o', again]);
    const body = (f: string): string => readFileSync(f, 'utf8').split('\n').slice(3).join('\n');
    expect(body(again)).toBe(body(out));
  }, 90_000);
});
