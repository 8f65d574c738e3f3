/**
 * The registry of applet instances and CardManager (card/runtime/registry.ts, issue 21): run-time
 * install / delete / life cycle through a privileged test "manager" applet, every refusal changing
 * nothing, selection by life cycle, images and snapshots carrying the registry, and tear sweeps
 * over every persistent write of install, delete and set-life-cycle (the old or the new registry,
 * never half an instance).
 */
import { describe, expect, it } from 'vitest';
import { cla, type CommandSpec } from '../../apdu-specs/types.js';
import { parseImage, serializeImage, imageDigest, ImageError } from '../../card/image/index.js';
import { APPLET_REGISTRY, LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import {
  Applet,
  Card,
  CardError,
  CardManagerError,
  CommandTable,
  LIFE_CYCLE,
  bytesToHex,
  hexToBytes,
  isLifeCycle,
  isSelectableLifeCycle,
  tearSweep,
  type AppletContext,
  type CardManager,
  type CommandApdu,
  type PU8,
  type Reply,
} from '../../card/runtime/index.js';
import { TEST_AID, TestApplet, selectHex, tx } from '../helpers/test-applets.js';

const C00 = cla('0X', 0x00, 0xff);
const C80 = cla('8X', 0x80, 0xff);
const REF = 'test';
const MANAGER_AID = 'a000000999aa0001';
const NEW_AID = 'a000000999bb0001';
/** Security Domain (byte 1 b8) + Authorized Management (byte 2 b7). */
const CM_PRIVILEGES = '804000';

/** Classes the card may instantiate at run time, by index in INSTALL's data. */
const TYPES = [TestApplet.type, 'test.throws-in-constructor', 'test.throws-in-install', 'test.leaves-transaction-open', LoopbackApplet.type, 'test.transactional-install', 'test.personalizable'];

const MANAGER_COMMANDS: readonly CommandSpec[] = [
  { name: 'INSTALL', cla: C80, ins: 0xe6, cases: [3], description: 'type index ‖ life cycle ‖ privileges (3) ‖ AID; P1=01: inside an open transaction', ref: REF },
  { name: 'DELETE', cla: C80, ins: 0xe4, cases: [3], description: 'AID', ref: REF },
  { name: 'DELETE_ALL', cla: C80, ins: 0xe2, cases: [3], description: '(AID length ‖ AID)…, deleted in one step', ref: REF },
  { name: 'STORE', cla: C80, ins: 0xe8, cases: [3, 4], description: 'AID length ‖ AID ‖ data for its processData', ref: REF },
  { name: 'SET_STATUS', cla: C80, ins: 0xf0, cases: [3], description: 'P2 = life cycle; data = AID', ref: REF },
  { name: 'LIST', cla: C80, ins: 0xf2, cases: [2], description: 'per entry: AID length ‖ AID ‖ life cycle ‖ privileges', ref: REF },
  // Speaks the interindustry class, so a SELECT of an AID no selectable instance has answers 6A82 (not 6E00).
  { name: 'NOP', cla: C00, ins: 0x10, cases: [1], description: 'nothing', ref: REF },
];

/** A security-domain stand-in: drives ctx.cardManager from commands, answers its refusals' SWs. */
class ManagerApplet extends Applet {
  static readonly type = 'test.manager';
  readonly commands = new CommandTable(MANAGER_COMMANDS, {
    INSTALL: (a) => this.install_(a),
    DELETE: (a) => {
      this.manager().delete(a.data.slice());
      return {};
    },
    DELETE_ALL: (a) => {
      const aids: Uint8Array[] = [];
      for (let i = 0; i < a.data.length; i += 1 + a.data[i]!) aids.push(a.data.slice(i + 1, i + 1 + a.data[i]!));
      this.manager().deleteAll(aids);
      return {};
    },
    STORE: (a) => {
      const n = a.data[0]!;
      return { data: this.manager().processData(a.data.slice(1, 1 + n), a.data.slice(1 + n)) };
    },
    SET_STATUS: (a) => {
      this.manager().setLifeCycle(a.data.slice(), a.p2);
      return {};
    },
    NOP: () => ({}),
    LIST: () => {
      const parts = this.manager()
        .instances()
        .flatMap((e) => [e.aid.length, ...e.aid, e.lifeCycle, ...e.privileges]);
      return { data: Uint8Array.from(parts) };
    },
  });

  private manager(): CardManager {
    const m = this.ctx.cardManager;
    if (!m) throw new CardError(0x6982, 'no card manager privilege');
    return m;
  }

  private install_(a: CommandApdu): Reply {
    const d = a.data;
    if (a.p1 === 0x01) this.ctx.beginTransaction();
    const e = this.manager().install({
      type: TYPES[d[0]!] ?? `unknown-${d[0]}`,
      lifeCycle: d[1]!,
      privileges: d.slice(2, 5),
      aid: d.slice(5),
      personalization: {},
    });
    if (e.lifeCycle !== d[1]) throw new CardError(0x6f00, 'the entry does not have the life cycle asked for');
    return {};
  }
}

/** Reports whether its context holds a CardManager (for the privilege rule). */
class ProbeApplet extends Applet {
  static readonly type = 'test.probe';
  readonly commands = new CommandTable([], {});
  constructor(readonly context: AppletContext) {
    super(context);
  }
}

class ThrowsInConstructor extends Applet {
  static readonly type = 'test.throws-in-constructor';
  readonly commands = new CommandTable([], {});
  constructor(ctx: AppletContext) {
    super(ctx);
    ctx.persistent.u8('allocated-before-the-throw');
    throw new CardError(0x6a80, 'bad install parameters');
  }
}

class ThrowsInInstall extends Applet {
  static readonly type = 'test.throws-in-install';
  readonly commands = new CommandTable([], {});
  private readonly v: PU8;
  constructor(ctx: AppletContext) {
    super(ctx);
    this.v = ctx.persistent.u8('v');
    ctx.transient.bytes('ram', 4);
  }
  override install(): void {
    this.v.set(7);
    throw new CardError(0x6a84, 'no room for the personalization');
  }
}

class LeavesTransactionOpen extends Applet {
  static readonly type = 'test.leaves-transaction-open';
  readonly commands = new CommandTable([], {});
  private readonly v: PU8;
  constructor(ctx: AppletContext) {
    super(ctx);
    this.v = ctx.persistent.u8('v');
  }
  override install(): void {
    this.ctx.beginTransaction();
    this.v.set(9);
  }
}

/** Personalizes three fields in one transaction. */
class TransactionalInstall extends Applet {
  static readonly type = 'test.transactional-install';
  readonly commands = new CommandTable([], {});
  private readonly f: PU8[];
  constructor(ctx: AppletContext) {
    super(ctx);
    this.f = ['x', 'y', 'z'].map((n) => ctx.persistent.u8(n));
  }
  override install(): void {
    this.ctx.beginTransaction();
    this.f.forEach((f, i) => f.set(0x10 + i));
    this.ctx.commitTransaction();
  }
}

/** Takes personalization data from its security domain: 3 bytes into x, y, z in one transaction; 'ff…' fails after two writes. */
class Personalizable extends Applet {
  static readonly type = 'test.personalizable';
  readonly commands = new CommandTable([], {});
  private readonly f: PU8[];
  constructor(ctx: AppletContext) {
    super(ctx);
    this.f = ['x', 'y', 'z'].map((n) => ctx.persistent.u8(n));
  }
  override processData(data: Uint8Array): Uint8Array {
    if (data.length !== 3) throw new CardError(0x6a80, 'expected 3 bytes');
    this.ctx.beginTransaction();
    this.f[0]!.set(data[0]!);
    this.f[1]!.set(data[1]!);
    if (data[0] === 0xff) throw new CardError(0x6a84, 'refused after two writes');
    this.f[2]!.set(data[2]!);
    this.ctx.commitTransaction();
    return Uint8Array.of(...this.f.map((f) => f.get()));
  }
}

const CLASSES = new Map<string, never>(
  [Personalizable, TestApplet, ThrowsInConstructor, ThrowsInInstall, LeavesTransactionOpen, LoopbackApplet, TransactionalInstall, ManagerApplet, ProbeApplet].map((c) => [c.type, c as never]),
);
const IMAGE_REGISTRY = new Map([...APPLET_REGISTRY, ...CLASSES]);

function managedCard(): Card {
  const card = new Card({ appletClasses: CLASSES });
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  card.install(ManagerApplet, { aid: MANAGER_AID, privileges: CM_PRIVILEGES });
  card.install(TestApplet, { aid: TEST_AID });
  card.powerOn();
  expect(tx(card, selectHex(MANAGER_AID))).toBe('9000');
  return card;
}

const installHex = (typeIndex: number, aid: string, lifeCycle = 0x07, privileges = '000000', p1 = 0): string => {
  const data = `${typeIndex.toString(16).padStart(2, '0')}${lifeCycle.toString(16).padStart(2, '0')}${privileges}${aid}`;
  return `80e6${p1.toString(16).padStart(2, '0')}00${(data.length / 2).toString(16).padStart(2, '0')}${data}`;
};
const deleteAllHex = (...aids: string[]): string => {
  const data = aids.map((a) => `${(a.length / 2).toString(16).padStart(2, '0')}${a}`).join('');
  return `80e20000${(data.length / 2).toString(16).padStart(2, '0')}${data}`;
};
const storeHex = (aid: string, data: string): string => {
  const body = `${(aid.length / 2).toString(16).padStart(2, '0')}${aid}${data}`;
  return `80e80000${(body.length / 2).toString(16).padStart(2, '0')}${body}00`;
};
const deleteHex = (aid: string): string => `80e40000${(aid.length / 2).toString(16).padStart(2, '0')}${aid}`;
const setStatusHex = (aid: string, lc: number): string => `80f000${lc.toString(16).padStart(2, '0')}${(aid.length / 2).toString(16).padStart(2, '0')}${aid}`;

/** Everything persistent the card holds, as text (cells by key, the instance list): "changed nothing" compares this. */
function stateOf(card: Card): string {
  const cells = [...card.memory.cells.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${bytesToHex(v)}`);
  return JSON.stringify({ applets: card.applets.map((a) => a.aidHex), cells, transient: [...card.transient.cells.keys()].sort() });
}

describe('CardManager: who gets it', () => {
  it('only an instance with Security Domain + Authorized Management privileges', () => {
    const card = new Card({ appletClasses: CLASSES });
    const probe = (aid: string, privileges?: string): CardManager | undefined => {
      const inst = card.instantiate(ProbeApplet as never, { aid, ...(privileges !== undefined ? { privileges } : {}) });
      return (inst.applet as ProbeApplet).context.cardManager;
    };
    expect(probe('a000000999cc0001')).toBeUndefined();
    expect(probe('a000000999cc0002', '800000')).toBeUndefined(); // a security domain without AM
    expect(probe('a000000999cc0003', '004000')).toBeUndefined(); // AM without being a security domain
    const m = probe('a000000999cc0004', '9e4000');
    expect(m).toBeDefined();
    expect(m!.instances().map((e) => [e.aidHex, e.lifeCycle, bytesToHex(e.privileges)])).toEqual([
      ['a000000999cc0001', 7, '000000'],
      ['a000000999cc0002', 7, '800000'],
      ['a000000999cc0003', 7, '004000'],
      ['a000000999cc0004', 7, '9e4000'],
    ]);
    expect(m!.loadFiles().map((f) => f.type).sort()).toEqual([...CLASSES.keys()].sort());
  });

  it('a card-manager command without the privilege answers the applet\'s refusal', () => {
    const card = new Card({ appletClasses: CLASSES });
    card.install(ManagerApplet, { aid: MANAGER_AID });
    card.powerOn();
    tx(card, selectHex(MANAGER_AID));
    expect(tx(card, '80f2000000')).toBe('6982');
  });

  it('rejects privileges and life cycles that are not GP codings when an instance is created', () => {
    const card = new Card();
    expect(() => card.instantiate(ProbeApplet as never, { aid: 'a000000999cc0001', privileges: '80' })).toThrow(/"privileges" expected 3 bytes as 6 hex digits/);
    expect(() => card.instantiate(ProbeApplet as never, { aid: 'a000000999cc0001', lifeCycle: 0x0b })).toThrow(/"lifeCycle" expected a GlobalPlatform life cycle coding/);
    expect(card.applets).toHaveLength(0);
    expect(card.memory.cells.size).toBe(0);
  });
});

describe('instances created by the host', () => {
  it('a constructor that refuses leaves no cell behind, and the AID stays free', () => {
    const card = new Card();
    expect(() => card.install(ThrowsInConstructor as never, { aid: NEW_AID })).toThrow(/bad install parameters/);
    expect(card.memory.cells.size).toBe(0);
    expect(card.applets).toHaveLength(0);
    card.install(TestApplet, { aid: NEW_AID, privileges: hexToBytes('800000'), lifeCycle: 0x0f });
    expect(card.registryOf(NEW_AID)).toEqual({ lifeCycle: 0x0f, privileges: hexToBytes('800000') });
  });
});

describe('life cycle codings (GP CS 2.3.1 Tables 11-4, 11-5)', () => {
  it('accepts INSTALLED, SELECTABLE, application states, PERSONALIZED and LOCKED from each; nothing else', () => {
    for (const v of [0x03, 0x07, 0x0f, 0x17, 0x7f, 0x83, 0x87, 0x8f]) expect(isLifeCycle(v), v.toString(16)).toBe(true);
    for (const v of [0x00, 0x01, 0x05, 0x0b, 0x13, 0x80, 0xff + 1, -1]) expect(isLifeCycle(v), v.toString(16)).toBe(false);
    expect([0x03, 0x07, 0x0f, 0x83, 0x87].map(isSelectableLifeCycle)).toEqual([false, true, true, false, false]);
  });
});

describe('run-time install', () => {
  it('creates, personalizes and commits an instance that selects and works, in the registry and the image', () => {
    const card = managedCard();
    expect(tx(card, installHex(0, NEW_AID))).toBe('9000');
    expect(card.applets.map((a) => a.aidHex)).toContain(NEW_AID);
    expect(card.registryOf(NEW_AID)).toEqual({ lifeCycle: 7, privileges: new Uint8Array(3) });
    // install() ran: the PIN is personalized.
    expect(tx(card, `${selectHex(NEW_AID, 0)}00`)).toBe('6f038401019000');
    expect(tx(card, '002000000431323334')).toBe('9000');
    expect(tx(card, '8032000004a1a2a3a4')).toBe('9000');
    expect(tx(card, '8034000004')).toBe('a1a2a3a49000');
    // The image carries it and its fields; a loaded card has the same registry and contents.
    const text = serializeImage(card);
    const back = parseImage(text, { registry: IMAGE_REGISTRY });
    expect(serializeImage(back)).toBe(text);
    back.powerOn();
    expect(tx(back, `${selectHex(NEW_AID)}00`)).toBe('6f038401019000');
    expect(tx(back, '8034000004')).toBe('a1a2a3a49000');
  });

  it('[for install] without make selectable: INSTALLED is in the registry but not selectable', () => {
    const card = managedCard();
    expect(tx(card, installHex(0, NEW_AID, 0x03))).toBe('9000');
    expect(tx(card, selectHex(NEW_AID, 0))).toBe('6a82');
    tx(card, selectHex(MANAGER_AID));
    expect(tx(card, setStatusHex(NEW_AID, 0x07))).toBe('9000');
    expect(tx(card, `${selectHex(NEW_AID, 0)}00`)).toBe('6f038401019000');
  });

  it('refusals change nothing and say why', () => {
    const card = managedCard();
    const before = stateOf(card);
    const image = serializeImage(card);
    const cases: [string, string][] = [
      [installHex(9, NEW_AID), '6a88'], // no such class
      [installHex(0, TEST_AID), '6a80'], // AID taken
      [installHex(0, 'a0000009'), '6a80'], // AID too short
      [installHex(0, NEW_AID, 0x87), '6a80'], // installed LOCKED
      [installHex(0, NEW_AID, 0x0b), '6a80'], // not a life cycle
      [installHex(1, NEW_AID), '6a80'], // the constructor throws (after allocating a cell)
      [installHex(2, NEW_AID), '6a84'], // install() writes, then throws
      [installHex(3, NEW_AID), '6a80'], // install() leaves a transaction open
      [installHex(0, NEW_AID, 0x07, '000000', 0x01), '6985'], // asked inside the manager's open transaction
    ];
    for (const [command, sw] of cases) {
      expect(tx(card, command), command).toBe(sw);
      expect(stateOf(card), command).toBe(before);
      expect(serializeImage(card), command).toBe(image);
    }
    expect(tx(card, installHex(0, NEW_AID))).toBe('9000'); // and the AID is free to use
  });

  it('CardManagerError names the code and the reason', () => {
    const card = new Card({ appletClasses: CLASSES });
    const inst = card.instantiate(ProbeApplet as never, { aid: 'a000000999cc0004', privileges: CM_PRIVILEGES });
    const m = (inst.applet as ProbeApplet).context.cardManager!;
    const err = (f: () => unknown): CardManagerError => {
      try {
        f();
      } catch (e) {
        return e as CardManagerError;
      }
      throw new Error('no error');
    };
    const e1 = err(() => m.install({ type: 'nope', aid: hexToBytes(NEW_AID) }));
    expect(e1).toBeInstanceOf(CardManagerError);
    expect(e1.code).toBe('UNKNOWN_CLASS');
    expect(e1.sw).toBe(0x6a88);
    expect(e1.message).toMatch(/no applet class "nope" on this card \(executable load files: .*test\.applet/);
    const e2 = err(() => m.install({ type: TestApplet.type, aid: hexToBytes(NEW_AID), params: { when: new Date() } as never }));
    expect(e2.code).toBe('BAD_PARAMS');
    const e3 = err(() => m.delete(hexToBytes('a000000999cc0004')));
    expect(e3.code).toBe('SELF');
    const e4 = err(() => m.setLifeCycle(hexToBytes(NEW_AID), 0x07));
    expect(e4.code).toBe('NOT_FOUND');
    expect(e4.sw).toBe(0x6a88);
  });
});

describe('run-time delete and life cycle', () => {
  it('delete removes the instance and its persistent and transient cells; the AID can be used again afresh', () => {
    const card = managedCard();
    tx(card, selectHex(TEST_AID, 0));
    expect(tx(card, '8032000004a1a2a3a4')).toBe('9000');
    tx(card, selectHex(MANAGER_AID));
    expect(tx(card, deleteHex(TEST_AID))).toBe('9000');
    expect(card.applets.map((a) => a.aidHex)).not.toContain(TEST_AID);
    expect([...card.memory.cells.keys()].filter((k) => k.includes(TEST_AID))).toEqual([]);
    expect([...card.transient.cells.keys()].filter((k) => k.includes(TEST_AID))).toEqual([]);
    expect(tx(card, selectHex(TEST_AID, 0))).toBe('6a82');
    expect(card.selectedOn(0)?.aidHex).toBe(MANAGER_AID);
    expect(serializeImage(card)).not.toContain(TEST_AID);
    tx(card, selectHex(MANAGER_AID));
    expect(tx(card, installHex(0, TEST_AID))).toBe('9000');
    tx(card, selectHex(TEST_AID, 0));
    expect(tx(card, '8034000004')).toBe('000000009000');
  });

  it('delete refuses: itself, an instance selected on a channel, an unknown AID — changing nothing', () => {
    const card = managedCard();
    expect(tx(card, '0070000001')).toBe('019000');
    expect(tx(card, `${selectHex(TEST_AID, 1)}00`)).toBe('6f038401019000');
    const before = stateOf(card);
    expect(tx(card, deleteHex(MANAGER_AID))).toBe('6985');
    expect(tx(card, deleteHex(TEST_AID))).toBe('6985');
    expect(tx(card, deleteHex('a000000999ee0001'))).toBe('6a88');
    expect(stateOf(card)).toBe(before);
    expect(tx(card, '0170800100')).toBe('9000'); // close channel 1
    expect(tx(card, deleteHex(TEST_AID))).toBe('9000');
  });

  it('deleteAll removes several instances in one step, or none when any is refused', () => {
    const card = managedCard();
    tx(card, installHex(4, NEW_AID));
    expect(tx(card, '0070000001')).toBe('019000');
    expect(tx(card, selectHex(NEW_AID, 1))).toBe('9000');
    const before = stateOf(card);
    expect(tx(card, deleteAllHex(TEST_AID, NEW_AID))).toBe('6985'); // NEW_AID is selected on channel 1
    expect(tx(card, deleteAllHex(TEST_AID, TEST_AID))).toBe('6a80'); // the same AID twice
    expect(tx(card, deleteAllHex(TEST_AID, 'a000000999ee0001'))).toBe('6a88');
    expect(stateOf(card)).toBe(before);
    expect(tx(card, '0170800100')).toBe('9000');
    expect(tx(card, deleteAllHex(TEST_AID, NEW_AID))).toBe('9000');
    expect(card.applets.map((a) => a.aidHex)).toEqual([LOOPBACK_AID, MANAGER_AID]);
  });

  it('channels keep pointing at the right instances when one below them is deleted', () => {
    const card = managedCard();
    tx(card, installHex(4, NEW_AID)); // a loopback instance after TEST_AID
    expect(tx(card, '0070000001')).toBe('019000');
    expect(tx(card, selectHex(NEW_AID, 1))).toBe('9000');
    expect(tx(card, deleteHex(TEST_AID))).toBe('9000');
    expect(card.selectedOn(1)?.aidHex).toBe(NEW_AID);
    expect(card.selectedOn(0)?.aidHex).toBe(MANAGER_AID);
    expect(tx(card, '8116000003010203')).toBe('9000'); // loopback TX3 on channel 1: the new instance's cells
    expect(tx(card, '8118000003')).toBe('0102039000');
    expect(bytesToHex(card.memory.cells.get(`${NEW_AID}/a`)!)).toBe('01');
  });

  it('LOCKED is not selectable (explicitly or as default) but stays selected where it is; unlocking restores it', () => {
    const card = managedCard();
    expect(tx(card, setStatusHex(LOOPBACK_AID, 0x87))).toBe('9000');
    expect(card.registryOf(LOOPBACK_AID)!.lifeCycle).toBe(0x87);
    expect(tx(card, selectHex(LOOPBACK_AID, 0))).toBe('6a82');
    card.powerOn(); // the default applet is locked: nothing selected on the basic channel
    expect(card.selectedOn(0)).toBeNull();
    tx(card, selectHex(MANAGER_AID));
    expect(tx(card, setStatusHex(LOOPBACK_AID, 0x07))).toBe('9000');
    card.powerOn();
    expect(card.selectedOn(0)?.aidHex).toBe(LOOPBACK_AID);
    // Locking the selected instance does not deselect it.
    tx(card, selectHex(MANAGER_AID));
    expect(tx(card, setStatusHex(MANAGER_AID, 0x87))).toBe('9000');
    expect(card.selectedOn(0)?.aidHex).toBe(MANAGER_AID);
    expect(tx(card, setStatusHex(MANAGER_AID, 0x0b))).toBe('6a80'); // not a coding: refused
  });

  it('processData hands STORE DATA to the instance: its answer and SW pass through; refusals change nothing', () => {
    const card = managedCard();
    expect(tx(card, installHex(6, NEW_AID))).toBe('9000');
    expect(tx(card, storeHex(NEW_AID, '010203'))).toBe('0102039000');
    const before = stateOf(card);
    expect(tx(card, storeHex(NEW_AID, 'ff0203'))).toBe('6a84'); // its own refusal, its transaction rolled back
    expect(tx(card, storeHex(NEW_AID, '01'))).toBe('6a80');
    expect(tx(card, storeHex(TEST_AID, '010203'))).toBe('6985'); // TestApplet has no processData
    expect(tx(card, storeHex('a000000999ee0001', '010203'))).toBe('6a88');
    expect(tx(card, setStatusHex(NEW_AID, 0x87))).toBe('9000');
    const locked = stateOf(card);
    expect(tx(card, storeHex(NEW_AID, '040506'))).toBe('6985'); // LOCKED
    expect(stateOf(card)).toBe(locked);
    expect(tx(card, setStatusHex(NEW_AID, 0x07))).toBe('9000');
    expect(stateOf(card)).toBe(before);
  });

  it('the image keeps life cycle and privileges; a card that never used them writes the version 3 format as before', () => {
    const plain = new Card();
    plain.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
    const plainText = serializeImage(plain);
    expect(plainText).not.toMatch(/lifeCycle|privileges/);
    expect(JSON.parse(plainText).version).toBe(3);

    const card = managedCard();
    tx(card, installHex(0, NEW_AID, 0x03, '000000'));
    tx(card, setStatusHex(TEST_AID, 0x87));
    const image = JSON.parse(serializeImage(card));
    const byAid = new Map(image.applets.map((a: { aid: string }) => [a.aid, a]));
    expect(byAid.get(MANAGER_AID)).toMatchObject({ privileges: CM_PRIVILEGES });
    expect(byAid.get(MANAGER_AID)).not.toHaveProperty('lifeCycle');
    expect(byAid.get(NEW_AID)).toMatchObject({ lifeCycle: 3 });
    expect(byAid.get(TEST_AID)).toMatchObject({ lifeCycle: 0x87 });
    const back = parseImage(serializeImage(card), { registry: IMAGE_REGISTRY });
    expect(back.registryOf(TEST_AID)!.lifeCycle).toBe(0x87);
    expect(bytesToHex(back.registryOf(MANAGER_AID)!.privileges)).toBe(CM_PRIVILEGES);
    back.powerOn();
    tx(back, selectHex(MANAGER_AID));
    expect(tx(back, deleteHex(NEW_AID))).toBe('9000'); // the loaded card's manager still manages
  });

  it('an image with a bad lifeCycle or privileges is refused, naming the field', () => {
    const card = managedCard();
    for (const [key, value, message] of [
      ['lifeCycle', 11, /expected a GlobalPlatform life cycle byte/],
      ['lifeCycle', '07', /expected a GlobalPlatform life cycle byte/],
      ['privileges', '80400', /expected 6 lower-case hex digits/],
    ] as const) {
      const image = JSON.parse(serializeImage(card));
      image.applets[1][key] = value;
      image.digest = imageDigest(image);
      let thrown: unknown;
      try {
        parseImage(JSON.stringify(image), { registry: IMAGE_REGISTRY });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ImageError);
      expect((thrown as ImageError).field).toBe(`applets[1].${key}`);
      expect((thrown as ImageError).message).toMatch(message);
    }
  });

  it('restore() undoes run-time installs and deletes; restored instances keep working', () => {
    const card = managedCard();
    tx(card, selectHex(TEST_AID, 0));
    tx(card, '8032000004a1a2a3a4');
    tx(card, selectHex(MANAGER_AID));
    const snap = card.snapshot();
    const before = stateOf(card);
    tx(card, deleteHex(TEST_AID));
    tx(card, installHex(4, NEW_AID));
    card.restore(snap);
    expect(stateOf(card)).toBe(before);
    tx(card, selectHex(TEST_AID, 0));
    expect(tx(card, '8034000004')).toBe('a1a2a3a49000');
    expect(tx(card, '8032000004b1b2b3b4')).toBe('9000');
    expect(tx(card, '8034000004')).toBe('b1b2b3b49000');
    expect(tx(card, selectHex(NEW_AID, 0))).toBe('6a82');
  });
});

describe('tear sweeps: a tear at every persistent write leaves the old registry or the new one', () => {
  /** Sweep `command`; at every point the card (after power-up) must be exactly `old` or exactly `fresh`. */
  function sweep(card: Card, command: string): { writes: number; outcomes: Set<string> } {
    const start = card.snapshot();
    const old = stateOf(card);
    const oldImage = serializeImage(card);
    tx(card, command);
    const fresh = stateOf(card);
    const freshImage = serializeImage(card);
    expect(fresh).not.toBe(old);
    card.restore(start);
    const outcomes = new Set<string>();
    const result = tearSweep(card, hexToBytes(command), (p) => {
      const now = stateOf(card);
      const image = serializeImage(card);
      if (now === old) {
        expect(image, `point ${p.point}`).toBe(oldImage);
        outcomes.add('old');
      } else {
        expect(now, `point ${p.point}: neither the old nor the new registry`).toBe(fresh);
        expect(image, `point ${p.point}`).toBe(freshImage);
        outcomes.add('new');
      }
    });
    expect(bytesToHex(result.response).slice(-4)).toBe('9000');
    return { writes: result.writes, outcomes };
  }

  it('install (personalization writes, then the commit record)', () => {
    const card = managedCard();
    const { writes, outcomes } = sweep(card, installHex(0, NEW_AID));
    expect(writes).toBeGreaterThan(4); // the PIN and PUK personalization, then the commit
    expect([...outcomes].sort()).toEqual(['new', 'old']);
    // Afterwards the installed instance is whole: its PIN verifies.
    tx(card, selectHex(NEW_AID, 0));
    expect(tx(card, '002000000431323334')).toBe('9000');
  });

  it('install of a class whose install() uses a transaction (3 writes, its commit, the registry commit)', () => {
    const card = managedCard();
    const { writes, outcomes } = sweep(card, installHex(5, NEW_AID));
    expect(writes).toBe(5);
    expect([...outcomes].sort()).toEqual(['new', 'old']);
    expect(bytesToHex(card.memory.cells.get(`${NEW_AID}/z`)!)).toBe('12');
  });

  it('install of a class with no personalization: the commit record is the only write', () => {
    const card = managedCard();
    const { writes, outcomes } = sweep(card, installHex(4, NEW_AID));
    expect(writes).toBe(1);
    expect([...outcomes]).toEqual(['new']);
  });

  it('delete (the commit record, then the cells go)', () => {
    const card = managedCard();
    tx(card, selectHex(TEST_AID, 0));
    tx(card, '8032000004a1a2a3a4');
    tx(card, selectHex(MANAGER_AID));
    const { writes, outcomes } = sweep(card, deleteHex(TEST_AID));
    expect(writes).toBe(1);
    expect([...outcomes]).toEqual(['new']);
  });

  it('deleteAll of two instances (two records and a commit in the runtime\'s own transaction)', () => {
    const card = managedCard();
    tx(card, installHex(5, NEW_AID));
    const { writes, outcomes } = sweep(card, deleteAllHex(TEST_AID, NEW_AID));
    expect(writes).toBe(3);
    expect([...outcomes].sort()).toEqual(['new', 'old']);
    expect(card.applets.map((a) => a.aidHex)).toEqual([LOOPBACK_AID, MANAGER_AID]);
  });

  it('a card torn inside deleteAll and saved before the next power-up keeps both instances', () => {
    const card = managedCard();
    tx(card, installHex(5, NEW_AID));
    const oldImage = serializeImage(card);
    card.tearAfterWrites(1);
    expect(() => tx(card, deleteAllHex(TEST_AID, NEW_AID))).toThrow(/power was cut/);
    expect(card.memory.cells.get(`@registry/${TEST_AID}`)![0]).toBe(0); // written, but not committed…
    expect(serializeImage(card)).toBe(oldImage); // …so the image holds the old registry
    const back = parseImage(oldImage, { registry: IMAGE_REGISTRY });
    expect(back.applets.map((a) => a.aidHex)).toContain(NEW_AID);
  });

  it('processData: the instance\'s transaction makes it old or new at every point', () => {
    const card = managedCard();
    tx(card, installHex(6, NEW_AID));
    const { writes, outcomes } = sweep(card, storeHex(NEW_AID, '0a0b0c'));
    expect(writes).toBe(4);
    expect([...outcomes].sort()).toEqual(['new', 'old']);
  });

  it('set life cycle', () => {
    const card = managedCard();
    const { writes } = sweep(card, setStatusHex(TEST_AID, 0x87));
    expect(writes).toBe(1);
    expect(card.registryOf(TEST_AID)!.lifeCycle).toBe(LIFE_CYCLE.SELECTABLE | LIFE_CYCLE.LOCKED_BIT);
  });

  it('a card torn mid-install and saved before the next power-up loads without the half instance', () => {
    const card = managedCard();
    const oldImage = serializeImage(card);
    card.tearAfterWrites(2);
    expect(() => tx(card, installHex(0, NEW_AID))).toThrow(/power was cut/);
    expect(card.applets.some((a) => a.aidHex === NEW_AID)).toBe(true); // its cells are still there…
    expect(serializeImage(card)).toBe(oldImage); // …but not in the image
    card.powerOn();
    expect(card.applets.some((a) => a.aidHex === NEW_AID)).toBe(false);
    expect([...card.memory.cells.keys()].filter((k) => k.includes(NEW_AID))).toEqual([]);
  });
});
