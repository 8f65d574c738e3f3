/**
 * Card content management through the ISD (GP CS v2.3.1 §11.2, §11.4, §11.5, §11.10) over the
 * runtime's CardManager: GET STATUS of applications, executable load files and modules (legacy and
 * TLV formats, tag lists, 6310 paging), INSTALL [for install] / [for make selectable] of instances
 * of the card's applet classes, SET STATUS of applications (lock, unlock, application states,
 * illegal transitions), DELETE of instances; tear sweeps over INSTALL and DELETE.
 */
import { describe, expect, it } from 'vitest';
import { Applet, Card, CardError, CommandTable, SeededRng, bytesToHex, concat, hexToBytes, tearSweep, type AppletClass } from '../../../card/runtime/index.js';
import { APPLET_REGISTRY, LoopbackApplet } from '../../../card/applets/index.js';
import { installIsd, ISD_AID } from '../../../card/applets/isd/index.js';
import { LOAD_FILE_AID_PREFIX, LOOPBACK_AID } from '../../../apdu-specs/index.js';
import { sha256 } from '../../../card/algorithms/index.js';
import { h, hex, openSession, send, sendWrapped, swOf, type HostSession } from './host.js';
import { TEST_KEYS } from './fixture.js';

/** The derived ELF / module AID of a class (content.ts): prefix ‖ SHA-256(type)[0..7] ‖ 00 / 01. */
function elfAid(type: string, last = 0): string {
  return LOAD_FILE_AID_PREFIX + bytesToHex(sha256(new TextEncoder().encode(type)).subarray(0, 7)) + last.toString(16).padStart(2, '0');
}
const LOOPBACK_ELF = elfAid('cardforge.loopback');
const LOOPBACK_MODULE = elfAid('cardforge.loopback', 1);
const NEW_AID = 'f0636172646667010002';

function contentCard(): { card: Card; s: HostSession } {
  const card = new Card({ rng: new SeededRng('isd-content'), appletClasses: APPLET_REGISTRY });
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  installIsd(card);
  card.powerOn();
  expect(send(card, `00a4040008${ISD_AID}00`).sw).toBe(0x9000);
  return { card, s: openSession(card, TEST_KEYS, 0x03, 0x30) };
}

function installData(elf: string, module: string, app: string, privileges = '00', params = 'c900'): string {
  const lv = (x: string): string => (x.length / 2).toString(16).padStart(2, '0') + x;
  return lv(elf) + lv(module) + lv(app) + lv(privileges) + lv(params) + '00';
}

describe('GET STATUS of card content', () => {
  it('P1 20 lists one executable load file per applet class; P1 10 with its module; legacy and TLV formats', () => {
    const { card, s } = contentCard();
    const tlv = sendWrapped(card, s, '80f22002', '4f00');
    expect(tlv.sw.toString(16)).toBe('6310'); // more than a page: see the paging test
    const entry = `e3${'25'}4f10${LOOPBACK_ELF}9f700101c503000000cc08${ISD_AID}`;
    expect(hex(tlv.data)).toContain(entry);
    // One E3 per class (the page holds 5 of the 7; 6310 asks for the rest).
    expect(tlv.data.length).toBeLessThanOrEqual(200);
    const withModules = sendWrapped(card, s, '80f21002', `4f10${LOOPBACK_ELF}`);
    expect(hex(withModules.data)).toBe(`e3374f10${LOOPBACK_ELF}9f700101c503000000${`8410${LOOPBACK_MODULE}`}cc08${ISD_AID}`);
    const legacy = sendWrapped(card, s, '80f21000', `4f10${LOOPBACK_ELF}`);
    expect(hex(legacy.data)).toBe(`10${LOOPBACK_ELF}0100` + `0110${LOOPBACK_MODULE}`);
  });

  it('P1 40 lists the applications (not the ISD) with life cycle, privileges, ELF and security domain; 5C picks tags', () => {
    const { card, s } = contentCard();
    const r = sendWrapped(card, s, '80f24002', '4f00');
    expect(hex(r.data)).toBe(`e3${'31'}4f0a${LOOPBACK_AID}9f700107c503000000c410${LOOPBACK_ELF}cc08${ISD_AID}`);
    expect(hex(sendWrapped(card, s, '80f24002', '4f005c034f9f70').data)).toBe(`e3104f0a${LOOPBACK_AID}9f700107`);
    expect(hex(sendWrapped(card, s, '80f24000', '4f00').data)).toBe(`0a${LOOPBACK_AID}0700`);
    expect(sendWrapped(card, s, '80f24002', '4f03a0a0a0').sw.toString(16)).toBe('6a88');
    expect(sendWrapped(card, s, '80f24002', '').sw.toString(16)).toBe('6a80'); // no 4F
  });

  it('more entries than a page: 6310, then P2 b1 for the next ones; all ELFs once', () => {
    const { card, s } = contentCard();
    const first = sendWrapped(card, s, '80f22002', '4f00');
    expect(first.sw.toString(16)).toBe('6310');
    const second = sendWrapped(card, s, '80f22003', '4f00');
    expect(second.sw).toBe(0x9000);
    const all = hex(first.data) + hex(second.data);
    for (const type of APPLET_REGISTRY.keys()) expect(all.split(elfAid(type)).length - 1, type).toBe(1);
    expect(sendWrapped(card, s, '80f22003', '4f00').sw.toString(16)).toBe('6a88'); // nothing to continue
  });
});

describe('INSTALL, SET STATUS and DELETE of instances', () => {
  it('INSTALL [for install and make selectable]: the new instance is listed, selectable and works', () => {
    const { card, s } = contentCard();
    const r = sendWrapped(card, s, '80e60c00', installData(LOOPBACK_ELF, LOOPBACK_MODULE, NEW_AID), true);
    expect(r.sw).toBe(0x9000);
    expect(hex(r.data)).toBe('00');
    expect(hex(sendWrapped(card, s, '80f24002', `4f0a${NEW_AID}5c034f9f70`).data)).toBe(`e3104f0a${NEW_AID}9f700107`);
    expect(hex(send(card, `00a404000a${NEW_AID}`).data)).toBe('');
    expect(hex(send(card, '801000000401020304 00'.replace(/ /g, '')).data)).toBe('01020304');
    // The same AID again: 6985 (GP Table 11-55: AID already present would be 6A80 for a bad one).
    send(card, `00a4040008${ISD_AID}00`);
    const s2 = openSession(card, TEST_KEYS, 0x01, 0x30);
    expect(sendWrapped(card, s2, '80e60c00', installData(LOOPBACK_ELF, LOOPBACK_MODULE, NEW_AID), true).sw.toString(16)).toBe('6985');
  });

  it('INSTALL [for install] leaves it INSTALLED (not selectable); [for make selectable] then makes it SELECTABLE', () => {
    const { card, s } = contentCard();
    expect(sendWrapped(card, s, '80e60400', installData(LOOPBACK_ELF, LOOPBACK_MODULE, NEW_AID), true).sw).toBe(0x9000);
    expect(hex(sendWrapped(card, s, '80f24002', `4f0a${NEW_AID}5c029f70`).data)).toBe('e3049f700103');
    expect(sendWrapped(card, s, '80e60800', installData('', '', NEW_AID), true).sw).toBe(0x9000);
    expect(hex(sendWrapped(card, s, '80f24002', `4f0a${NEW_AID}5c029f70`).data)).toBe('e3049f700107');
    expect(sendWrapped(card, s, '80e60800', installData('', '', NEW_AID), true).sw.toString(16)).toBe('6985'); // not INSTALLED any more
  });

  it('INSTALL refuses an unknown load file (6A88), a wrong module (6A88), SD privileges (6A80), bad data (6A80), other P1 (6A81)', () => {
    const { card, s } = contentCard();
    expect(sendWrapped(card, s, '80e60c00', installData('a0000000010203', '', NEW_AID), true).sw.toString(16)).toBe('6a88');
    expect(sendWrapped(card, s, '80e60c00', installData(LOOPBACK_ELF, LOOPBACK_ELF, NEW_AID), true).sw.toString(16)).toBe('6a88');
    expect(sendWrapped(card, s, '80e60c00', installData(LOOPBACK_ELF, LOOPBACK_MODULE, NEW_AID, '80'), true).sw.toString(16)).toBe('6a80');
    expect(sendWrapped(card, s, '80e60c00', '0501', true).sw.toString(16)).toBe('6a80');
    expect(sendWrapped(card, s, '80e60200', installData('', '', NEW_AID), true).sw.toString(16)).toBe('6a81'); // [for load]
    expect(hex(sendWrapped(card, s, '80f24000', '4f00').data)).toBe(`0a${LOOPBACK_AID}0700`); // nothing installed
  });

  it('SET STATUS 40: lock (not selectable), unlock, an application state; illegal transitions 6985, bad coding 6A80', () => {
    const { card, s } = contentCard();
    const set = (p2: string, aid = LOOPBACK_AID): string => sendWrapped(card, s, `80f040${p2}`, aid, false).sw.toString(16);
    expect(set('80')).toBe('9000');
    expect(hex(sendWrapped(card, s, '80f24002', `4f0a${LOOPBACK_AID}5c029f70`).data)).toBe('e3049f700187');
    expect(set('80')).toBe('6985'); // locked already
    expect(set('0f')).toBe('6985'); // a locked application does not change state
    expect(set('00')).toBe('9000');
    expect(set('00')).toBe('6985'); // not locked
    expect(set('0f')).toBe('9000');
    expect(hex(sendWrapped(card, s, '80f24002', `4f0a${LOOPBACK_AID}5c029f70`).data)).toBe('e3049f70010f');
    expect(set('03')).toBe('6a80'); // INSTALLED is no state to set
    expect(set('80', ISD_AID)).toBe('6985'); // the ISD: SET STATUS 80
    expect(set('80', 'a0a0a0a0a0')).toBe('6a88');
    expect(sendWrapped(card, s, '80f06080', LOOPBACK_AID, false).sw.toString(16)).toBe('6a81'); // no SSDs
  });

  it('a LOCKED application cannot be selected; unlocked it can', () => {
    const { card, s } = contentCard();
    expect(sendWrapped(card, s, '80f04080', LOOPBACK_AID, false).sw).toBe(0x9000);
    expect(swOf(card, `00a404000a${LOOPBACK_AID}`)).not.toBe('9000');
    send(card, `00a4040008${ISD_AID}00`);
    const s2 = openSession(card, TEST_KEYS, 0x01, 0x30);
    expect(sendWrapped(card, s2, '80f04000', LOOPBACK_AID, false).sw).toBe(0x9000);
    expect(swOf(card, `00a404000a${LOOPBACK_AID}`)).toBe('9000');
  });

  it('DELETE of an instance: gone from the registry and unselectable; again: 6A88; a load file: 6985 (ROM); the ISD: 6985', () => {
    const { card, s } = contentCard();
    expect(sendWrapped(card, s, '80e60c00', installData(LOOPBACK_ELF, LOOPBACK_MODULE, NEW_AID), true).sw).toBe(0x9000);
    const del = sendWrapped(card, s, '80e40000', `4f0a${NEW_AID}`, true);
    expect(del.sw).toBe(0x9000);
    expect(hex(del.data)).toBe('00');
    expect(sendWrapped(card, s, '80f24002', `4f0a${NEW_AID}`).sw.toString(16)).toBe('6a88');
    expect(sendWrapped(card, s, '80e40000', `4f0a${NEW_AID}`, true).sw.toString(16)).toBe('6a88');
    expect(sendWrapped(card, s, '80e40000', `4f10${LOOPBACK_ELF}`, true).sw.toString(16)).toBe('6985');
    expect(sendWrapped(card, s, '80e40000', `4f08${ISD_AID}`, true).sw.toString(16)).toBe('6985');
    expect(card.applets.some((a) => a.aidHex === NEW_AID)).toBe(false);
    expect([...card.memory.cells.keys()].filter((k) => k.includes(NEW_AID))).toEqual([]);
  });
});

describe('DELETE of a load file and related objects', () => {
  it('P2 80: every instance of the class goes in one step; the load file (ROM) stays; without 80: 6985', () => {
    const { card, s } = contentCard();
    expect(sendWrapped(card, s, '80e60c00', installData(LOOPBACK_ELF, LOOPBACK_MODULE, NEW_AID), true).sw).toBe(0x9000);
    expect(sendWrapped(card, s, '80e40000', `4f10${LOOPBACK_ELF}`, true).sw.toString(16)).toBe('6985');
    const r = sendWrapped(card, s, '80e40080', `4f10${LOOPBACK_ELF}`, true);
    expect(r.sw).toBe(0x9000);
    expect(card.applets.filter((a) => a.type === 'cardforge.loopback')).toEqual([]);
    expect(sendWrapped(card, s, '80f24002', '4f00').sw.toString(16)).toBe('6a88'); // no applications left
    expect(hex(sendWrapped(card, s, '80f21002', `4f10${LOOPBACK_ELF}5c014f`).data)).toBe(`e3124f10${LOOPBACK_ELF}`);
    expect(sendWrapped(card, s, '80e40080', `4f10${LOOPBACK_ELF}`, true).sw.toString(16)).toBe('6a88'); // none left
  });
});

/**
 * A test applet that keeps what its security domain forwards (Applet.processData: the STORE DATA
 * command unwrapped, CLA ‖ INS ‖ P1 ‖ P2 ‖ Lc ‖ data, as GP's APDU buffer) and echoes its data reversed.
 */
class PersoProbe extends Applet {
  static readonly type = 'test.perso-probe';
  static received: string[] = [];
  readonly commands = new CommandTable([], {});
  override processData(command: Uint8Array): Uint8Array {
    if (command[5] === 0xee) throw new CardError(0x6a80, 'probe refuses EE');
    PersoProbe.received.push(bytesToHex(command));
    return command.slice(5).reverse();
  }
}

describe('INSTALL [for personalization] + STORE DATA', () => {
  it('STORE DATA blocks go to the application (plain, after C-DECRYPTION) until the last block; then STORE DATA is the ISD\'s again', () => {
    const classes = new Map<string, AppletClass>([...APPLET_REGISTRY, [PersoProbe.type, PersoProbe]]);
    const card = new Card({ rng: new SeededRng('isd-perso'), appletClasses: classes });
    installIsd(card);
    card.powerOn();
    send(card, `00a4040008${ISD_AID}00`);
    const s = openSession(card, TEST_KEYS, 0x03, 0x30);
    PersoProbe.received = [];
    const probeElf = elfAid(PersoProbe.type);
    expect(sendWrapped(card, s, '80e60c00', installData(probeElf, elfAid(PersoProbe.type, 1), NEW_AID), true).sw).toBe(0x9000);
    expect(sendWrapped(card, s, '80e62000', installData('', '', NEW_AID, '', ''), true).sw).toBe(0x9000);
    const b0 = sendWrapped(card, s, '80e20000', '010203');
    expect(hex(b0.data)).toBe('030201');
    expect(sendWrapped(card, s, '80e20001', 'ee').sw.toString(16)).toBe('6a80'); // the application's own SW
    expect(sendWrapped(card, s, '80e28001', '0405').sw).toBe(0x9000);
    expect(PersoProbe.received).toEqual(['80e2000003010203', '80e280010' + '20405']);
    // After the last block STORE DATA is the ISD's: an IIN.
    expect(sendWrapped(card, s, '80e29000', '420401020304').sw).toBe(0x9000);
    expect(PersoProbe.received).toHaveLength(2);
    expect(sendWrapped(card, s, '80e62000', installData('', '', 'a0a0a0a0a0', '', ''), true).sw.toString(16)).toBe('6a88');
  });
});

describe('STORE DATA to an application needs C-MAC', () => {
  it('a session at security level 00 (authenticated, no C-MAC) names the application but cannot send it data: 6982, nothing forwarded', () => {
    const classes = new Map<string, AppletClass>([...APPLET_REGISTRY, [PersoProbe.type, PersoProbe]]);
    const card = new Card({ rng: new SeededRng('isd-perso-00'), appletClasses: classes });
    installIsd(card);
    card.powerOn();
    send(card, `00a4040008${ISD_AID}00`);
    const s = openSession(card, TEST_KEYS, 0x03, 0x30);
    expect(sendWrapped(card, s, '80e60c00', installData(elfAid(PersoProbe.type), elfAid(PersoProbe.type, 1), NEW_AID), true).sw).toBe(0x9000);
    send(card, `00a4040008${ISD_AID}00`);
    openSession(card, TEST_KEYS, 0x00, 0x30);
    PersoProbe.received = [];
    expect(send(card, `80e6200010${installData('', '', NEW_AID, '', '')}00`).sw).toBe(0x9000);
    expect(send(card, '80e2800003010203').sw.toString(16)).toBe('6982');
    expect(PersoProbe.received).toEqual([]);
  });
});

describe('INSTALL and DELETE under tears: the registry holds the whole instance or none of it', () => {
  const present = (card: Card): boolean => card.applets.some((a) => a.aidHex === NEW_AID);
  const cellsOf = (card: Card): string[] => [...card.memory.cells.keys()].filter((k) => k.includes(NEW_AID)).sort();

  it('INSTALL [for install and make selectable] of an e-wallet (its factory install writes)', () => {
    const { card, s } = contentCard();
    const cmd = s.wrap(h('80e60c00'), hexToBytes(installData(elfAid('cardforge.wallet'), elfAid('cardforge.wallet', 1), NEW_AID)), true);
    const outcomes = new Set<string>();
    const r = tearSweep(card, cmd, (p) => {
      if (!p.torn) return;
      const sel = swOf(card, `00a404000a${NEW_AID}`);
      if (present(card)) {
        expect(sel, `point ${p.point}`).toBe('9000');
        outcomes.add('new');
      } else {
        expect(cellsOf(card), `point ${p.point}: cells left behind`).toEqual([]);
        expect(sel).toBe('6a82');
        outcomes.add('old');
      }
    });
    expect(hex(r.response)).toBe('009000');
    expect(outcomes.has('old')).toBe(true);
    expect(r.writes).toBeGreaterThan(1);
  });

  it('SET STATUS 40 (lock): one write, the old or the new life cycle', () => {
    const { card, s } = contentCard();
    const cmd = s.wrap(h('80f04080'), h(LOOPBACK_AID));
    const seen = new Set<string>();
    const r = tearSweep(card, cmd, () => {
      const lc = card.registryOf(LOOPBACK_AID)?.lifeCycle;
      expect([0x07, 0x87]).toContain(lc);
      seen.add(String(lc));
    });
    expect(hex(r.response)).toBe('9000');
    expect(r.writes).toBe(1);
    expect(card.registryOf(LOOPBACK_AID)?.lifeCycle).toBe(0x87);
  });

  it('DELETE of an instance', () => {
    const { card, s } = contentCard();
    expect(sendWrapped(card, s, '80e60c00', installData(LOOPBACK_ELF, LOOPBACK_MODULE, NEW_AID), true).sw).toBe(0x9000);
    const before = cellsOf(card);
    const cmd = s.wrap(h('80e40000'), concat(h('4f0a'), h(NEW_AID)), true);
    const r = tearSweep(card, cmd, (p) => {
      if (!p.torn) return;
      if (present(card)) expect(cellsOf(card), `point ${p.point}`).toEqual(before);
      else expect(cellsOf(card), `point ${p.point}`).toEqual([]);
    });
    expect(hex(r.response)).toBe('009000');
  });
});
