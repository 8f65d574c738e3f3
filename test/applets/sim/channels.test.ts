/**
 * The SIM/USIM on logical channels 0..19 (TS 102.221 §8.5, §11.1.17; ISO/IEC 7816-4 §5.4.1 class
 * bytes 0X/4X/6X and 8X/CX/EX): per-channel current DF/ADF, EF and record pointer; the USIM on
 * several channels at once; PIN state shared; MANAGE CHANNEL opened from channel n starts from n's
 * DF/ADF. Guards issue 12: after '00 70 00 00 01', '01 A4 00 0C 02 3F00' answered 6999 and the
 * USIM AID on channel 1 6A82.
 */
import { describe, expect, it } from 'vitest';
import { encodeCla } from '../../../card/runtime/index.js';
import { USIM_AID } from '../../../card/applets/sim/index.js';
import { pinField, simCard, split, tx } from './helpers.js';

const cla = (ch: number, base = 0x00): string => encodeCla(base, ch).toString(16).padStart(2, '0');
const selectUsim = (ch: number): string => `${cla(ch)}a4040c07${USIM_AID.slice(0, 14)}`;

describe('SIM/USIM on logical channels', () => {
  it('after MANAGE CHANNEL open, channel 1 selects the MF and the USIM by AID (partial and full)', () => {
    const card = simCard();
    expect(tx(card, '0070000001')).toBe('019000');
    expect(tx(card, '01a4000c023f00')).toBe('9000');
    expect(tx(card, '01a4040c07a0000000871002')).toBe('9000');
    expect(split(tx(card, `01a40404${(USIM_AID.length / 2).toString(16).padStart(2, '0')}${USIM_AID}00`)).sw).toMatch(/^(9000|61..)$/);
  });

  it('each channel keeps its own current file: DF_GSM EF_IMSI on 0, ADF.USIM EF_AD on 1', () => {
    const card = simCard();
    tx(card, '0020000108' + pinField('1234'));
    tx(card, '0070000001');
    expect(tx(card, '00a4080c047f206f07')).toBe('9000');
    expect(tx(card, selectUsim(1))).toBe('9000');
    expect(tx(card, '01a4000c026fad')).toBe('9000');
    const imsi = tx(card, '00b0000009');
    const ad = tx(card, '01b0000004');
    expect(imsi.slice(-4)).toBe('9000');
    expect(imsi.slice(0, 2)).toBe('08');
    expect(ad.slice(-4)).toBe('9000');
    expect(ad).not.toBe(imsi);
    expect(ad.length).toBe(12); // EF_AD: 4 bytes
    // channel 0 still reads the IMSI after channel 1's selection
    expect(tx(card, '00b0000009')).toBe(imsi);
    // STATUS on each channel names its own DF: MF-level DF_GSM on 0, the USIM ADF on 1
    const s0 = tx(card, '80f2000000');
    const s1 = tx(card, '81f2000000');
    expect(s0.startsWith('6c')).toBe(true);
    expect(tx(card, `80f20000${s0.slice(2)}`)).toContain('83027f20');
    expect(tx(card, `81f20000${s1.slice(2)}`)).toContain(USIM_AID);
  });

  it('the USIM is selectable on several channels at once; record pointers are per channel', () => {
    const card = simCard();
    tx(card, '0020000108' + pinField('1234'));
    for (const ch of [1, 2, 3]) expect(tx(card, `007000${ch.toString(16).padStart(2, '0')}00`)).toBe('9000');
    for (const ch of [0, 1, 2, 3]) expect(tx(card, selectUsim(ch))).toBe('9000');
    // EF_ECC (linear fixed): record pointer on channel 2 advances independently of channel 3
    expect(tx(card, '02a4000c026fb7')).toBe('9000');
    expect(tx(card, '03a4000c026fb7')).toBe('9000');
    const r1 = tx(card, '02b2000204');
    expect(split(r1).sw).toBe('9000');
    expect(split(tx(card, '02b2000204')).sw).toBe('9000'); // record 2 on channel 2
    expect(tx(card, '03b2000204')).toBe(r1); // record 1 on channel 3
  });

  it('PIN verification is shared by the channels; a PIN query on any channel sees it', () => {
    const card = simCard();
    tx(card, '0070000001');
    expect(tx(card, '0120000100')).toBe('63c3');
    expect(tx(card, '0120000108' + pinField('1234'))).toBe('9000');
    expect(tx(card, '0020000100')).toBe('9000');
    expect(tx(card, '00a4080c047f206f07')).toBe('9000');
    expect(split(tx(card, '00b0000009')).sw).toBe('9000');
  });

  it('MANAGE CHANNEL from channel 0 starts at the MF; from channel n at n\'s ADF (TS 102.221 §11.1.17)', () => {
    const card = simCard();
    tx(card, '0020000108' + pinField('1234'));
    tx(card, '0070000001');
    expect(tx(card, selectUsim(1))).toBe('9000');
    expect(tx(card, '0170000001')).toBe('029000'); // opened from channel 1
    expect(tx(card, '02a4000c026f07')).toBe('9000'); // EF_IMSI of the ADF, no ADF selection needed
    expect(tx(card, '0070000001')).toBe('039000'); // opened from channel 0
    expect(tx(card, '03a4000c026f07')).toBe('6a82'); // at the MF: no 6F07 there
  });

  it('channels 4..19 use the further interindustry class (4X) and the 8X/CX proprietary classes', () => {
    const card = simCard();
    tx(card, '0020000108' + pinField('1234'));
    expect(tx(card, '0070001300')).toBe('9000'); // channel 19
    expect(tx(card, selectUsim(19))).toBe('9000');
    expect(tx(card, `${cla(19)}a4000c026f07`)).toBe('9000');
    expect(split(tx(card, `${cla(19)}b0000009`)).sw).toBe('9000');
    expect(tx(card, `${cla(19, 0x80)}f2000c00`)).toBe('9000');
    expect(tx(card, '0070801300')).toBe('9000');
    expect(tx(card, `${cla(19)}a4000c023f00`)).toBe('6881');
  });

  it('opening a channel already open is 6985 and channel 20 is 6A86; all 19 can be open at once', () => {
    const card = simCard();
    expect(tx(card, '0070000100')).toBe('9000');
    expect(tx(card, '0070000100')).toBe('6985');
    expect(tx(card, '0070001400')).toBe('6a86');
    for (let ch = 2; ch < 20; ch++) expect(tx(card, '0070000001')).toBe(`${ch.toString(16).padStart(2, '0')}9000`);
    expect(tx(card, '0070000001')).toBe('6a81');
  });

  it('a closed channel forgets its selection: reopened it starts at the MF', () => {
    const card = simCard();
    tx(card, '0070000100');
    expect(tx(card, selectUsim(1))).toBe('9000');
    tx(card, '0070800100');
    tx(card, '0070000100');
    expect(tx(card, '01a4000c026fad')).toBe('6a82');
  });
});
