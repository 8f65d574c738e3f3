/**
 * SimApplet.files, the read-only face of the SIM file system for host tools (issue 17: the APDU
 * personalizer read persistent cells by internal key instead): it answers what READ BINARY / READ
 * RECORD answer, follows the cyclic pointer, hands out copies, and reaches files only — no key.
 */
import { describe, expect, it } from 'vitest';
import { SimApplet } from '../../../card/applets/index.js';
import { bytesToHex, type Card } from '../../../card/runtime/index.js';
import { PERSO, pinField, simCard, split, tx } from './helpers.js';

const ICCID = '3F00/2FE2';
const ACM = '3F00/7F20/6F39';

function filesOf(card: Card) {
  const sim = card.applets.find((a) => a.applet instanceof SimApplet)!.applet as SimApplet;
  return sim.files;
}

describe('SimApplet.files', () => {
  it('answers what READ BINARY and READ RECORD answer, cyclic record 1 being the newest', () => {
    const card = simCard();
    const files = filesOf(card);
    tx(card, 'a0a40000023f00');
    tx(card, 'a0a40000022fe2');
    expect(bytesToHex(files.content(ICCID))).toBe(split(tx(card, 'a0b000000a')).data);
    tx(card, 'a0a40000027f20');
    expect(split(tx(card, `a020000108${pinField(PERSO.pins.pin1)}`)).sw).toBe('9000');
    tx(card, 'a0a40000026f39');
    const slotBefore = files.slot(ACM, 1);
    expect(split(tx(card, 'a032000003000007')).sw).toBe('9f06');
    expect(files.slot(ACM, 1)).not.toBe(slotBefore);
    expect(bytesToHex(files.record(ACM, 1))).toBe('000007');
    expect(bytesToHex(files.record(ACM, 1))).toBe(split(tx(card, 'a0b2010403')).data);
    expect(bytesToHex(files.record(ACM, 2))).toBe(split(tx(card, 'a0b2020403')).data);
    expect(files.isActive(ACM)).toBe(true);
  });

  it('hands out copies: writing one changes nothing on the card', () => {
    const card = simCard();
    const files = filesOf(card);
    const c = files.content(ICCID);
    const before = bytesToHex(c);
    c.fill(0);
    expect(bytesToHex(files.content(ICCID))).toBe(before);
    expect(Object.isFrozen(files)).toBe(true);
  });

  it('names files by path and refuses anything else', () => {
    const files = filesOf(simCard());
    expect(() => files.content('3F00/7F20')).toThrow(/expected the path of an EF, got 3F00\/7F20/);
    expect(() => files.content('3F00/0000')).toThrow(RangeError);
    expect(() => files.record(ACM, 0)).toThrow(/"rec" expected 1..5, got 0/);
    expect(() => files.record(ACM, 6)).toThrow(RangeError);
  });

  it('reaches files only: no EF holds the Ki or the OPc', () => {
    const files = filesOf(simCard());
    const all = files.tree.nodes.filter((n) => n.ef).map((n) => bytesToHex(files.content(n))).join('');
    expect(all).not.toContain(PERSO.ki);
    expect(all).not.toContain(PERSO.opc);
    expect(Object.keys(files).sort()).toEqual(['content', 'isActive', 'record', 'slot', 'tree']);
  });
});
