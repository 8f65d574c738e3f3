/**
 * Which EFs a profile writes, and with what bytes, for the APDU path (issue 8). The offline
 * builder (build.ts: install() of the SIM applet) is the single source of truth: the profile is
 * built into a scratch emulated card and every EF whose content differs from the blank factory
 * card (blank.ts) is listed with its final content (transparent: all bytes; record EFs: every
 * record in logical order, cyclic record 1 = newest). Writing those with UPDATE BINARY / UPDATE
 * RECORD gives the blank card the offline file contents byte for byte.
 * `fromProfile` marks the EFs whose content is not the declared default (EF_DIR, which lists our
 * own USIM AID, the declared initial contents, and the service tables EF_SST/EF_UST/EF_EST, which
 * describe this card's own files (card/fs/services.ts), are "format" data a real card's vendor
 * owns: a vendor adapter must not write ours over theirs).
 */
import { FileTree, SERVICE_TABLES, type FsNode } from '../../../card/fs/index.js';
import { SIM_AID, USIM_AID } from '../../../card/applets/sim/index.js';
import { equalBytes, hexToBytes, type Card } from '../../../card/runtime/index.js';
import { buildCard } from '../build.js';
import type { Profile } from '../schema.js';
import { blankSimCard } from './blank.js';

export interface EfWrite {
  readonly node: FsNode;
  /** Transparent: the whole content. */
  readonly content?: Uint8Array;
  /** Record EFs: every record, logical order (record 1 first). */
  readonly records?: readonly Uint8Array[];
  readonly fromProfile: boolean;
}

function cell(card: Card, key: string): Uint8Array {
  const c = card.memory.cells.get(`${SIM_AID}/${key}`);
  if (c === undefined) throw new Error(`SIM cell ${key} missing`);
  return c;
}

function records(card: Card, n: FsNode): Uint8Array[] {
  const ef = n.ef!;
  const data = cell(card, `fs/${n.path}`);
  const ptr = cell(card, 'fs/.cyclic')[n.index]!;
  const out: Uint8Array[] = [];
  for (let r = 1; r <= ef.records; r++) {
    const slot = ef.structure === 'cyclic' ? (ptr - (r - 1) + 2 * ef.records) % ef.records : r - 1;
    out.push(data.slice(slot * ef.recordLength, (slot + 1) * ef.recordLength));
  }
  return out;
}

function declaredDefault(n: FsNode): Uint8Array {
  const ef = n.ef!;
  const init = n.decl.kind === 'EF' && n.decl.initial !== undefined ? hexToBytes(n.decl.initial) : new Uint8Array(0);
  if (ef.structure === 'transparent') {
    const out = new Uint8Array(ef.size).fill(0xff);
    out.set(init.subarray(0, ef.size));
    return out;
  }
  const out = new Uint8Array(ef.size).fill(0xff);
  for (let r = 0; r < ef.records; r++) out.set(init.subarray(0, ef.recordLength), r * ef.recordLength);
  return out;
}

/** The EF writes that turn the blank card into the offline card of this profile. */
export function simFileWrites(profile: Profile, file = 'profile'): { tree: FileTree; writes: EfWrite[] } {
  const offline = buildCard(profile, file);
  const blank = blankSimCard({ personality: profile.personality, adm1: profile.pins.adm1 });
  const tree = new FileTree(USIM_AID, {});
  const writes: EfWrite[] = [];
  for (const n of tree.nodes) {
    if (!n.ef || tree.isArr(n)) continue;
    const want = cell(offline, `fs/${n.path}`);
    const have = cell(blank, `fs/${n.path}`);
    const cyclicMoved = n.ef.structure === 'cyclic' && cell(offline, 'fs/.cyclic')[n.index] !== cell(blank, 'fs/.cyclic')[n.index];
    if (equalBytes(want, have) && !cyclicMoved) continue;
    const cardOwned = n.name === 'EF_DIR' || SERVICE_TABLES.some((t) => t.path === n.path);
    const fromProfile = !cardOwned && !equalBytes(want, declaredDefault(n));
    if (n.ef.structure === 'transparent') writes.push({ node: n, content: want.slice(), fromProfile });
    else writes.push({ node: n, records: records(offline, n), fromProfile });
  }
  return { tree, writes };
}
