/**
 * Typed handles over persistent memory, so applet code reads like fields:
 *   this.balance = store.u32('balance');  this.balance.set(this.balance.get() - price);
 * Each set() is one atomic write. Keys are namespaced per applet instance by the runtime.
 */
import type { PersistentMemory } from './memory.js';
import { SW } from '../../apdu-specs/status-words.js';
import { CardError } from './errors.js';
import { readU16, readU32, readU48, writeU16 } from './bytes.js';

export class PBytes {
  constructor(private readonly mem: PersistentMemory, readonly key: string, private readonly cell: Uint8Array) {}
  get length(): number {
    return this.cell.length;
  }
  /** Read-only view of the stored bytes: do not write through it (that would bypass the journal). */
  view(): Uint8Array {
    return this.cell;
  }
  get(): Uint8Array {
    return this.cell.slice();
  }
  /** The memory's generation (PersistentMemory.generation): with journalLength, unchanged means this cell is unchanged. */
  get generation(): number {
    return this.mem.generation;
  }
  /** The open journal's length, -1 without a transaction (PersistentMemory.journalLength). */
  get journalLength(): number {
    return this.mem.journalLength;
  }
  byte(i: number): number {
    return this.cell[i]!;
  }
  read(offset: number, length: number): Uint8Array {
    return this.cell.slice(offset, offset + length);
  }
  set(value: Uint8Array): void {
    if (value.length !== this.cell.length) throw new RangeError(`"${this.key}" expected ${this.cell.length} bytes, got ${value.length}`);
    this.mem.write(this.cell, this.key, 0, value);
  }
  setAt(offset: number, value: Uint8Array): void {
    this.mem.write(this.cell, this.key, offset, value);
  }
  setByte(offset: number, value: number): void {
    this.mem.writeByte(this.cell, this.key, offset, value);
  }
  /** Not journalled: survives an abort. See PersistentMemory.writeNonAtomic. */
  setNonAtomic(offset: number, value: Uint8Array): void {
    this.mem.writeNonAtomic(this.cell, this.key, offset, value);
  }
}

abstract class PInt {
  protected readonly scratch: Uint8Array;
  constructor(protected readonly mem: PersistentMemory, readonly key: string, protected readonly cell: Uint8Array) {
    this.scratch = new Uint8Array(cell.length);
  }
  abstract get(): number;
  protected abstract max: number;
  set(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > this.max) throw new RangeError(`"${this.key}" expected 0..${this.max}, got ${value}`);
    const s = this.scratch;
    for (let i = s.length - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) s[i] = v & 0xff;
    this.mem.write(this.cell, this.key, 0, s);
  }
  /** Not journalled: survives an abort (PIN try counters). */
  setNonAtomic(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > this.max) throw new RangeError(`"${this.key}" expected 0..${this.max}, got ${value}`);
    const s = this.scratch;
    for (let i = s.length - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) s[i] = v & 0xff;
    this.mem.writeNonAtomic(this.cell, this.key, 0, s);
  }
}

export class PU8 extends PInt {
  protected max = 0xff;
  get(): number {
    return this.cell[0]!;
  }
  override set(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`"${this.key}" expected 0..255, got ${value}`);
    this.mem.writeByte(this.cell, this.key, 0, value);
  }
}
export class PU16 extends PInt {
  protected max = 0xffff;
  get(): number {
    return readU16(this.cell);
  }
}
export class PU32 extends PInt {
  protected max = 0xffffffff;
  get(): number {
    return readU32(this.cell);
  }
}
/** 48-bit unsigned (e.g. SQN); safe in a JS number. */
export class PU48 extends PInt {
  protected max = 0xffffffffffff;
  get(): number {
    return readU48(this.cell);
  }
}

export class PBool {
  constructor(private readonly mem: PersistentMemory, readonly key: string, private readonly cell: Uint8Array) {}
  get(): boolean {
    return this.cell[0] === 1;
  }
  set(value: boolean): void {
    this.mem.writeByte(this.cell, this.key, 0, value ? 1 : 0);
  }
}

/** Variable-length bytes up to a maximum: 2-byte length then the value, written in one atomic write. */
export class PVarBytes {
  constructor(private readonly mem: PersistentMemory, readonly key: string, private readonly cell: Uint8Array) {}
  get maxLength(): number {
    return this.cell.length - 2;
  }
  get length(): number {
    return readU16(this.cell);
  }
  get(): Uint8Array {
    return this.cell.slice(2, 2 + this.length);
  }
  set(value: Uint8Array): void {
    if (value.length > this.maxLength) throw new CardError(SW.NOT_ENOUGH_MEMORY, `"${this.key}" holds at most ${this.maxLength} bytes, got ${value.length}`);
    const buf = new Uint8Array(2 + value.length);
    writeU16(buf, 0, value.length);
    buf.set(value, 2);
    this.mem.write(this.cell, this.key, 0, buf);
  }
}

/** Allocation of typed persistent fields under one owner's namespace. */
export class PersistentStore {
  constructor(private readonly mem: PersistentMemory, private readonly prefix: string) {}
  private key(name: string): string {
    return `${this.prefix}/${name}`;
  }
  bytes(name: string, length: number, initial?: Uint8Array): PBytes {
    const k = this.key(name);
    return new PBytes(this.mem, k, this.mem.allocate(k, length, initial));
  }
  u8(name: string): PU8 {
    const k = this.key(name);
    return new PU8(this.mem, k, this.mem.allocate(k, 1));
  }
  u16(name: string): PU16 {
    const k = this.key(name);
    return new PU16(this.mem, k, this.mem.allocate(k, 2));
  }
  u32(name: string): PU32 {
    const k = this.key(name);
    return new PU32(this.mem, k, this.mem.allocate(k, 4));
  }
  u48(name: string): PU48 {
    const k = this.key(name);
    return new PU48(this.mem, k, this.mem.allocate(k, 6));
  }
  bool(name: string): PBool {
    const k = this.key(name);
    return new PBool(this.mem, k, this.mem.allocate(k, 1));
  }
  varBytes(name: string, maxLength: number): PVarBytes {
    const k = this.key(name);
    return new PVarBytes(this.mem, k, this.mem.allocate(k, maxLength + 2));
  }
  /** A sub-namespace (e.g. one per PIN). */
  scope(name: string): PersistentStore {
    return new PersistentStore(this.mem, this.key(name));
  }
}
