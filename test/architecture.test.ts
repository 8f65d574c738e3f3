/**
 * The dependency rules of docs/architecture.md, checked on the source: card/ never imports host/
 * and does no I/O (no node: modules); card/runtime imports only itself and apdu-specs (data), and
 * of apdu-specs only what a runtime needs, never an applet's declarations; card/fs and
 * card/algorithms only the runtime; applets never import each other; host/ and lib/ reach card/
 * only through the index file of a card/ directory (its public face); apdu-specs imports nothing
 * from the project but itself; no raw status-word literal in card/ (SW.* from
 * apdu-specs/status-words.ts names every one). Each source rule is a function with a self-test on
 * a synthetic violation, so a rule that silently stopped matching fails too. Also: every command
 * declared for an applet has a handler (CommandTable enforces it; constructing every registered
 * applet proves it).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, basename } from 'node:path';
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
  names: readonly string[]; // the imported names (`{ A, B as C, type D }` → A, B, D); ['*'] for a namespace or side-effect import
}

function namesOf(clause: string | undefined): string[] {
  const braces = clause?.match(/\{([^}]*)\}/);
  if (!braces) return ['*'];
  return braces[1]!
    .split(',')
    .map((n) => n.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!.trim())
    .filter(Boolean);
}

/** The imports of `src` (repo-relative `file`): static import/export … from, and import(). */
function importsIn(file: string, src: string): Import[] {
  const re = /(?:^|\n)\s*(?:import|export)\s([^'"]*?)from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  const out: Import[] = [];
  for (const m of src.matchAll(re)) {
    const spec = (m[2] ?? m[3])!;
    const target = spec.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), spec)) : null;
    out.push({ file, spec, target, names: m[3] !== undefined ? ['*'] : namesOf(m[1]) });
  }
  return out;
}

function importsOf(file: string): Import[] {
  return importsIn(relative(ROOT, file), readFileSync(file, 'utf8'));
}

const cardFiles = walk(join(ROOT, 'card'));
const specFiles = walk(join(ROOT, 'apdu-specs'));
const hostFiles = [...walk(join(ROOT, 'host')), ...walk(join(ROOT, 'lib'))];

// ── (a) host/ and lib/ reach card/ only through an index file ───────────────────────────────────

/** `card/x/index.ts` (any depth) exists: the public face of a card/ directory. */
function isCardIndex(target: string, exists: (repoPath: string) => boolean): boolean {
  return basename(target) === 'index.js' && exists(target.replace(/\.js$/, '.ts'));
}

function deepCardImports(imports: readonly Import[], exists: (repoPath: string) => boolean = (p) => existsSync(join(ROOT, p))): Import[] {
  return imports.filter((i) => i.target !== null && /^card(\/|$)/.test(i.target) && !isCardIndex(i.target, exists));
}

/** `export … from` in an applet index whose target is card/protocol or card/algorithms. */
function protocolReexports(file: string, src: string): string[] {
  return [...src.matchAll(/(?:^|\n)\s*export\s[^'"]*?from\s+['"]([^'"]+)['"]/g)]
    .map((m) => m[1]!)
    .filter((spec) => /^card\/(protocol|algorithms)(\/|$)/.test(relative(ROOT, resolve(ROOT, dirname(file), spec))))
    .map((spec) => `${file} -> ${spec}`);
}

/** Imports of card/protocol other than its index. */
function protocolDeepImports(imports: readonly Import[]): string[] {
  return imports.filter((i) => i.target !== null && /^card\/protocol\//.test(i.target) && i.target !== 'card/protocol/index.js').map((i) => `${i.file} -> ${i.spec}`);
}

/** AID literals in source: quoted hex of an F0 'cardfg' AID or a registered RID (A000000…), or the same as Uint8Array.of bytes. */
function aidLiterals(files: readonly (readonly [file: string, src: string])[]): { file: string; hex: string }[] {
  const out: { file: string; hex: string }[] = [];
  for (const [file, src] of files) {
    for (const m of src.matchAll(/['"`]((?:a0000000|f0636172646667)[0-9a-f]*)['"`]/gi)) out.push({ file, hex: m[1]!.toLowerCase() });
    for (const m of src.matchAll(/Uint8Array\.of\(\s*0xa0,\s*0x00,\s*0x00,\s*0x00,([^)]*)\)/gi)) {
      const rest = m[1]!.split(',').map((b) => b.trim().replace(/^0x/i, '').padStart(2, '0').toLowerCase());
      out.push({ file, hex: `a0000000${rest.join('')}` });
    }
  }
  return out;
}

// ── (b) applets never import each other ──────────────────────────────────────────────────────────

function appletCrossImports(imports: readonly Import[]): Import[] {
  return imports.filter((i) => {
    const own = i.file.match(/^card\/applets\/([^/]+)\//)?.[1];
    const m = i.target?.match(/^card\/applets\/([^/]+)\//);
    return own !== undefined && m !== null && m !== undefined && m[1] !== own;
  });
}

// ── (c) card/runtime imports of apdu-specs: only what a runtime needs ────────────────────────────

/**
 * What card/runtime may take from apdu-specs, per file (`'*'`: any name), and why. Everything
 * else there (the SIM/USIM, toolkit, payment, ledger, ARA-M, loopback, GlobalPlatform, registry
 * modules, and the index that re-exports them all) is an applet's declaration: the runtime must
 * not know it, or an applet-level change would reach into the runtime.
 */
const RUNTIME_SPEC_ALLOWED: { readonly [file: string]: { readonly names: readonly string[]; readonly why: string } } = {
  'apdu-specs/types.ts': { names: ['*'], why: 'the shape of a declaration (CommandSpec, ClassPattern …) the dispatcher reads' },
  'apdu-specs/status-words.ts': { names: ['*'], why: 'the status words the runtime answers (SW)' },
  'apdu-specs/iso7816.ts': { names: ['*'], why: "ISO 7816-4 interindustry class and the runtime's own commands (SELECT by DF name, MANAGE CHANNEL, GET RESPONSE)" },
  'apdu-specs/p1p2.ts': { names: ['*'], why: 'the reader of typed P1-P2 declarations the dispatcher checks before a handler runs (pure functions of the declaration types)' },
  'apdu-specs/session-facts.ts': { names: ['*'], why: 'the session facts applets share through the runtime (ADM1 verified …)' },
  'apdu-specs/personalization.ts': { names: ['PERSO_P1', 'PERSO_STORE_DATA', 'GP_STORE_DATA_P1', 'PERSO_DGI'], why: "PERSO_STORE_DATA, which the runtime's personalizedTable adds to every blank-gated applet, and its P1; the GP STORE DATA P1 bits and the DGI numbering of the blocks the ISD forwards (perso.ts); not the SIM's perso tags" },
};

function runtimeSpecImports(imports: readonly Import[]): Import[] {
  return imports.filter((i) => {
    if (!i.file.startsWith('card/runtime/') || !i.target?.startsWith('apdu-specs/')) return false;
    const allowed = RUNTIME_SPEC_ALLOWED[i.target.replace(/\.js$/, '.ts')];
    return !allowed || (!allowed.names.includes('*') && !i.names.every((n) => allowed.names.includes(n)));
  });
}

// ── (d) no raw status-word literal in card/ ──────────────────────────────────────────────────────

/**
 * `src` with comments and the text of string and template literals blanked (same length, newlines
 * kept), so a 0x6A82 in a comment or a description is not code and positions still map to lines.
 */
function codeOnly(src: string): string {
  const out = src.split('');
  const blank = (a: number, b: number): void => {
    for (let k = a; k < b; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  const braces: number[] = []; // for each open `${`: the brace depth at which it closes
  let depth = 0;
  let i = 0;
  const template = (from: number): number => {
    // from: just after ` or after the } closing a ${…}; returns where code resumes
    let k = from;
    while (k < src.length && src[k] !== '`' && !(src[k] === '$' && src[k + 1] === '{')) k += src[k] === '\\' ? 2 : 1;
    blank(from, Math.min(k, src.length));
    if (src[k] === '$') {
      braces.push(depth);
      depth++;
      return k + 2;
    }
    return k + 1;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '/' && src[i + 1] === '/') {
      const e = src.indexOf('\n', i);
      const end = e < 0 ? src.length : e;
      blank(i, end);
      i = end;
    } else if (c === '/' && src[i + 1] === '*') {
      const e = src.indexOf('*/', i + 2);
      const end = e < 0 ? src.length : e + 2;
      blank(i, end);
      i = end;
    } else if (c === "'" || c === '"') {
      let k = i + 1;
      while (k < src.length && src[k] !== c && src[k] !== '\n') k += src[k] === '\\' ? 2 : 1;
      blank(i + 1, k);
      i = k + 1;
    } else if (c === '`') {
      i = template(i + 1);
    } else if (c === '{') {
      depth++;
      i++;
    } else if (c === '}') {
      depth--;
      if (braces.length && braces[braces.length - 1] === depth) {
        braces.pop();
        i = template(i + 1);
      } else i++;
    } else i++;
  }
  return out.join('');
}

/** A name that says "status word": sw, SW.X, reply.sw, lastSw, statusWord. */
const SW_NAME = /\bsw(?![a-z])|[a-z]sw\b|status_?word/i;

interface SwLiteral {
  readonly file: string;
  readonly line: number;
  readonly literal: string;
}

/**
 * Hex literals 0x6000–0x6FFF and 0x9000–0x9FFF used as a status word. The same numbers are also
 * file IDs (EF_IMSI 6F07), bit masks and lengths, so a literal counts only in an SW context within
 * its statement: an argument of `CardError(…)`; a statement that names a status word (`sw:`,
 * `const sw =`, `reply.sw ?? 0x9000`, `=== … sw`, `SW.X : 0x9000`); or a `return` of it (the
 * runtime's dispatch and 61xx/6Cxx helpers return SWs). A statement is cut at ; { and }.
 */
function swLiterals(file: string, src: string): SwLiteral[] {
  const code = codeOnly(src);
  const out: SwLiteral[] = [];
  for (const m of code.matchAll(/\b0x[69][0-9a-f]{3}\b/gi)) {
    const at = m.index;
    const from = Math.max(code.lastIndexOf(';', at), code.lastIndexOf('{', at), code.lastIndexOf('}', at)) + 1;
    const ends = [';', '{', '}'].map((c) => code.indexOf(c, at)).filter((k) => k >= 0);
    const to = ends.length ? Math.min(...ends) : code.length;
    const before = code.slice(from, at);
    const after = code.slice(at + m[0].length, to);
    const call = before.search(/\bCardError\s*\(/);
    let open = 0;
    if (call >= 0) for (const ch of before.slice(call)) open += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    if (open > 0 || SW_NAME.test(before) || SW_NAME.test(after) || /\breturn\b/.test(before)) {
      out.push({ file, line: code.slice(0, at).split('\n').length, literal: m[0].toLowerCase() });
    }
  }
  return out;
}

/**
 * Literals in an SW context that are provably not status words: file, literal and why. Add an
 * entry only with the reason a reader can check against the spec.
 */
const NOT_STATUS_WORDS: readonly { readonly file: string; readonly literal: string; readonly why: string }[] = [
  { file: 'card/fs/ef-codecs.ts', literal: '0x6000', why: 'encodeAct returns access-technology bits of a PLMN-AcT entry: 0x6000 = E-UTRAN in WB-S1 mode only (TS 31.102 §4.2.5, byte 1 bits 7..5 = 011), a bit mask' },
];

// ── Temporary: what other branches of issue 17 are removing now ─────────────────────────────────

/**
 * TEMPORARY ALLOW-LIST (issue 17). The violations of rules (a) and (d) that other engineers remove
 * on their branches (host/backend, host/prove: the host engineer; SW literals in card/: runtime and
 * apps engineers). The lead empties it after merging: an entry that no longer matches a violation
 * fails the test ("stale"), so the list can only shrink, and a new violation is never in it.
 * Rule (a): none left (the host branch removed its 13); rule (d): 27 status-word literals.
 */
const PENDING_ISSUE_17 = {
  /** `file -> import specifier`: host/ or lib/ importing a card/ file other than an index file. */
  deepCardImports: [] as string[],
  /** `file: literal`, one entry per occurrence: a raw status word in card/. */
  swLiterals: [] as string[],
} as const;


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
    const allowed = ['card/protocol', 'card/runtime', 'card/algorithms', 'apdu-specs'];
    const files = cardFiles.filter((f) => relative(ROOT, f).startsWith('card/protocol'));
    expect(files.length).toBeGreaterThan(0);
    const bad = files.flatMap(importsOf).filter((i) => i.target === null || !allowed.some((a) => i.target!.startsWith(a)));
    expect(bad).toEqual([]);
  });

  it('each primitive and each wire format has one home: no applet face re-exports card/algorithms or card/protocol (nor card/protocol card/algorithms)', async () => {
    const algorithms = new Set(Object.keys(await import('../card/algorithms/index.js')));
    const protocolFace: Record<string, unknown> = await import('../card/protocol/index.js');
    // By identity: payment's CARD_ID_LENGTH ({ min, max } of its personalization) is not ledger's wire CARD_ID_LENGTH.
    const protocol = new Map(Object.entries(protocolFace));
    expect(protocol.size, 'card/protocol exports its layouts').toBeGreaterThan(10);
    const faces = {
      ledger: await import('../card/applets/ledger/index.js'),
      payment: await import('../card/applets/payment/index.js'),
      sim: await import('../card/applets/sim/index.js'),
      aram: await import('../card/applets/aram/index.js'),
    };
    for (const [name, face] of Object.entries(faces)) {
      expect(Object.keys(face).filter((k) => algorithms.has(k)), `${name}: card/algorithms names`).toEqual([]);
      expect(Object.entries(face).filter(([k, v]) => protocol.has(k) && protocol.get(k) === v).map(([k]) => k), `${name}: card/protocol exports`).toEqual([]);
    }
    expect(Object.keys(protocolFace).filter((k) => algorithms.has(k)), 'protocol: card/algorithms names').toEqual([]);
  });

  it('no applet index re-exports (in source, types included) from card/protocol or card/algorithms', () => {
    const indexes = readdirSync(join(ROOT, 'card/applets'))
      .map((d) => join(ROOT, 'card/applets', d, 'index.ts'))
      .filter((p) => existsSync(p));
    expect(indexes.length).toBeGreaterThanOrEqual(4);
    expect(indexes.flatMap((f) => protocolReexports(relative(ROOT, f), readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('re-export self-test: an applet index re-exporting card/protocol or card/algorithms is caught, its own modules are not', () => {
    const src = [
      "export { LedgerApplet } from './ledger.js';",
      "export * from './types.js';",
      "export * from '../../protocol/ledger.js';",
      "export type { LedgerMode } from '../../protocol/index.js';",
      "export { aesCmac } from '../../algorithms/index.js';",
      "import { REC } from '../../protocol/index.js';",
    ].join('\n');
    expect(protocolReexports('card/applets/ledger/index.ts', src)).toEqual([
      'card/applets/ledger/index.ts -> ../../protocol/ledger.js',
      'card/applets/ledger/index.ts -> ../../protocol/index.js',
      'card/applets/ledger/index.ts -> ../../algorithms/index.js',
    ]);
  });

  it('host/ and lib/ import card/protocol only through card/protocol/index.ts', () => {
    const bad = protocolDeepImports(hostFiles.flatMap(importsOf));
    expect(bad).toEqual([]);
    expect(hostFiles.flatMap(importsOf).some((i) => i.target === 'card/protocol/index.js'), 'host imports card/protocol').toBe(true);
    expect(protocolDeepImports(importsIn('host/backend/x.ts', "import { REC } from '../../card/protocol/ledger.js';\nimport { INFO } from '../../card/protocol/index.js';"))).toEqual([
      'host/backend/x.ts -> ../../card/protocol/ledger.js',
    ]);
  });

  it('each AID is written once: no AID hex literal (F0 cardforge range or a registered RID) outside apdu-specs, none written twice', () => {
    const literals = aidLiterals([...cardFiles, ...specFiles, ...hostFiles].map((f) => [relative(ROOT, f), readFileSync(f, 'utf8')] as const));
    expect(literals.filter((l) => !l.file.startsWith('apdu-specs/')).map((l) => `${l.file}: ${l.hex}`), 'name it in apdu-specs (aids.ts) and import it').toEqual([]);
    const seen = new Map<string, string[]>();
    for (const l of literals) seen.set(l.hex, [...(seen.get(l.hex) ?? []), l.file]);
    expect([...seen].filter(([, files]) => files.length > 1)).toEqual([]);
    expect(aidLiterals([['host/x.ts', "const a = 'A0000000871002';\nconst b = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x87);\nconst c = 'f0636172646667020001';"]]).map((l) => l.hex)).toEqual(['a0000000871002', 'f0636172646667020001', 'a000000087']);
  });

  it('applets never import each other', () => {
    expect(appletCrossImports(cardFiles.flatMap(importsOf))).toEqual([]);
  });

  it('rule (b) self-test: an applet importing another applet is caught, its own files and the runtime are not', () => {
    const src = "import { x } from '../payment/tlv.js';\nimport { y } from './pin-ops.js';\nimport { Card } from '../../runtime/index.js';\n";
    expect(appletCrossImports(importsIn('card/applets/sim/sim.ts', src)).map((i) => i.spec)).toEqual(['../payment/tlv.js']);
  });

  it('host/ and lib/ import card/ only through the index file of a card/ directory', () => {
    const bad = deepCardImports(hostFiles.flatMap(importsOf)).map((i) => `${i.file} -> ${i.spec}`);
    const pending: readonly string[] = PENDING_ISSUE_17.deepCardImports;
    expect(bad.filter((b) => !pending.includes(b)), 'deep import of card/: import from the directory index.ts (add the export there)').toEqual([]);
    expect(pending.filter((p) => !bad.includes(p)), 'stale: remove these from PENDING_ISSUE_17.deepCardImports').toEqual([]);
  });

  it('rule (a) self-test: a deep import (static, type-only, re-export or dynamic) is caught; index files and host/ files are not', () => {
    const src = [
      "import { concat } from '../../card/runtime/bytes.js';",
      "import type { FsNodeKind } from '../../card/fs/data.js';",
      "export { tearSweep } from '../../card/runtime/tear.js';",
      "const m = await import('../../card/algorithms/sha256.js');",
      "import { Card } from '../../card/runtime/index.js';",
      "import { sim } from '../../card/applets/sim/index.js';",
      "import { TraceError } from '../trace/errors.js';",
    ].join('\n');
    const exists = (p: string): boolean => ['card/runtime/index.ts', 'card/applets/sim/index.ts'].includes(p);
    expect(deepCardImports(importsIn('host/x/y.ts', src), exists).map((i) => i.spec)).toEqual([
      '../../card/runtime/bytes.js',
      '../../card/fs/data.js',
      '../../card/runtime/tear.js',
      '../../card/algorithms/sha256.js',
    ]);
    // An index.js that is not a card/ directory's index.ts is not a public face.
    expect(deepCardImports(importsIn('lib/z.ts', "import { a } from '../card/nowhere/index.js';"), exists)).toHaveLength(1);
  });

  it('card/runtime takes from apdu-specs only types, status words, its own commands, ISO 7816 interindustry, session facts and the PERSO_STORE_DATA gate', () => {
    expect(runtimeSpecImports(cardFiles.flatMap(importsOf))).toEqual([]);
  });

  it('rule (c) self-test: an applet-level spec (or a name outside the allowed ones) in card/runtime is caught', () => {
    const src = [
      "import { SW } from '../../apdu-specs/status-words.js';",
      "import { PERSO_P1 } from '../../apdu-specs/personalization.js';",
      "import { SIM_PERSO_TAGS } from '../../apdu-specs/personalization.js';",
      "import { PAYMENT_TAGS } from '../../apdu-specs/payment.js';",
      "import { ALL_COMMANDS } from '../../apdu-specs/index.js';",
    ].join('\n');
    expect(runtimeSpecImports(importsIn('card/runtime/x.ts', src)).map((i) => i.spec)).toEqual(['../../apdu-specs/personalization.js', '../../apdu-specs/payment.js', '../../apdu-specs/index.js']);
    // The same imports in an applet are not this rule's business.
    expect(runtimeSpecImports(importsIn('card/applets/sim/x.ts', src))).toEqual([]);
  });

  it('no raw status-word literal in card/: SW.* names them (apdu-specs/status-words.ts)', () => {
    const all = cardFiles.flatMap((f) => swLiterals(relative(ROOT, f), readFileSync(f, 'utf8')));
    const notSw = (l: SwLiteral): boolean => NOT_STATUS_WORDS.some((n) => n.file === l.file && n.literal === l.literal);
    // An allow-list entry the detector no longer flags is stale: drop it.
    for (const n of NOT_STATUS_WORDS) expect(all.some((l) => l.file === n.file && l.literal === n.literal), `NOT_STATUS_WORDS: ${n.file} ${n.literal} is no longer flagged; remove the entry`).toBe(true);
    const found = all.filter((l) => !notSw(l));
    const bad = found.map((l) => `${l.file}: ${l.literal}`);
    const pending = [...PENDING_ISSUE_17.swLiterals] as string[];
    const unexpected = found.filter((l) => {
      const k = pending.indexOf(`${l.file}: ${l.literal}`);
      if (k < 0) return true;
      pending.splice(k, 1);
      return false;
    });
    expect(unexpected.map((l) => `${l.file}:${l.line}: ${l.literal}`), 'a raw status word: use SW.* (add it to apdu-specs/status-words.ts if missing)').toEqual([]);
    expect(pending, 'stale: remove these from PENDING_ISSUE_17.swLiterals').toEqual([]);
    expect(bad.length).toBe(PENDING_ISSUE_17.swLiterals.length);
  });

  it('rule (d) self-test: SW literals in SW contexts are caught; file IDs, masks, comments and strings are not', () => {
    const sws = [
      'throw new CardError(0x6A82);',
      "throw new CardError(\n  0x6a84,\n  'too long',\n);",
      'if (apdu.data.length !== len) throw new CardError(w.gsm ? 0x6700 | len : SW.WRONG_LENGTH);',
      'return { data: out, sw: 0x9000 };',
      'const sw = reply.sw ?? 0x9000;',
      'if (r.sw === 0x6982) retry();',
      'if (0x6983 === lastSw) blocked();',
      'for (const p of this.patterns) if (matches(p, base)) return 0x6d00;',
      'const sw = active ? 0x9000 : SW.FILE_DEACTIVATED;',
    ];
    for (const s of sws) expect(swLiterals('card/x.ts', s), s).toHaveLength(1);
    expect(swLiterals('card/x.ts', 'return (gsm ? 0x9f00 : 0x6100) | n;').map((l) => l.literal)).toEqual(['0x9f00', '0x6100']);
    const notSws = [
      "ef('EF_IMSI', 0x6f07, { structure: 'transparent', size: 9, description: 'IMSI (answers sw 6A82 when missing)' }),",
      "kind: 'EF', name: 'EF_ARR', fid: 0x6f06, sfi: 0x17,",
      'const FID = 0x6F3A;',
      'const mask = bits & 0x6000;',
      '// CardError(0x6a82) when the file is missing; return 0x9000',
      "const text = 'return 0x9000 and sw 0x6a82';",
      'const t = `sw: ${fid === 0x6f07 ? "imsi" : "other"}`;',
      'select(0x6f07); select(0x7f20);',
      'throw new CardError(SW.FILE_NOT_FOUND, `no ${(0x6f07).toString(16)}`); const x = 0x6f07;',
    ];
    for (const s of notSws) expect(swLiterals('card/x.ts', s), s).toEqual([]);
    expect(swLiterals('card/x.ts', 'a();\n\nthrow new CardError(0x6a82);')).toEqual([{ file: 'card/x.ts', line: 3, literal: '0x6a82' }]);
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
