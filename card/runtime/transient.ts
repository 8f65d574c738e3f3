/**
 * Transient memory (Java Card JCSystem.makeTransient*): RAM that is cleared on reset
 * (CLEAR_ON_RESET) or whenever its owner applet is deselected (CLEAR_ON_DESELECT).
 * Writes are plain and never journalled: transactions do not cover RAM.
 */

export type ClearEvent = 'reset' | 'deselect';

export interface TransientCell {
  readonly data: Uint8Array;
  readonly clear: ClearEvent;
  readonly owner: string;
}

export class TransientMemory {
  readonly cells = new Map<string, TransientCell>();

  allocate(owner: string, name: string, length: number, clear: ClearEvent): Uint8Array {
    const key = `${owner}/${name}`;
    if (this.cells.has(key)) throw new Error(`transient cell "${key}" allocated twice`);
    const data = new Uint8Array(length);
    this.cells.set(key, { data, clear, owner });
    return data;
  }

  /** Power-up or reset: every transient array is zeroed. */
  clearAll(): void {
    for (const c of this.cells.values()) c.data.fill(0);
  }

  /** The owner was deselected (and is not active on another channel). */
  clearOnDeselect(owner: string): void {
    for (const c of this.cells.values()) if (c.owner === owner && c.clear === 'deselect') c.data.fill(0);
  }
}

/** Allocation of transient arrays under one owner. */
export class TransientStore {
  constructor(private readonly mem: TransientMemory, private readonly owner: string) {}
  bytes(name: string, length: number, clear: ClearEvent = 'reset'): Uint8Array {
    return this.mem.allocate(this.owner, name, length, clear);
  }
  /** A boolean flag, index 0 of a 1-byte array. */
  flag(name: string, clear: ClearEvent = 'reset'): TransientFlag {
    return new TransientFlag(this.mem.allocate(this.owner, name, 1, clear));
  }
}

export class TransientFlag {
  constructor(private readonly cell: Uint8Array) {}
  get(): boolean {
    return this.cell[0] === 1;
  }
  set(v: boolean): void {
    this.cell[0] = v ? 1 : 0;
  }
}
