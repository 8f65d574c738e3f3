/**
 * Persistent memory with Java Card semantics (JC 3 RE spec §7 "Atomicity and Transactions"):
 * - every write of a cell range is atomic;
 * - writes between begin() and commit() are all-or-nothing: the before-image of each write is
 *   journalled, abort() (or a power-up after a tear) restores them in reverse order;
 * - nested begin() is an error; commit()/abort() without begin() is an error;
 * - NON-ATOMIC writes (writeNonAtomic, used for PIN try counters as JC's OwnerPIN does) are never
 *   journalled: they survive an abort. Use them only where rolling back would be a security hole.
 * Every write is counted so a test can cut the power right after the n-th one (tearAfterWrites);
 * a commit counts as one write (the commit record), so "new values, response lost" is a tear point.
 * The journal is part of the persistent state: an image saved mid-transaction rolls back on load.
 */
import { PowerLoss, TransactionError } from './errors.js';

export interface JournalEntry {
  readonly key: string;
  readonly offset: number;
  readonly before: Uint8Array;
}

export class PersistentMemory {
  /** Backing storage by key; handles keep references to these arrays, never replace them. */
  readonly cells = new Map<string, Uint8Array>();
  private journal: JournalEntry[] | null = null;
  /** Writes since the tear was armed. */
  private tearCountdown = 0;
  /** Total counted writes since creation (for statistics and tear reporting). */
  writeCount = 0;
  /**
   * Bumped on every persistent change that is durable now (write outside a transaction, commit,
   * non-atomic write), on a rollback that undoes entries, when a journal is restored, and by
   * whoever rewrites cells without write() (snapshot restore, image load). Together with
   * journalLength it names the cells' contents: while both are unchanged no cell has changed,
   * because inside a transaction every write() grows the journal. Caches of values derived from
   * cells (the USIM's SQN_MS, issue 20) rely on this: a path that changes a cell in place
   * without going through this class must bump it.
   */
  generation = 0;
  /** Set when an injected tear fired; every write fails until clearTear() (power-on). */
  torn = false;
  /** Writes counted in the command that tore. */
  tornAfter = 0;
  private commandWrites = 0;

  allocate(key: string, length: number, initial?: Uint8Array): Uint8Array {
    if (this.cells.has(key)) throw new Error(`persistent cell "${key}" allocated twice`);
    if (!Number.isInteger(length) || length < 0 || length > 0x10000) throw new RangeError(`"length" expected 0..65536, got ${length}`);
    const cell = new Uint8Array(length);
    if (initial) cell.set(initial.subarray(0, length));
    this.cells.set(key, cell);
    return cell;
  }

  get inTransaction(): boolean {
    return this.journal !== null;
  }

  /** The open transaction's journal (for images and snapshots). */
  journalEntries(): readonly JournalEntry[] | null {
    return this.journal;
  }

  /** Entries in the open transaction's journal, -1 without one (see generation). */
  get journalLength(): number {
    return this.journal === null ? -1 : this.journal.length;
  }

  restoreJournal(entries: readonly JournalEntry[] | null): void {
    this.journal = entries === null ? null : entries.map((e) => ({ key: e.key, offset: e.offset, before: e.before.slice() }));
    this.generation++;
  }

  /** Atomic write of src into cell at offset (journalled inside a transaction). */
  write(cell: Uint8Array, key: string, offset: number, src: Uint8Array): void {
    this.beforeWrite();
    if (offset < 0 || offset + src.length > cell.length) {
      throw new RangeError(`persistent write to "${key}": offset ${offset} + ${src.length} bytes exceeds its ${cell.length} bytes`);
    }
    if (this.journal !== null) this.journal.push({ key, offset, before: cell.slice(offset, offset + src.length) });
    else this.generation++;
    cell.set(src, offset);
    this.afterWrite();
  }

  /** Single-byte atomic write (fast path for counters and flags). */
  writeByte(cell: Uint8Array, key: string, offset: number, value: number): void {
    this.beforeWrite();
    if (offset < 0 || offset >= cell.length) throw new RangeError(`persistent write to "${key}": offset ${offset} outside its ${cell.length} bytes`);
    if (this.journal !== null) this.journal.push({ key, offset, before: cell.slice(offset, offset + 1) });
    else this.generation++;
    cell[offset] = value;
    this.afterWrite();
  }

  /** Write that is never journalled: it stays even if the open transaction aborts. */
  writeNonAtomic(cell: Uint8Array, key: string, offset: number, src: Uint8Array): void {
    this.beforeWrite();
    if (offset < 0 || offset + src.length > cell.length) {
      throw new RangeError(`persistent write to "${key}": offset ${offset} + ${src.length} bytes exceeds its ${cell.length} bytes`);
    }
    this.generation++;
    cell.set(src, offset);
    this.afterWrite();
  }

  begin(): void {
    if (this.torn) throw new PowerLoss();
    if (this.journal !== null) throw new TransactionError('transaction already in progress (nested begin)');
    this.journal = [];
  }

  commit(): void {
    if (this.journal === null) throw new TransactionError('commit without a transaction in progress');
    this.beforeWrite();
    this.journal = null;
    this.generation++;
    this.afterWrite();
  }

  abort(): void {
    if (this.journal === null) throw new TransactionError('abort without a transaction in progress');
    this.rollback();
  }

  /** Undo the open transaction, if any (abort, or power-up after a tear). */
  rollback(): boolean {
    const j = this.journal;
    if (j === null) return false;
    for (let i = j.length - 1; i >= 0; i--) {
      const e = j[i]!;
      this.cells.get(e.key)!.set(e.before, e.offset);
    }
    this.journal = null;
    if (j.length) this.generation++;
    return true;
  }

  /** Arm a tear: power is cut right after the n-th counted write from now (n >= 1). */
  armTear(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`tearAfterWrites: "n" expected an integer >= 1, got ${n}`);
    this.tearCountdown = n;
  }

  disarmTear(): void {
    this.tearCountdown = 0;
  }

  get tearArmed(): boolean {
    return this.tearCountdown > 0;
  }

  /** Start counting the writes of one command. */
  startCommand(): void {
    this.commandWrites = 0;
  }

  get writesInCommand(): number {
    return this.commandWrites;
  }

  clearTear(): void {
    this.torn = false;
  }

  private beforeWrite(): void {
    if (this.torn) throw new PowerLoss();
  }

  private afterWrite(): void {
    this.writeCount++;
    this.commandWrites++;
    if (this.tearCountdown > 0 && --this.tearCountdown === 0) {
      this.torn = true;
      this.tornAfter = this.commandWrites;
      throw new PowerLoss();
    }
  }
}
