/**
 * Card snapshots: everything a card holds — persistent cells and journal, transient cells,
 * channels, held response data, power, session facts, seeded RNG and virtual clock state — copied
 * out and written back (fuzzing and tests fork a card from one state).
 */
import type { SessionValue } from '../../apdu-specs/session-facts.js';
import type { ChannelState, Channels } from './channels.js';
import type { JournalEntry, PersistentMemory } from './memory.js';
import type { Responder } from './responder.js';
import type { Pending } from './response.js';
import { SeededRng, VirtualClock, type Clock, type Rng } from './rng.js';
import type { SessionState } from './session.js';
import type { TransientMemory } from './transient.js';

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
  };
}

/** Write a snapshot back (all but power, which the caller sets from s.powered). */
export function restoreSnapshot(p: SnapshotParts, s: CardSnapshot): void {
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
