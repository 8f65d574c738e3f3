/**
 * Our select responses against the file-system dumps of two real cards (shared/fixtures, from
 * pySim's test data): for every file both cards have, the UICC FCP carries the same top-level
 * tags in the same order (where both carry them), the same FID and the same file structure as a
 * sysmoISIM-SJA2; the classic GET RESPONSE has the 51.011 layout (file type, structure) of a
 * sysmoSIM-GR1. Guards our response layouts drifting from what real readers and phones parse.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { FileTree } from '../../card/fs/index.js';
import { USIM_AID } from '../../card/applets/sim/index.js';
import { bytesToHex, hexToBytes } from '../../card/runtime/bytes.js';
import { findTlv, readTlvs } from '../../card/runtime/tlv.js';
import { simCard, tx, split } from '../applets/sim/helpers.js';

interface Dumped {
  path: string;
  raw: Uint8Array;
}

function dump(name: string): Dumped[] {
  const text = readFileSync(new URL(`../../../shared/fixtures/real-cards/${name}`, import.meta.url), 'utf8');
  const out: Dumped[] = [];
  let path = '';
  for (const line of text.split('\n')) {
    const d = /^# directory: .* \(([0-9a-f/]+)\)$/.exec(line);
    if (d) path = d[1]!;
    const r = /^# RAW FCP Template: ([0-9a-f]+)$/.exec(line);
    if (r && path) out.push({ path, raw: hexToBytes(r[1]!) });
  }
  return out;
}

const tags = (v: Uint8Array): number[] => readTlvs(v).map((t) => t.tag);
const inner = findTlv;

const tree = new FileTree(USIM_AID);
const ours = new Set(tree.nodes.map((n) => n.path.toLowerCase()));

describe('responses compared with real cards', () => {
  it('UICC FCP: same tags in the same order, FID and structure as a sysmoISIM-SJA2', () => {
    const card = simCard({}, {}, false);
    const files = dump('sysmoisim-sja2-backup.script').filter((f) => !f.path.includes('a0000') && ours.has(f.path) && f.raw[0] === 0x62);
    expect(files.length).toBeGreaterThan(15);
    for (const f of files) {
      const path = f.path.split('/').slice(1).join('');
      const cmd = path ? `00a40804${(path.length / 2).toString(16).padStart(2, '0')}${path}00` : '00a40004023f0000';
      const r = split(tx(card, cmd));
      expect(r.sw, `${f.path}: SELECT`).toBe('9000');
      const mine = inner(hexToBytes(r.data), 0x62)!;
      const theirs = f.raw.subarray(2, 2 + f.raw[1]!);
      const a = tags(mine);
      const b = tags(theirs);
      expect(a.filter((t) => b.includes(t)), `${f.path}: tag order (ours ${a.map((t) => t.toString(16))}, real ${b.map((t) => t.toString(16))})`).toEqual(b.filter((t) => a.includes(t)));
      expect(bytesToHex(inner(mine, 0x83)!), `${f.path}: FID`).toBe(bytesToHex(inner(theirs, 0x83)!));
      expect(inner(mine, 0x82)![0]! & 0x3f, `${f.path}: file descriptor (type and structure)`).toBe(inner(theirs, 0x82)![0]! & 0x3f);
    }
  });

  it('classic GET RESPONSE: file type and EF structure as a sysmoSIM-GR1', () => {
    const card = simCard();
    const files = dump('sysmosim-gr1-classic-backup.script').filter((f) => ours.has(f.path));
    expect(files.length).toBeGreaterThan(15);
    for (const f of files) {
      let last = '';
      for (const fid of f.path.split('/')) last = tx(card, `a0a4000002${fid}`);
      expect(last.slice(0, 2), `${f.path}: SELECT`).toBe('9f');
      const mine = hexToBytes(split(tx(card, `a0c00000${last.slice(2)}`)).data);
      expect(mine[6], `${f.path}: type of file`).toBe(f.raw[6]);
      expect(bytesToHex(mine.subarray(4, 6)), `${f.path}: FID`).toBe(bytesToHex(f.raw.subarray(4, 6)));
      if (f.raw[6] === 0x04) {
        expect(mine[13], `${f.path}: EF structure`).toBe(f.raw[13]);
        expect(mine.length, `${f.path}: response length`).toBe(f.raw.length);
      }
    }
  });
});
