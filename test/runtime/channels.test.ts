/**
 * Logical channels and applet selection: MANAGE CHANNEL open/close (0..19), SELECT by DF name
 * (full, partial, next occurrence), isolation of applet state per channel, multi-selectable rule,
 * and the selection kept after a failing SELECT.
 */
import { describe, expect, it } from 'vitest';
import { testCard, tx, selectHex, TEST_AID, TEST_AID_2, REFUSING_AID, TestApplet } from '../helpers/test-applets.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';

describe('MANAGE CHANNEL', () => {
  it('opens the lowest free channel, then a chosen one, and refuses duplicates and out-of-range numbers', () => {
    const card = testCard();
    expect(tx(card, '0070000001')).toBe('019000');
    expect(tx(card, '0070000001')).toBe('029000');
    expect(tx(card, '00700013')).toBe('9000'); // channel 19
    expect(tx(card, '00700013')).toBe('6985');
    expect(tx(card, '00700014')).toBe('6a86'); // 20 does not exist
    expect(tx(card, '00700000')).toBe('6700'); // card-assigned needs Le=01
    expect(tx(card, '00700500')).toBe('6a86');
  });

  it('refuses the 20th channel with 6A81 once 1..19 are open', () => {
    const card = testCard();
    for (let i = 1; i < 20; i++) expect(tx(card, '0070000001')).toBe(i.toString(16).padStart(2, '0') + '9000');
    expect(tx(card, '0070000001')).toBe('6a81');
  });

  it('closes channels; a closed channel answers 6881; channel 0 cannot be closed', () => {
    const card = testCard();
    tx(card, '0070000001');
    expect(tx(card, '81120000' + '10').slice(-4)).toBe('9000');
    expect(tx(card, '00708001')).toBe('9000');
    expect(tx(card, '8112000010')).toBe('6881');
    expect(tx(card, '00708001')).toBe('6881');
    expect(tx(card, '00708000')).toBe('6a86');
    tx(card, '0070000001');
    expect(tx(card, '01708000')).toBe('9000'); // P2=00 closes the CLA's own channel
    expect(tx(card, '4012000010')).toBe('6881'); // channel 4 never opened
  });

  it('a channel opened from the basic channel gets the default applet', () => {
    const card = testCard();
    tx(card, '0070000001');
    expect(card.selectedOn(1)?.aidHex).toBe(LOOPBACK_AID);
  });

  it('a channel opened from channel n gets n\'s applet when it is multi-selectable, none otherwise', () => {
    const card = testCard();
    tx(card, '0070000001');
    tx(card, '0070000001');
    expect(tx(card, '02' + selectHex(TEST_AID).slice(2))).toBe('6105');
    expect(tx(card, '0270000001')).toBe('039000');
    expect(card.selectedOn(3)).toBe(null); // TestApplet is not multi-selectable
    expect(tx(card, '03340000')).toBe('6999');
    expect(tx(card, '0170000001')).toBe('049000');
    expect(card.selectedOn(4)?.aidHex).toBe(LOOPBACK_AID); // loopback is multi-selectable
  });
});

describe('SELECT by DF name', () => {
  it('full and partial (right-truncated) AIDs, first and next occurrence', () => {
    const card = testCard();
    const prefix = TEST_AID.slice(0, 14);
    expect(tx(card, '00a4040007' + prefix + '00')).toBe('6f038401019000');
    expect(card.selectedOn(0)?.aidHex).toBe(TEST_AID);
    expect(tx(card, '00a4040207' + prefix + '00')).toBe('6f038401019000');
    expect(card.selectedOn(0)?.aidHex).toBe(TEST_AID_2);
    expect(tx(card, '00a4040207' + prefix + '00')).toBe('6a82');
    expect(card.selectedOn(0)?.aidHex).toBe(TEST_AID_2); // unchanged after the failure
  });

  it('P2=0C returns no data; an empty AID selects the default applet', () => {
    const card = testCard();
    expect(tx(card, '00a4040c08' + TEST_AID)).toBe('9000');
    expect(tx(card, '00a4040000')).toBe('9000');
    expect(card.selectedOn(0)?.aidHex).toBe(LOOPBACK_AID);
  });

  it('an unknown AID answers 6A82 and keeps the current selection', () => {
    const card = testCard();
    tx(card, selectHex(TEST_AID));
    expect(tx(card, selectHex('a0000009990909'))).toBe('6a82');
    expect(card.selectedOn(0)?.aidHex).toBe(TEST_AID);
  });

  it('an applet that refuses selection leaves the channel with no applet (6999)', () => {
    const card = testCard();
    expect(tx(card, selectHex(REFUSING_AID))).toBe('6999');
    expect(card.selectedOn(0)).toBe(null);
    expect(tx(card, '8012000010')).toBe('6999');
  });

  it('a non-multi-selectable applet active on another channel cannot be selected (6985), the channel keeps its applet', () => {
    const card = testCard();
    tx(card, '0070000001');
    tx(card, selectHex(TEST_AID));
    expect(tx(card, selectHex(TEST_AID, 1))).toBe('6985');
    expect(card.selectedOn(1)?.aidHex).toBe(LOOPBACK_AID);
  });

  it('state is isolated per applet instance across channels: a PIN verified on channel 1 does not open channel 2', () => {
    const card = testCard();
    tx(card, '0070000001');
    tx(card, '0070000001');
    tx(card, selectHex(TEST_AID, 1));
    tx(card, selectHex(TEST_AID_2, 2));
    expect(tx(card, '012000010431323334')).toBe('9000');
    expect(tx(card, '8130000001')).toBe('429000');
    expect(tx(card, '8230000001')).toBe('6982');
    expect(tx(card, '8030000001')).toBe('6d00'); // channel 0: loopback has no 80 30
  });

  it('deselect runs on reselection and closing, and clears CLEAR_ON_DESELECT memory and the PIN flag', () => {
    const card = testCard();
    tx(card, selectHex(TEST_AID));
    const applet = card.selectedOn(0)!.applet as TestApplet;
    expect(tx(card, '002000010431323334')).toBe('9000');
    expect(tx(card, '803800000107')).toBe('9000');
    expect(tx(card, '8038000002')).toBe('07079000');
    tx(card, selectHex(TEST_AID));
    expect(applet.deselects).toBe(1);
    expect(tx(card, '8038000002')).toBe('07009000'); // reset-RAM kept, deselect-RAM cleared
    expect(tx(card, '8030000001')).toBe('6982'); // PIN validated flag was clear-on-deselect
  });
});
