/**
 * CHV/PIN commands (TS 51.011 9804/9840/9808/9802, TS 102.221 63Cx/6983/empty VERIFY), the phone-
 * side reader walks (classic 3F00 → 7F20 → 6F07 with GET RESPONSE, UICC FCP and EF_DIR → ADF),
 * personalities, Advice of Charge (INCREASE, 9850 past ACMmax) and tear sweeps of VERIFY,
 * UNBLOCK, CHANGE, UPDATE BINARY/RECORD and INCREASE. Guards: a tear buying a PIN try, half a new
 * PIN, an ACM pointer moved without its record, secrets readable, wrong response layouts.
 */
import { describe, expect, it } from 'vitest';
import { Card, hexToBytes, tearSweep } from '../../../card/runtime/index.js';
import { SIM_AID, SimApplet, USIM_AID } from '../../../card/applets/sim/index.js';
import { gsmSelect, pinField, simCard, split, tx } from './helpers.js';
import { SESSION_FACTS } from '../../../apdu-specs/session-facts.js';

const PIN1 = pinField('1234');
const BAD = pinField('0000');

describe('classic CHV (A0)', () => {
  it('VERIFY: 9804 with tries left, 9840 when blocked; UNBLOCK with PUK restores; 9808 when disabled', () => {
    const c = simCard();
    expect(tx(c, `a020000108${BAD}`)).toBe('9804');
    expect(tx(c, `a020000108${BAD}`)).toBe('9804');
    expect(tx(c, `a020000108${BAD}`)).toBe('9840');
    expect(tx(c, `a020000108${PIN1}`)).toBe('9840');
    expect(gsmSelect(c, '3f00').slice(36, 38)).toBe('80'); // CHV1 status: initialised, 0 tries
    expect(tx(c, `a02c000010${pinField('00000000')}${pinField('4321')}`)).toBe('9804');
    expect(tx(c, `a02c000010${pinField('12345678')}${pinField('4321')}`)).toBe('9000');
    expect(tx(c, `a020000108${pinField('4321')}`)).toBe('9000');
    expect(tx(c, `a026000108${pinField('4321')}`)).toBe('9000');
    expect(tx(c, `a020000108${pinField('4321')}`)).toBe('9808');
    expect(tx(c, `a026000108${pinField('4321')}`)).toBe('9808');
    expect(tx(c, 'a020000107' + PIN1.slice(2))).toBe('6708');
    expect(tx(c, `a020000308${PIN1}`)).toBe('6b00');
  });

  it('a blank card (installed with {}) answers VERIFY with 9802 and RUN GSM ALGORITHM with 9804/6985', () => {
    const c = new Card();
    c.install(SimApplet, { aid: SIM_AID, default: true });
    c.powerOn();
    expect(tx(c, `a020000108${PIN1}`)).toBe('9802');
  });

  it('tear sweeps: VERIFY (wrong), UNBLOCK, CHANGE leave a consistent counter and value', () => {
    const c = simCard();
    tearSweep(c, hexToBytes(`a020000108${BAD}`), (p) => {
      if (!p.torn) return;
      // Torn after the decrement: the try is spent (the counter is written before the compare).
      expect(tx(p.card, `a020000108${PIN1}`)).toBe('9000');
    });
    const c2 = simCard();
    tearSweep(c2, hexToBytes(`a024000110${PIN1}${pinField('9999')}`), (p) => {
      const r = tx(p.card, `a020000108${pinField('9999')}`);
      if (r !== '9000') expect(tx(p.card, `a020000108${PIN1}`)).toBe('9000');
    });
    const c3 = simCard();
    for (let i = 0; i < 3; i++) tx(c3, `a020000108${BAD}`);
    tearSweep(c3, hexToBytes(`a02c000010${pinField('12345678')}${pinField('5555')}`), (p) => {
      // Never half a PIN: the new value committed, or the old value whole (its counter may have
      // been reset after the correct PUK — a tear between that non-atomic reset and the commit).
      const r = tx(p.card, `a020000108${pinField('5555')}`);
      if (r === '9804') expect(tx(p.card, `a020000108${PIN1}`)).toBe('9000');
      else expect(['9000', '9840']).toContain(r);
    });
  });
});

describe('UICC PINs (00)', () => {
  it('empty VERIFY = retry query; 63Cx; 6983; unknown reference 6A88; UNBLOCK retry query', () => {
    const c = simCard();
    expect(tx(c, '00200001')).toBe('63c3');
    expect(tx(c, '0020000108' + BAD)).toBe('63c2');
    expect(tx(c, '0020000108' + BAD)).toBe('63c1');
    expect(tx(c, '0020000108' + BAD)).toBe('63c0');
    expect(tx(c, '0020000108' + PIN1)).toBe('6983');
    expect(tx(c, '00200001')).toBe('6983');
    expect(tx(c, '002c0001')).toBe('63ca');
    expect(tx(c, `002c000110${pinField('12345678')}${pinField('2468')}`)).toBe('9000');
    expect(tx(c, '00200001')).toBe('9000');
    expect(tx(c, '0020000208' + PIN1)).toBe('6a88');
    expect(tx(c, '0020010108' + PIN1)).toBe('6a86');
    expect(tx(c, '0020008108' + pinField('5678'))).toBe('9000');
    expect(tx(c, `0020000a08${pinField('88888888')}`)).toBe('9000');
    expect(tx(c, `0024000110${pinField('2468')}${pinField('12a4')}`)).toBe('6a80');
  });
});

describe('phone-side reader sequences', () => {
  it('classic walk 3F00 → 7F20 → 6F07: 9Fxx, GET RESPONSE layouts, READ BINARY with the size from the response', () => {
    const c = simCard();
    const mf = gsmSelect(c, '3f00');
    expect(mf).toBe('000010003f000100000000000a1302020500838a838a009000');
    const gsm = gsmSelect(c, '7f20');
    expect(gsm.slice(8, 14)).toBe('7f2002');
    const imsi = gsmSelect(c, '6f07');
    // Real-card structure (sysmoSIM-GR1 EF.IMSI): size 9, type 04, access READ CHV1 / UPDATE ADM.
    expect(imsi).toBe('000000096f07040014ff14010200009000');
    expect(tx(c, 'a0b0000009')).toBe('9804');
    tx(c, `a020000108${PIN1}`);
    expect(tx(c, `a0b00000${imsi.slice(6, 8)}`)).toBe('0809101010325476989000');
    gsmSelect(c, '6f39');
    expect(tx(c, 'a0b2010403')).toBe('0000009000');
    expect(tx(c, 'a0a4000002ffff')).toBe('9404');
    expect(tx(c, 'a0a4000001a0')).toBe('6702');
    expect(tx(c, 'a0a40100023f00')).toBe('6b00');
  });

  it('UICC: FCP of MF and EF_IMSI, EF_DIR → SELECT ADF by AID, SFI read, STATUS', () => {
    const c = simCard({}, {}, false);
    const mf = split(tx(c, '00a40004023f0000'));
    expect(mf.data).toMatch(/^62..8202782183023f00a5/);
    // PIN status template (sysmoISIM-SJA2 structure): PS_DO, key references 01, 81, 0A.
    expect(mf.data).toContain('c60c9001e0830101830181');
    expect(mf.data).toContain('8b032f06');
    const dir = split(tx(c, '00b201f426')); // SFI 1E (EF_DIR), record 1
    expect(dir.data.slice(0, 8)).toBe('61' + dir.data.slice(2, 4) + '4f10');
    const aid = dir.data.slice(8, 40);
    expect(aid).toBe(USIM_AID);
    const adf = split(tx(c, `00a4040410${aid}00`));
    expect(adf.data).toContain(`8410${USIM_AID}`);
    expect(split(tx(c, '80f2000100')).data).toBe(`8410${USIM_AID}`);
    tx(c, `0020000108${PIN1}`);
    const imsi = split(tx(c, '00a40004026f0700'));
    // Files below the ADF reference the ADF's own EF_ARR 6F06 (TS 31.102 §4.2.55), as on a sysmoISIM-SJA2.
    expect(imsi.data).toMatch(/^62..8202412183026f078a01058b036f06..80020009880138$/);
    expect(imsi.data).toContain('80020009');
    expect(imsi.data).toContain('880138');
    expect(tx(c, '00b0870009')).toBe('0809101010325476989000');
  });

  it('personality: classic-only card answers 00 A4 … 3F00 with 6E00; uicc-only answers class A0 with 6E00', () => {
    expect(tx(simCard({ personality: 'classic' }), '00a40004023f00')).toBe('6e00');
    expect(tx(simCard({ personality: 'uicc' }), 'a0a40000023f00')).toBe('6e00');
  });
});

describe('Advice of Charge and updates', () => {
  function acm(): Card {
    const c = simCard();
    tx(c, `a020000108${PIN1}`);
    gsmSelect(c, '7f20');
    gsmSelect(c, '6f39');
    return c;
  }

  it('INCREASE adds to record 1, writes the oldest, returns new ‖ added; 9850 past ACMmax (1000)', () => {
    const c = acm();
    expect(tx(c, 'a032000003000064')).toBe('9f06');
    expect(tx(c, 'a0c0000006')).toBe('0000640000649000');
    expect(tx(c, 'a0b2010403')).toBe('0000649000');
    expect(tx(c, 'a0b2020403')).toBe('0000009000');
    expect(tx(c, 'a032000003000385')).toBe('9850'); // 100 + 901 > 1000
    expect(tx(c, 'a032000003000384')).toBe('9f06'); // exactly 1000
    expect(tx(c, 'a032000003000001')).toBe('9850');
    expect(tx(c, 'a0320000020000')).toBe('6703');
  });

  it('tear sweep of INCREASE: pointer and record move together', () => {
    const c = acm();
    const r = tearSweep(c, hexToBytes('a032000003000010'), (p) => {
      if (!p.torn) return;
      tx(p.card, `a020000108${PIN1}`);
      gsmSelect(p.card, '7f20');
      gsmSelect(p.card, '6f39');
      expect(['0000009000', '0000109000']).toContain(tx(p.card, 'a0b2010403'));
      const rec2 = tx(p.card, 'a0b2020403');
      expect(rec2).toBe('0000009000');
    });
    expect(r.writes).toBe(3);
  });

  it('tear sweep of UPDATE BINARY / UPDATE RECORD (ADM-protected SPN, CHV1 MSISDN)', () => {
    const c = simCard();
    tx(c, `a020000a08${pinField('88888888')}`);
    gsmSelect(c, '7f20');
    gsmSelect(c, '6f46');
    tearSweep(c, hexToBytes('a0d6000003014142'), (p) => {
      tx(p.card, `a020000a08${pinField('88888888')}`);
      gsmSelect(p.card, '7f20');
      gsmSelect(p.card, '6f46');
      // 'cardforge' before, '\x01AB' after: never a mix.
      expect(['01636172', '01414272']).toContain(split(tx(p.card, 'a0b0000004')).data);
    });
    expect(tx(c, 'a0d6001103414141')).toBe('9402');
  });
});

describe('the cardholder-verified fact follows CHV1 (issue 18: consistent code rules)', () => {
  const verifiedFact = (c: Card): unknown => c.snapshot().session.get(SESSION_FACTS.CARDHOLDER_VERIFIED.key);

  it('a wrong CHV1 after a good one clears CARDHOLDER_VERIFIED, as OwnerPin clears CHV1\'s validated state (classic and UICC)', () => {
    const c = simCard();
    expect(tx(c, `a020000108${pinField('1234')}`)).toBe('9000');
    expect(verifiedFact(c)).toBe(true);
    expect(tx(c, `a020000108${pinField('9999')}`)).toMatch(/^98/);
    expect(verifiedFact(c)).toBe(false);
    expect(tx(c, `a020000108${pinField('1234')}`)).toBe('9000');
    expect(verifiedFact(c)).toBe(true);
    expect(split(tx(c, `00a4040410${USIM_AID}`)).sw).toMatch(/^(61|90)/);
    expect(tx(c, `0020000108${pinField('0000')}`)).toMatch(/^63c/);
    expect(verifiedFact(c)).toBe(false);
    // A wrong CHV2 leaves CHV1's fact alone; a reset clears it.
    expect(tx(c, `0020000108${pinField('1234')}`)).toBe('9000');
    expect(tx(c, `0020008108${pinField('0000')}`)).toMatch(/^63c/);
    expect(verifiedFact(c)).toBe(true);
    c.reset();
    expect(verifiedFact(c)).toBeUndefined();
  });

  it('a wrong old value in CHANGE CHV1 and a wrong DISABLE CHV1 clear it too; a good DISABLE keeps it', () => {
    const c = simCard();
    expect(tx(c, `a020000108${pinField('1234')}`)).toBe('9000');
    expect(tx(c, `a024000110${pinField('9999')}${pinField('4321')}`)).toMatch(/^98/);
    expect(verifiedFact(c)).toBe(false);
    expect(tx(c, `a026000108${pinField('1234')}`)).toBe('9000');
    expect(verifiedFact(c)).toBe(true);
  });
});
