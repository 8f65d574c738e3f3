/**
 * Card snapshots: everything a card holds — persistent cells and journal, transient cells,
 * channels, held response data, power, session facts, seeded RNG and virtual clock state, and the
 * registry of instances — copied out and written back (fuzzing and tests fork a card from one
 * state). Instances installed or deleted at run time (card/runtime/registry.ts) since the snapshot
 * are undone by restore: the instance objects and their cells are the snapshot's own (kept by
 * reference, their contents by copy), so an applet object restored keeps working on its cells.
 */
import type { SessionValue } from '../../apdu-specs/session-facts.js';
import type { ChannelState, Channels } from './channels.js';
import type { JournalEntry, PersistentMemory } from './memory.js';
import type { Responder } from './responder.js';
import type { Pending } from './response.js';
import { SeededRng, VirtualClock, type Clock, type Rng } from './rng.js';
import type { SessionState } from './session.js';
import type { TransientCell, TransientMemory } from './transient.js';
import type { InstalledApplet } from './channels.js';

export interface CardSnapshot {
  readonly persistent: ReadonlyMap<string, Uint8Array>;
  readonly journal: readonly JournalEntry[] | null;
  readonly transient: ReadonlyMap<string, Uint8Array>;
  readonly channels: readonly ChannelState[];
  readonly pending: Pending | null;
  readonly powered: boolean;
  /** Session facts by SessionFact.key. */
  readonly session: ReadonlyMap<string, SessionValue>;
  readonly rng?: [Uint8Array, Uint8Array];
  readonly clock?: number;
  /** The registry's instances, in order (the same objects). */
  readonly instances?: readonly InstalledApplet[];
  /** The memory the snapshot was taken from and its cells and transient cells by reference. */
  readonly origin?: {
    readonly memory: PersistentMemory;
    readonly cells: ReadonlyMap<string, Uint8Array>;
    readonly transient: ReadonlyMap<string, TransientCell>;
  };
}

/** The parts of a card a snapshot covers (power is the Card's own). */
export interface SnapshotParts {
  readonly memory: PersistentMemory;
  readonly transient: TransientMemory;
  readonly channels: Channels;
  readonly responder: Responder;
  readonly session: SessionState;
  readonly rng: Rng;
  readonly clock: Clock;
  /** The card's instance list (mutated in place: channels hold the same array). */
  readonly installed: InstalledApplet[];
}

export function takeSnapshot(p: SnapshotParts, powered: boolean): CardSnapshot {
  const persistent = new Map<string, Uint8Array>();
  for (const [k, v] of p.memory.cells) persistent.set(k, v.slice());
  const transient = new Map<string, Uint8Array>();
  for (const [k, v] of p.transient.cells) transient.set(k, v.data.slice());
  const j = p.memory.journalEntries();
  const pending = p.responder.pending;
  return {
    persistent,
    journal: j === null ? null : j.map((e) => ({ key: e.key, offset: e.offset, before: e.before.slice() })),
    transient,
    channels: p.channels.state.slice(),
    pending: pending === null ? null : { ...pending, data: pending.data.slice() },
    powered,
    session: new Map(p.session.map),
    ...(p.rng instanceof SeededRng ? { rng: p.rng.save() } : {}),
    ...(p.clock instanceof VirtualClock ? { clock: p.clock.now() } : {}),
    instances: p.installed.slice(),
    origin: { memory: p.memory, cells: new Map(p.memory.cells), transient: new Map(p.transient.cells) },
  };
}

/**
 * The same card: make its instances and its cells the snapshot's again (instances installed since
 * go with their cells; deleted ones come back with theirs).
 */
function restoreRegistry(p: SnapshotParts, s: CardSnapshot): void {
  const o = s.origin;
  if (o === undefined || o.memory !== p.memory || s.instances === undefined) return;
  p.installed.splice(0, p.installed.length, ...s.instances);
  for (const key of [...p.memory.cells.keys()]) if (!o.cells.has(key)) p.memory.cells.delete(key);
  for (const [key, cell] of o.cells) if (p.memory.cells.get(key) !== cell) p.memory.cells.set(key, cell);
  for (const key of [...p.transient.cells.keys()]) if (!o.transient.has(key)) p.transient.cells.delete(key);
  for (const [key, cell] of o.transient) if (p.transient.cells.get(key) !== cell) p.transient.cells.set(key, cell);
}

/** Write a snapshot back (all but power, which the caller sets from s.powered). */
export function restoreSnapshot(p: SnapshotParts, s: CardSnapshot): void {
  restoreRegistry(p, s);
  for (const [k, v] of s.persistent) {
    const cell = p.memory.cells.get(k);
    if (!cell || cell.length !== v.length) throw new Error(`snapshot does not fit this card (cell ${k})`);
    cell.set(v);
  }
  for (const [k, v] of s.transient) p.transient.cells.get(k)?.data.set(v);
  p.memory.restoreJournal(s.journal);
  p.memory.clearTear();
  p.memory.disarmTear();
  p.memory.generation++;
  p.channels.state = s.channels.slice();
  p.responder.pending = s.pending === null ? null : { ...s.pending, data: s.pending.data.slice() };
  p.session.map.clear();
  for (const [k, v] of s.session) p.session.map.set(k, v);
  if (s.rng && p.rng instanceof SeededRng) p.rng.load(s.rng);
  if (s.clock !== undefined && p.clock instanceof VirtualClock) p.clock.set(s.clock);
}
