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
import { FileTree, SERVICE_TABLES, type FileContents, type FsNode } from '../../../card/fs/index.js';
import { SIM_AID, SimApplet, USIM_AID } from '../../../card/applets/sim/index.js';
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

/** The SIM applet's files, read through its public read-only face. */
function simFiles(card: Card): FileContents {
  const sim = card.applets.find((a) => a.aidHex === SIM_AID)?.applet;
  if (!(sim instanceof SimApplet)) throw new Error(`no SIM applet installed under ${SIM_AID}`);
  return sim.files;
}

function records(files: FileContents, n: FsNode): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let r = 1; r <= n.ef!.records; r++) out.push(files.record(n, r));
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
  const offlineFiles = simFiles(offline);
  const blankFiles = simFiles(blank);
  for (const n of tree.nodes) {
    if (!n.ef || tree.isArr(n)) continue;
    const want = offlineFiles.content(n);
    const have = blankFiles.content(n);
    // Record 1 of a cyclic EF sits in another slot: the pointer moved, even if the bytes did not.
    const cyclicMoved = n.ef.structure === 'cyclic' && offlineFiles.slot(n, 1) !== blankFiles.slot(n, 1);
    if (equalBytes(want, have) && !cyclicMoved) continue;
    const cardOwned = n.name === 'EF_DIR' || SERVICE_TABLES.some((t) => t.path === n.path);
    const fromProfile = !cardOwned && !equalBytes(want, declaredDefault(n));
    if (n.ef.structure === 'transparent') writes.push({ node: n, content: want, fromProfile });
    else writes.push({ node: n, records: records(offlineFiles, n), fromProfile });
  }
  return { tree, writes };
}
