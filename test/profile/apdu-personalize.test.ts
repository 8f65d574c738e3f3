/**
 * APDU personalization (issue 8): a profile written over APDUs to a blank emulated SIM gives the
 * same card as the offline `personalize -o IMAGE` path, byte for byte (guards the two paths
 * drifting apart); the dry run masks every secret; a wrong ADM1 shows the tries left and stops
 * before blocking; a second personalization is refused; PERSO_STORE_DATA's error SWs change
 * nothing; a tear at every write of every state-changing step leaves each block applied or not.
 */
import { describe, expect, it } from 'vitest';
import { Card, bytesToHex, hexToBytes, tearSweep } from '../../card/runtime/index.js';
import { imageOf } from '../../card/image/index.js';
import { loadProfileFile } from '../../host/profile/load.js';
import { buildCard } from '../../host/profile/build.js';
import { profileSchema, type Profile } from '../../host/profile/schema.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { blankSimCard } from '../../host/profile/apdu/blank.js';
import { PersonalizeError, personalizationScript, personalizeOverApdu, renderScript } from '../../host/profile/apdu/run.js';
import { sysmoIsimSja2Adapter } from '../../host/profile/adapters/index.js';
import { imageCells } from '../helpers/image-cells.js';

const EXAMPLE = new URL('../../profiles/example-sim.yaml', import.meta.url).pathname;
const profile = (over: Record<string, unknown> = {}): Profile => ({ ...loadProfileFile(EXAMPLE), ...profileSchema.parse({ ...rawExample(), ...over }) });
function rawExample(): Record<string, unknown> {
  const p = loadProfileFile(EXAMPLE);
  return { personality: p.personality, iccid: p.iccid, imsi: p.imsi, auth: p.auth, pins: p.pins, spn: p.spn, msisdn: p.msisdn, acm_max: p.acm_max, puct: p.puct };
}

const persistent = (c: Card): Record<string, string> => imageCells(imageOf(c));

async function apduPersonalized(p: Profile, adm = p.pins.adm1): Promise<Card> {
  const card = blankSimCard({ personality: p.personality, adm1: adm, ...(p.atr ? { atr: p.atr } : {}) });
  await personalizeOverApdu(new EmulatorTransport(card), p, { adm });
  return card;
}

const sw = (r: Uint8Array): string => bytesToHex(r.subarray(r.length - 2));
const tx = (c: Card, h: string): Uint8Array => c.transmit(hexToBytes(h.replace(/\s+/g, '')));

describe('APDU personalization of a blank emulated SIM', () => {
  it('equals the offline image byte for byte (example profile, personality both)', async () => {
    const p = loadProfileFile(EXAMPLE);
    const card = await apduPersonalized(p);
    expect(persistent(card)).toEqual(persistent(buildCard(p, EXAMPLE)));
    expect(imageOf(card).applets).toEqual(imageOf(buildCard(p, EXAMPLE)).applets);
  });

  it('equals the offline image for a uicc card with PIN1 disabled, xor/comp128v1, an SQN, raw files and a cyclic EF_ACM', async () => {
    const p = profile({
      personality: 'uicc',
      auth: { algorithm: 'xor', gsm_algorithm: 'comp128v1', ki: '000102030405060708090a0b0c0d0e0f', sqn: '000000001234' },
      pins: { pin1: '0000', puk1: '11111111', pin2: '2222', puk2: '33333333', adm1: '0102030405060708', pin1_enabled: false },
      files: { EF_ACM: ['000001', '000002', '000003'], EF_SMSP: ['ffffffff'], EF_FPLMN: '00f110' },
    });
    const card = await apduPersonalized(p);
    expect(persistent(card)).toEqual(persistent(buildCard(p, 'p')));
  });

  it('refuses a second personalization with 6985 (ALREADY_PERSONALIZED) and the card is unchanged', async () => {
    const p = loadProfileFile(EXAMPLE);
    const card = await apduPersonalized(p);
    const before = persistent(card);
    await expect(personalizeOverApdu(new EmulatorTransport(card), p)).rejects.toMatchObject({ code: 'ALREADY_PERSONALIZED' });
    // The VERIFY ADM1 of the second run succeeded (same key): only the refused block was sent.
    expect(persistent(card)).toEqual(before);
    // The offline card refuses it too (it is personalized at install).
    const off = buildCard(p, EXAMPLE);
    expect(sw(tx(off, `0020000a08${bytesToHex(new TextEncoder().encode('12345678'))}`))).toBe('9000');
    expect(sw(tx(off, '80db900003c90101'))).toBe('6985');
  });

  it('a wrong ADM1 shows the tries left, stops, and never spends the last try', async () => {
    const p = loadProfileFile(EXAMPLE);
    const card = blankSimCard({ personality: 'both', adm1: '87654321' });
    const t = new EmulatorTransport(card);
    const blank = persistent(card);
    const e1 = await personalizeOverApdu(t, p).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(PersonalizeError);
    expect(e1).toMatchObject({ code: 'ADM_WRONG', triesLeft: 2 });
    expect((e1 as Error).message).toMatch(/2 tries left/);
    const e2 = await personalizeOverApdu(t, p).catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: 'ADM_WRONG', triesLeft: 1 });
    // Third run: the retry query says 1 try left, so nothing is presented.
    const sent: string[] = [];
    t.on('exchange', (c) => sent.push(bytesToHex(c)));
    const e3 = await personalizeOverApdu(t, p).catch((e: unknown) => e);
    expect(e3).toMatchObject({ code: 'ADM_LAST_TRY', triesLeft: 1 });
    expect(sent).toEqual(['0020000a']);
    expect(sw(tx(card, '0020000a'))).toBe('63c1');
    // Only the try counter moved; the right key still works afterwards and restores it.
    const now = persistent(card);
    for (const k of Object.keys(blank)) if (!k.endsWith('adm1/tries')) expect(now[k], k).toBe(blank[k]);
    // Even the right key is not presented by the tool at 1 try left; the user presents it himself.
    await expect(personalizeOverApdu(t, p, { adm: '87654321' })).rejects.toMatchObject({ code: 'ADM_LAST_TRY' });
    expect(sw(tx(card, `0020000a08${bytesToHex(new TextEncoder().encode('87654321'))}`))).toBe('9000');
    await personalizeOverApdu(t, p, { adm: '87654321' });
    expect(persistent(card)).toEqual(persistent(buildCard(p, EXAMPLE)));
  });

  it('dry run: the script shows no Ki, OPc, PIN, PUK or ADM1 value', () => {
    const p = loadProfileFile(EXAMPLE);
    for (const adapter of [undefined, sysmoIsimSja2Adapter]) {
      const text = renderScript(personalizationScript(p, adapter ? { adapter } : {})).toLowerCase();
      const secrets = [p.auth.ki, p.auth.opc!, ...[p.pins.pin1, p.pins.puk1, p.pins.pin2, p.pins.puk2, p.pins.adm1].map((v) => bytesToHex(new TextEncoder().encode(v)))];
      for (const s of secrets) expect(text).not.toContain(s.toLowerCase());
      expect(text).toContain('****');
    }
    const lines = renderScript(personalizationScript(p)).split('\n');
    expect(lines[0]).toMatch(/0020000A08\*{16}\s+VERIFY ADM1/);
    expect(lines.some((l) => /UPDATE BINARY EF_IMSI/.test(l))).toBe(true);
  });

  it('the sysmoISIM-SJA2 adapter writes Ki/OPc to 6F20 and AF20 at offsets 1 and 17 and never EF_ICCID', () => {
    const steps = personalizationScript(loadProfileFile(EXAMPLE), { adapter: sysmoIsimSja2Adapter });
    const hex = steps.map((s) => bytesToHex(s.apdu));
    expect(hex).toContain('00a4000c02a515');
    expect(hex.filter((h) => h.startsWith('00d6000110465b5ce8'))).toHaveLength(2);
    expect(hex.filter((h) => h.startsWith('00d6001110cd63cb71'))).toHaveLength(2);
    expect(steps.some((s) => s.label.includes('EF_ICCID'))).toBe(false);
  });
});

describe('PERSO_STORE_DATA on the blank SIM', () => {
  const blank = (): Card => blankSimCard({ personality: 'both', adm1: '12345678' });
  const adm = '0020000a083132333435363738';
  const block0 = '80db10001' + '2c110000102030405060708090a0b0c0d0e0f'; // KI only

  it('error SWs change nothing: no ADM 6982, bad P1 6A86, out-of-order block 6A86, bad TLV / unknown tag / wrong length 6A80', () => {
    const card = blank();
    const before = persistent(card);
    expect(sw(tx(card, block0))).toBe('6982');
    expect(sw(tx(card, adm))).toBe('9000');
    expect(sw(tx(card, '80db000012c110000102030405060708090a0b0c0d0e0f'))).toBe('6a86');
    expect(sw(tx(card, '80db100112c110000102030405060708090a0b0c0d0e0f'))).toBe('6a86');
    expect(sw(tx(card, '80db100003c10500'))).toBe('6a80');
    expect(sw(tx(card, '80db100003ee0100'))).toBe('6a80');
    expect(sw(tx(card, '80db100004c1020001'))).toBe('6a80');
    expect(sw(tx(card, '80db100004c5023132'))).toBe('6a80'); // CHV1 of 2 digits
    expect(sw(tx(card, '80db100005c3030903' + '01'))).toBe('6a80'); // unknown 3G algorithm
    expect(persistent(card)).toEqual(before);
    expect(sw(tx(card, block0))).toBe('9000');
  });

  it('tear sweep: every block of the script leaves the card with the block applied or not (never half a key), and a re-run completes it', async () => {
    const p = loadProfileFile(EXAMPLE);
    const steps = personalizationScript(p);
    const card = blank();
    const t = new EmulatorTransport(card);
    await t.connect();
    let swept = 0;
    for (const s of steps) {
      if (!s.label.startsWith('PERSO_STORE_DATA')) {
        await t.transmit(s.apdu);
        continue;
      }
      const start = persistent(card);
      const ref = card.snapshot();
      expect(sw(card.transmit(s.apdu))).toBe('9000');
      const done = persistent(card);
      card.restore(ref);
      const same = (a: Record<string, string>, b: Record<string, string>): boolean => Object.keys(a).every((k) => /\/tries$/.test(k) || a[k] === b[k]);
      const res = tearSweep(card, s.apdu, (pt) => {
        if (!pt.torn) return;
        // Torn: all as before or all as after (the commit record is a tear point too), except PIN
        // try counters, which are non-atomic by design and already at their limit.
        const now = persistent(card);
        expect(same(now, start) || same(now, done), `${s.label} torn at write ${pt.point}`).toBe(true);
      });
      expect(sw(res.response)).toBe('9000');
      swept += res.writes;
      card.restore(ref);
      expect(persistent(card)).toEqual(start);
      expect(sw(card.transmit(s.apdu))).toBe('9000');
      expect(persistent(card)).toEqual(done);
    }
    expect(swept).toBeGreaterThan(10);
    expect(persistent(card)).toEqual(persistent(buildCard(p, EXAMPLE)));
  });
});
