/**
 * The dependency rules of docs/architecture.md, checked on the source: card/ never imports host/
 * and does no I/O (no node: modules); card/runtime imports only itself and apdu-specs (data);
 * card/fs and card/algorithms only the runtime; applets never import each other; apdu-specs imports
 * nothing from the project but itself. Also: every command declared for an applet has a handler
 * (CommandTable enforces it; constructing every registered applet proves it).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPLET_REGISTRY } from '../card/applets/index.js';
import { Card } from '../card/runtime/index.js';
import { ALL_COMMANDS, RUNTIME_COMMANDS, type CommandSpec } from '../apdu-specs/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

interface Import {
  file: string;
  spec: string;
  target: string | null; // repo-relative path for project imports
}

function importsOf(file: string): Import[] {
  const src = readFileSync(file, 'utf8');
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  const out: Import[] = [];
  for (const m of src.matchAll(re)) {
    const spec = (m[1] ?? m[2])!;
    const target = spec.startsWith('.') ? relative(ROOT, resolve(dirname(file), spec)) : null;
    out.push({ file: relative(ROOT, file), spec, target });
  }
  return out;
}

const cardFiles = walk(join(ROOT, 'card'));
const specFiles = walk(join(ROOT, 'apdu-specs'));

describe('architecture', () => {
  it('card/ never imports host/ and does no I/O', () => {
    const bad = cardFiles.flatMap(importsOf).filter((i) => i.target?.startsWith('host') || i.spec.startsWith('node:') || ['fs', 'net', 'child_process', 'os', 'path'].includes(i.spec));
    expect(bad).toEqual([]);
  });

  it('card/runtime imports only itself, apdu-specs and @noble', () => {
    const bad = cardFiles
      .filter((f) => relative(ROOT, f).startsWith('card/runtime'))
      .flatMap(importsOf)
      .filter((i) => (i.target ? !i.target.startsWith('card/runtime') && !i.target.startsWith('apdu-specs') : !i.spec.startsWith('@noble/')));
    expect(bad).toEqual([]);
  });

  it('card/fs and card/algorithms import only the runtime (and themselves)', () => {
    for (const layer of ['card/fs', 'card/algorithms']) {
      const bad = cardFiles
        .filter((f) => relative(ROOT, f).startsWith(layer))
        .flatMap(importsOf)
        .filter((i) => i.target !== null && !i.target.startsWith(layer) && !i.target.startsWith('card/runtime') && !i.target.startsWith('apdu-specs'));
      expect(bad, layer).toEqual([]);
    }
  });

  it('card/protocol imports only the runtime, the algorithms and apdu-specs (and itself)', () => {
    // Transitional: the payment TLV helpers still live in card/applets/payment/tlv.ts until the
    // runtime's one TLV module replaces them (issue 17).
    const allowed = ['card/protocol', 'card/runtime', 'card/algorithms', 'apdu-specs', 'card/applets/payment/tlv'];
    const files = cardFiles.filter((f) => relative(ROOT, f).startsWith('card/protocol'));
    expect(files.length).toBeGreaterThan(0);
    const bad = files.flatMap(importsOf).filter((i) => i.target === null || !allowed.some((a) => i.target!.startsWith(a)));
    expect(bad).toEqual([]);
  });

  it('each primitive has one home: no applet face (nor card/protocol) re-exports card/algorithms', async () => {
    const algorithms = new Set(Object.keys(await import('../card/algorithms/index.js')));
    const faces = {
      ledger: await import('../card/applets/ledger/index.js'),
      payment: await import('../card/applets/payment/index.js'),
      sim: await import('../card/applets/sim/index.js'),
      aram: await import('../card/applets/aram/index.js'),
      protocol: await import('../card/protocol/index.js'),
    };
    for (const [name, face] of Object.entries(faces)) expect(Object.keys(face).filter((k) => algorithms.has(k)), name).toEqual([]);
  });

  it('applets never import each other', () => {
    const bad = cardFiles
      .filter((f) => /^card\/applets\/[^/]+\//.test(relative(ROOT, f)))
      .flatMap(importsOf)
      .filter((i) => {
        const own = i.file.split('/')[2];
        const m = i.target?.match(/^card\/applets\/([^/]+)\//);
        return m !== null && m !== undefined && m[1] !== own;
      });
    expect(bad).toEqual([]);
  });

  it('apdu-specs is data: it imports nothing outside itself', () => {
    const bad = specFiles.flatMap(importsOf).filter((i) => i.target === null || !i.target.startsWith('apdu-specs'));
    expect(bad).toEqual([]);
  });

  it('every command declared in apdu-specs is dispatched by the runtime or by a registered applet', () => {
    const bound = new Set<CommandSpec>(RUNTIME_COMMANDS);
    for (const [, cls] of APPLET_REGISTRY) {
      const card = new Card();
      for (const spec of card.install(cls, { aid: 'f000000001' }).commands.specs) bound.add(spec);
    }
    expect(ALL_COMMANDS.filter((c) => !bound.has(c)).map((c) => c.name)).toEqual([]);
  });

  it('every registered applet binds each of its declared commands to a handler and nothing undeclared', () => {
    for (const [type, cls] of APPLET_REGISTRY) {
      const card = new Card();
      const applet = card.install(cls, { aid: 'f000000001' });
      expect(applet.commands.specs.length, type).toBeGreaterThan(0);
      for (const spec of applet.commands.specs) expect(applet.commands.handles(spec.cla.value, spec.ins), `${type} ${spec.name}`).toBe(true);
    }
  });
});
