/**
 * A card's file tree as data (issue 13): what `cardforge image import` builds from a real card's
 * export (pySim-shell `export`, or `image dump` of a card in a reader) and what the card image keeps
 * in the SIM applet's params (`SimParams.tree`). Each node carries its raw FCP as the card returned
 * it — the FCP template '62…' of TS 102.221 §11.1.1.3, or for a classic SIM the TS 51.011 §9.2.1
 * GSM response — and everything else (structure, size, record length and count, SFI, life cycle,
 * security attributes) is read from those bytes by card/fs, so the FCP is the one source of truth.
 *
 * Contents are not part of the tree: they are personalization (`SimPersonalization.files`, keyed by
 * node path), written once into persistent memory at install. Node paths are the FIDs from the MF
 * joined by '/', upper case ('3F00/7F20/6F07'); an ADF's component is its full AID in hex
 * ('3F00/A0000000871002FFFFFFFF8907090000/6F07'), so two ADFs never share a path.
 */

export type FsNodeKind = 'MF' | 'DF' | 'ADF' | 'EF';

export interface FsNodeData {
  /** As the specs (and pySim) name it, '.' written '_': 'MF', 'DF_GSM', 'ADF_USIM', 'EF_IMSI'. */
  readonly name: string;
  readonly kind: FsNodeKind;
  /** 4 hex digits; an ADF has none (it is selected by AID; 7FFF aliases the current ADF). */
  readonly fid?: string;
  /** ADF only: the full AID, hex (the FCP's tag 84 when present). */
  readonly aid?: string;
  /** The raw FCP template or classic GSM response, hex. */
  readonly fcp: string;
  /** DFs, ADFs and the MF: what lies below (ADFs are children of the MF). */
  readonly children?: readonly FsNodeData[];
}

export const FS_TREE_FORMAT = 'cardforge.fs/1';

export interface FsTreeData {
  readonly format: typeof FS_TREE_FORMAT;
  /** 'uicc': FCP templates (a UICC export; the classic A0 view is derived); 'classic': GSM responses. */
  readonly flavour: 'uicc' | 'classic';
  readonly mf: FsNodeData;
}

/** File contents by node path: hex for a transparent EF, a list of hex records for a record EF. */
export type FsContents = { readonly [path: string]: string | readonly string[] };
