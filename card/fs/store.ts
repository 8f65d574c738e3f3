/**
 * File contents in persistent memory: one cell per EF (its data bytes), one status byte per file
 * (activated / invalidated, TS 51.011 §9.2.1 byte 12 and TS 102.221 §11.1.1.4.9 LCSI) and one
 * pointer byte per cyclic EF (the physical slot of record 1, the most recent). A cyclic write
 * moves the pointer and writes the slot in one transaction (the caller's, or its own), so a tear
 * never leaves the newest record pointing at stale data.
 */
import type { AppletContext, PBytes } from '../runtime/index.js';
import type { FileTree, FsNode } from './tree.js';

const ACTIVE = 0x05;
const INVALIDATED = 0x04;

/**
 * The file contents, read only, for host tools (the APDU personalizer compares a built card with
 * a blank one): what READ BINARY / READ RECORD serve, without their access checks. Only files:
 * keys and PINs are not files and are not reachable here. Files are named by path (FsNode.path,
 * or a node of another tree with the same layout); every read is a copy.
 */
export interface FileContents {
  readonly tree: FileTree;
  /** An EF's whole content in physical order (cyclic EFs: by slot, see slot()). */
  content(file: FsNode | string): Uint8Array;
  /** Logical record `rec` (1-based; cyclic record 1 is the newest). */
  record(file: FsNode | string, rec: number): Uint8Array;
  /** Physical slot (0-based) of logical record `rec`. */
  slot(file: FsNode | string, rec: number): number;
  isActive(file: FsNode | string): boolean;
}

export class FileStore {
  private readonly data: (PBytes | undefined)[] = [];
  private readonly status: PBytes;
  private readonly pointers: PBytes;

  constructor(private readonly ctx: AppletContext, readonly tree: FileTree) {
    const s = ctx.persistent.scope('fs');
    for (const n of tree.nodes) this.data.push(n.ef ? s.bytes(n.path, n.ef.size, new Uint8Array(n.ef.size).fill(0xff)) : undefined);
    this.status = s.bytes('.status', tree.nodes.length, new Uint8Array(tree.nodes.length).fill(ACTIVE));
    this.pointers = s.bytes('.cyclic', tree.nodes.length);
  }

  private cell(n: FsNode): PBytes {
    const c = this.data[n.index];
    if (c === undefined) throw new TypeError(`${n.name} is not an EF`);
    return c;
  }

  isActive(n: FsNode): boolean {
    return this.status.byte(n.index) !== INVALIDATED;
  }

  setActive(n: FsNode, on: boolean): void {
    this.status.setByte(n.index, on ? ACTIVE : INVALIDATED);
  }

  readBinary(n: FsNode, offset: number, length: number): Uint8Array {
    return this.cell(n).read(offset, length);
  }

  /** View of an EF's whole content (do not write through it). */
  view(n: FsNode): Uint8Array {
    return this.cell(n).view();
  }

  writeBinary(n: FsNode, offset: number, bytes: Uint8Array): void {
    this.cell(n).setAt(offset, bytes);
  }

  /** Physical slot (0-based) of logical record `rec` (1-based): cyclic record 1 is the newest. */
  slot(n: FsNode, rec: number): number {
    const ef = n.ef!;
    if (ef.structure !== 'cyclic') return rec - 1;
    return (this.pointers.byte(n.index) - (rec - 1) + ef.records * 2) % ef.records;
  }

  readRecord(n: FsNode, rec: number): Uint8Array {
    const len = n.ef!.recordLength;
    return this.cell(n).read(this.slot(n, rec) * len, len);
  }

  writeRecord(n: FsNode, rec: number, bytes: Uint8Array): void {
    this.cell(n).setAt(this.slot(n, rec) * n.ef!.recordLength, bytes);
  }

  /** Cyclic EF: the oldest record becomes record 1 with `bytes` (pointer and data in one transaction). */
  writeCyclic(n: FsNode, bytes: Uint8Array): void {
    const ef = n.ef!;
    const own = !this.ctx.inTransaction();
    if (own) this.ctx.beginTransaction();
    const next = (this.pointers.byte(n.index) + 1) % ef.records;
    this.pointers.setByte(n.index, next);
    this.cell(n).setAt(next * ef.recordLength, bytes);
    if (own) this.ctx.commitTransaction();
  }

  /** The read-only face of this store (FileContents). */
  contents(): FileContents {
    const node = (file: FsNode | string): FsNode => {
      const path = typeof file === 'string' ? file : file.path;
      const n = this.tree.byPath(path);
      if (n?.ef === undefined) throw new RangeError(`FileContents: "file" expected the path of an EF, got ${path}`);
      return n;
    };
    return Object.freeze({
      tree: this.tree,
      content: (f: FsNode | string) => this.view(node(f)).slice(),
      record: (f: FsNode | string, rec: number) => {
        const n = node(f);
        if (!Number.isInteger(rec) || rec < 1 || rec > n.ef!.records) throw new RangeError(`FileContents: "rec" expected 1..${n.ef!.records}, got ${rec}`);
        return this.readRecord(n, rec);
      },
      slot: (f: FsNode | string, rec: number) => this.slot(node(f), rec),
      isActive: (f: FsNode | string) => this.isActive(node(f)),
    });
  }

  /** Install-time: whole content, cyclic pointer reset so record 1 is the first given record. */
  initialise(n: FsNode, content: Uint8Array): void {
    const c = this.cell(n);
    const full = new Uint8Array(c.length).fill(0xff);
    full.set(content.subarray(0, c.length));
    c.set(full);
    if (n.ef!.structure === 'cyclic') this.pointers.setByte(n.index, 0);
  }
}
