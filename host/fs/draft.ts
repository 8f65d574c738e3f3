/**
 * The tree while an import builds it: mutable nodes that know their path and FCP facts, turned
 * into card/fs's read-only FsNodeData once the export has been read and the phonebook completed.
 */
import type { FsNodeData, FsNodeKind } from '../../card/fs/index.js';
import type { FcpFacts } from './fcp.js';

export interface DraftNode {
  readonly name: string;
  readonly kind: FsNodeKind;
  readonly fid?: string;
  readonly aid?: string;
  /** Raw FCP / GSM response, lower-case hex as the card sent it. */
  readonly fcp: string;
  readonly facts: FcpFacts;
  /** card/fs node path: FIDs from the MF, an ADF as its full AID, upper case, joined by '/'. */
  readonly path: string;
  readonly children: DraftNode[];
  /** Where the node came from: the export line of its FCP, or 0 when synthesized. */
  readonly line: number;
}

/** Contents by node path while building: hex, or records (undefined = not in the export). */
export type DraftContents = Map<string, string | (string | undefined)[]>;

export function toNodeData(n: DraftNode): FsNodeData {
  return {
    name: n.name,
    kind: n.kind,
    ...(n.kind !== 'ADF' && n.fid !== undefined ? { fid: n.fid } : {}),
    ...(n.aid !== undefined ? { aid: n.aid } : {}),
    fcp: n.fcp,
    ...(n.kind !== 'EF' ? { children: n.children.map(toNodeData) } : {}),
  };
}

export function* walk(n: DraftNode): Generator<DraftNode> {
  yield n;
  for (const c of n.children) yield* walk(c);
}
