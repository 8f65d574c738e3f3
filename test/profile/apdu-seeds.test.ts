/**
 * APDU personalization of the payment and ledger applets (issue 8) from the seeds profile:
 * - the blank card (SIM factory state + blank payment/ledger applets) personalized over APDUs
 *   equals the offline `personalize -o` image byte for byte, with the same seeded RNG (guards the
 *   two paths drifting apart, and the on-card keys being generated from a different RNG draw);
 * - the dry run masks every code and key; a second personalization is refused (6985);
 * - blank applets answer their normal commands with 6985; PERSO_STORE_DATA's error SWs (6982
 *   without ADM1, 6A86, 6A80, 6A84) change nothing;
 * - a tear at every write of every payment/ledger block leaves the applet blank-or-complete per
 *   block (never half a key, never keys without the "personalized" state).
 */
import { describe, expect, it } from 'vitest';
import { Card, SeededRng, bytesToHex, hexToBytes, tearSweep } from '../../card/runtime/index.js';
import { imageOf, serializeImage } from '../../card/image/index.js';
import { loadProfileFile } from '../../host/profile/load.js';
import { personalizeCard } from '../../host/profile/personalize.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { actorsFrom, demoSecrets } from '../../host/backend/actors.js';
import { personalizationScript, personalizeOverApdu, renderScript } from '../../host/profile/apdu/run.js';
import { blankCard, layoutOf } from '../../host/profile/apdu/applets.js';
import { isdPersonalizationOf } from '../../host/profile/isd.js';
import { PAYMENT_AID } from '../../apdu-specs/payment.js';
import { LEDGER_AID, SIM_APPLET_AID, WALLET_AID } from '../../apdu-specs/index.js';
import type { Profile } from '../../host/profile/schema.js';
import { admValue, pinField } from '../../host/profile/apdu/script.js';
import { verifyCardCertificate } from '../../host/backend/payment/issuer.js';
import fc from 'fast-check';
import { sessionArb } from '../fuzz/arbitraries.js';
import { isErrorSw } from '../fuzz/oracle.js';
import { describeSw } from '../../apdu-specs/status-words.js';
import { imageCells } from '../helpers/image-cells.js';
import { imsiHash } from '../../card/protocol/index.js';
import { OPEN_PLATFORM_ISD_AID as ISD_AID, TEST_KEY_HEX } from '../../card/applets/isd/index.js';
import { openSecureChannel, type GpSession } from '../../host/gp/session.js';

const SEEDS = new URL('../../profiles/example-seeds.yaml', import.meta.url).pathname;
const SIM = new URL('../../profiles/example-sim.yaml', import.meta.url).pathname;
const NOW = Date.UTC(2026, 0, 1);
const actors = actorsFrom(demoSecrets(), () => NOW);
const profile = (): Profile => loadProfileFile(SEEDS);

const blank = (p: Profile, seed = 'seeds'): Card =>
  blankCard({ personality: p.personality, adm1: p.pins.adm1, ...(p.atr ? { atr: p.atr } : {}), rng: new SeededRng(seed), applets: layoutOf(p) });

async function overApdu(p: Profile, seed = 'seeds'): Promise<Card> {
  const card = blank(p, seed);
  await personalizeOverApdu(new EmulatorTransport(card), p, { actors, file: SEEDS });
  card.reset();
  return card;
}

const sw = (r: Uint8Array): string => bytesToHex(r.subarray(r.length - 2));
const TEST_KEYS = { enc: hexToBytes(TEST_KEY_HEX), mac: hexToBytes(TEST_KEY_HEX), dek: hexToBytes(TEST_KEY_HEX) };
/** INSTALL [for personalization] data: 00 00 ‖ Lapp ‖ AID ‖ 00 00 00. */
const installPerso = (aid: string): string => `0000${(aid.length / 2).toString(16).padStart(2, '0')}${aid}000000`;
const installPersoApdu = (aid: string): string => `80e62000${(installPerso(aid).length / 2).toString(16).padStart(2, '0')}${installPerso(aid)}00`;
/** The cells of the payment, ledger and wallet instances (the ISD's counters move with every session). */
const appletCells = (img: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(img).filter(([k]) => k.startsWith(WALLET_AID) || k.startsWith(PAYMENT_AID) || k.startsWith(LEDGER_AID)));
/** An SCP03 session (C-MAC) with the ISD of `card`, opened by the host code `personalize` uses. */
async function isdSession(card: Card): Promise<GpSession> {
  const t = new EmulatorTransport(card);
  await t.connect();
  expect(sw(await t.transmit(hexToBytes(sel(ISD_AID))))).toMatch(/^(9000|61..)$/);
  return openSecureChannel(t, { keys: TEST_KEYS, scp: '03', level: 'mac' });
}
const tx = (c: Card, h: string): Uint8Array => c.transmit(hexToBytes(h.replace(/\s+/g, '')));
const sel = (aid: string): string => `00a40400${(aid.length / 2).toString(16).padStart(2, '0')}${aid}`;
const persistent = (c: Card): Record<string, string> => imageCells(imageOf(c));
const ADM = `0020000a08${bytesToHex(pinField(admValue(profile().pins.adm1)))}`;

/**
 * The image JSON with the payment certificate cell set aside: it differs between ANY two
 * personalizations by design — the issuer CA (host/backend/payment/issuer.ts) draws 4 random bytes
 * of each certificate's serial number on the host (RFC 5280 §4.1.2.2 uniqueness), so the TBS and
 * the issuer's signature differ. `sameCertificate` checks what must agree in it.
 */
const CERT = `${PAYMENT_AID}/certificate`;
function withoutCert(c: Card): string {
  const img = imageOf(c);
  const applets = img.applets.map((a) => (`${a.aid}/certificate` === CERT ? { ...a, fields: { ...a.fields, certificate: '(issuer-random serial)' } } : a));
  expect(applets).not.toEqual(img.applets);
  return JSON.stringify({ ...img, applets }, null, 2);
}
function sameCertificate(a: Card, b: Card): void {
  const cert = (c: Card): Uint8Array => {
    const cell = hexToBytes(persistent(c)[CERT]!);
    return cell.subarray(2, 2 + ((cell[0]! << 8) | cell[1]!));
  };
  const [x, y] = [verifyCardCertificate(cert(a), actors.paymentIssuer.publicKey), verifyCardCertificate(cert(b), actors.paymentIssuer.publicKey)];
  expect(bytesToHex(x.publicKey)).toBe(bytesToHex(y.publicKey));
  expect(bytesToHex(x.cardId)).toBe(bytesToHex(y.cardId));
  expect(cert(a).length).toBeGreaterThan(300);
}

describe('APDU personalization of the payment and ledger applets (seeds profile)', () => {
  it('a blank card personalized over APDUs equals the offline image byte for byte, but for the issuer-random serial in the payment certificate (same seeded RNG: same on-card keys)', async () => {
    const p = profile();
    const apdu = await overApdu(p);
    const offline = await personalizeCard(p, SEEDS, actors, { rng: new SeededRng('seeds') });
    expect(withoutCert(apdu)).toBe(withoutCert(offline));
    sameCertificate(apdu, offline);
    // The keys were generated on the card (non-zero) and certified.
    const img = persistent(apdu);
    expect(img[`${PAYMENT_AID}/ecdsa.public`]).toMatch(/^04/);
    expect(img[`${LEDGER_AID}/publicKey`]).toMatch(/^04/);
    expect(img[`${LEDGER_AID}/certified`]).toBe('01');
    // The e-wallet (issue 18): personalized from the same values, bound to the profile's IMSI.
    expect(img[`${WALLET_AID}/publicKey`]).toMatch(/^04/);
    expect(img[`${WALLET_AID}/walletId`]).toBe(p.wallet!.wallet_id.toLowerCase());
    expect(img[`${WALLET_AID}/imsiHash`]).toBe(bytesToHex(imsiHash(p.imsi)));
    expect(img[`${WALLET_AID}/threshold`]).toBe(p.wallet!.threshold.toString(16).padStart(8, '0'));
  });

  it('a wallet-only profile is written over APDUs without back-end keys and equals the offline image; a wallet issuer key other than the back-end\'s is refused on both paths', async () => {
    const sim = loadProfileFile(SIM);
    // Pinned in the profile, the wallet issuer key needs no --backend-keys.
    const p: Profile = { ...sim, wallet: { ...profile().wallet!, issuer_key: bytesToHex(actors.walletIssuer!.publicKey) } };
    const card = blankCard({ personality: p.personality, adm1: p.pins.adm1, ...(p.atr ? { atr: p.atr } : {}), rng: new SeededRng('w'), applets: layoutOf(p) });
    const steps = personalizationScript(p, { file: SIM });
    // The ISD session first, on logical channel 1 (wrong ISD keys stop the run before anything is written); the applet last.
    expect(steps.map((s) => s.label).slice(0, 3)).toEqual([
      'MANAGE CHANNEL open logical channel 1 (for the ISD session)',
      'SELECT Issuer Security Domain by AID on logical channel 1',
      'INITIALIZE UPDATE + EXTERNAL AUTHENTICATE: SCP03, key version 30, C-MAC (the well-known test keys 404142…4F: the profile has no isd: section)',
    ]);
    expect(steps.map((s) => s.label).slice(-3)).toEqual([
      `INSTALL [for personalization] wallet (${WALLET_AID})`,
      expect.stringMatching(/^STORE DATA wallet block 0 \(last/),
      'MANAGE CHANNEL close logical channel 1 (ends the ISD session)',
    ]);
    await personalizeOverApdu(new EmulatorTransport(card), p, { file: SIM });
    card.reset();
    const offline = await personalizeCard(p, SIM, undefined, { rng: new SeededRng('w') });
    expect(serializeImage(card)).toBe(serializeImage(offline));
    expect(persistent(card)[`${WALLET_AID}/perso.blank`]).toBe(persistent(offline)[`${WALLET_AID}/perso.blank`]);
    const other = { ...p, wallet: { ...p.wallet!, issuer_key: bytesToHex(actors.ledgerIssuer.publicKey) } };
    expect(() => personalizationScript(other, { actors, file: SIM })).toThrow(/wallet\.issuer_key: does not match the wallet issuer/);
    await expect(personalizeCard(other, SIM, actors)).rejects.toThrow(/wallet\.issuer_key: does not match the wallet issuer/);
  });

  it('SCP02 and the profile\'s own isd: keys: the card built with those keys, personalized over APDUs under SCP02 (secret DGIs 3DES-encrypted with the session DEK), equals the offline image (its SCP02 sequence counter at 1)', async () => {
    const p: Profile = { ...profile(), isd: { scp: '02', kvn: 0x21, key: '000102030405060708090a0b0c0d0e0f' } };
    const card = blankCard({ personality: p.personality, adm1: p.pins.adm1, rng: new SeededRng('seeds'), applets: layoutOf(p), isd: isdPersonalizationOf(p.isd) });
    const steps = personalizationScript(p, { actors, file: SEEDS });
    expect(steps[2]!.label).toBe('INITIALIZE UPDATE + EXTERNAL AUTHENTICATE: SCP02, key version 21, C-MAC (the profile\'s isd: keys)');
    await personalizeOverApdu(new EmulatorTransport(card), p, { actors, file: SEEDS });
    card.reset();
    const offline = await personalizeCard(p, SEEDS, actors, { rng: new SeededRng('seeds') });
    expect(withoutCert(card)).toBe(withoutCert(offline));
    expect(persistent(card)[`${ISD_AID}/scp02-sequence`]).toBe('0001');
    // The default test keys do not open this card: stopped before anything was written.
    const other = blankCard({ personality: p.personality, adm1: p.pins.adm1, rng: new SeededRng('seeds'), applets: layoutOf(p), isd: isdPersonalizationOf(p.isd) });
    const before = appletCells(persistent(other));
    await expect(personalizeOverApdu(new EmulatorTransport(other), { ...p, isd: { scp: '02' } }, { actors, file: SEEDS })).rejects.toMatchObject({ code: 'ISD_SESSION' });
    expect(appletCells(persistent(other))).toEqual(before);
  });

  it('another RNG seed gives other on-card keys (the equality above is not vacuous)', async () => {
    const p = profile();
    const a = persistent(await overApdu(p, 'seeds'));
    const b = persistent(await overApdu(p, 'other'));
    expect(a[`${PAYMENT_AID}/ecdsa.public`]).not.toBe(b[`${PAYMENT_AID}/ecdsa.public`]);
  });

  it('dry run: no code, credential, MAC key or ADM1 value appears; the keys go in masked blocks', () => {
    const p = profile();
    const text = renderScript(personalizationScript(p, { actors })).toLowerCase();
    const utf = (s: string): string => bytesToHex(new TextEncoder().encode(s));
    const s = p.payment!;
    const secrets = [s.payment_code, s.unblock_code, s.users[0]!.credential, p.ledger!.consent!.code!, p.pins.adm1].map(utf);
    for (const x of [...secrets, utf(s.card_number!), s.mac_key!, s.card_number_key!]) expect(text, x).not.toContain(x.toLowerCase());
    expect(text).toMatch(/store data payment block 3 \(last/);
    expect(text).toMatch(/store data ledger block 1 \(last/);
    // Secret records go as DGI 81xx in "encrypted data" commands (P1 b7b6 = 11), values masked.
    expect(text).toMatch(/81e268014981c210\*{32}81c310\*{32}81c420\*{64}\s+store data payment block 1: payment code, unblock code, mac key \[values encrypted with the dek\]/);
    // The wallet block holds nothing secret: its DGIs read in clear (wallet id, issuer key, IMSI hash), P1 88 (last, DGI, clear).
    expect(text).toMatch(/81e28800[0-9a-f]{2}01c108/);
    expect(text).toMatch(/store data wallet block 0 \(last/);
    expect(text).toContain(`01c108${p.wallet!.wallet_id.toLowerCase()}`);
    expect(text).toContain(`01c641${bytesToHex(actors.walletIssuer!.publicKey)}`);
    // Public values stay readable: the card id and the issuer keys.
    expect(text).toContain(`01c108${s.card_id}`);
    expect(text).toContain(bytesToHex(actors.ledgerIssuer.publicKey));
    // Without the issuers there is no script for these sections.
    expect(() => personalizationScript(p)).toThrow(/--backend-keys/);
  });

  it('a second personalization is refused (ALREADY_PERSONALIZED) and the card is unchanged but for the ISD session counter; the offline card refuses the blocks too', async () => {
    const p = profile();
    const card = await overApdu(p);
    const before = persistent(card);
    await expect(personalizeOverApdu(new EmulatorTransport(card), p, { actors })).rejects.toMatchObject({ code: 'ALREADY_PERSONALIZED' });
    // Unchanged but for the ISD's SCP03 card challenge counter: the run's session (opened first) used one.
    const after = persistent(card);
    const counter = `${ISD_AID}/scp03-counter`;
    expect([before[counter], after[counter]]).toEqual(['000001', '000002']);
    expect({ ...after, [counter]: '' }).toEqual({ ...before, [counter]: '' });
    const off = await personalizeCard(p, SEEDS, actors, { rng: new SeededRng('seeds') });
    off.powerOn();
    expect(sw(tx(off, ADM))).toBe('9000');
    for (const aid of [PAYMENT_AID, LEDGER_AID]) {
      expect(sw(tx(off, sel(aid)))).toMatch(/^(9000|61..)$/);
      expect(sw(tx(off, '80db900003c10100'))).toBe('6985');
    }
  });
});

describe('blank payment / ledger applets', () => {
  const p = profile();
  const fresh = (): Card => blank(p);

  it('answer their normal commands with 6985 until personalized, and nothing changes', () => {
    const card = fresh();
    const before = persistent(card);
    tx(card, sel(PAYMENT_AID));
    expect(sw(tx(card, '80ca7f4900'))).toBe('6985'); // GET DATA public key
    expect(sw(tx(card, '0020008104' + '32343638'))).toBe('6985'); // VERIFY payment code
    tx(card, sel(LEDGER_AID));
    expect(sw(tx(card, '8042000000'))).toBe('6985'); // GET PUBLIC KEY
    expect(sw(tx(card, '8040000000'))).toBe('6985'); // GET INFO
    expect(persistent(card)).toEqual(before);
  });

  it('personalization outside the ISD\'s secure channel is refused and changes nothing: PERSO_STORE_DATA 6982 (even with ADM1 verified), INSTALL / STORE DATA without a session 6982', async () => {
    const card = fresh();
    const before = persistent(card);
    tx(card, sel(PAYMENT_AID));
    const cardId = 'c1080102030405060708';
    expect(sw(tx(card, `80db90000a${cardId}`))).toBe('6982');
    tx(card, sel(SIM_APPLET_AID));
    expect(sw(tx(card, ADM))).toBe('9000');
    for (const aid of [PAYMENT_AID, LEDGER_AID, WALLET_AID]) {
      tx(card, sel(aid));
      expect(sw(tx(card, `80db10000a${cardId}`)), aid).toBe('6982');
    }
    tx(card, sel(ISD_AID));
    expect(sw(tx(card, installPersoApdu(PAYMENT_AID)))).toBe('6982');
    expect(sw(tx(card, `80e2880003${'01c100'}`))).toBe('6982');
    expect(persistent(card)).toEqual(before);
  });

  it('STORE DATA through the ISD: every refusal (block order, DGI coding, secret in clear, TLV checks, mandatory records, user slot, no instance, the ISD itself) changes no applet', async () => {
    const card = fresh();
    const before = appletCells(persistent(card));
    const s = await isdSession(card);
    const send = async (h: string): Promise<string> => sw(await s.transmit(hexToBytes(h)));
    const dgis = (...xs: [number, string][]): string => xs.map(([d, v]) => d.toString(16).padStart(4, '0') + (v.length / 2).toString(16).padStart(2, '0') + v).join('');
    const sd = (p1: number, p2: number, data: string): string => `80e2${p1.toString(16).padStart(2, '0')}${p2.toString(16).padStart(2, '0')}${(data.length / 2).toString(16).padStart(2, '0')}${data}`;
    const enc = (p1: number, p2: number, xs: [number, string][]): string => sd(p1, p2, xs.map(([d, v]) => {
      const e = bytesToHex(s.encryptData(hexToBytes(v)));
      return d.toString(16).padStart(4, '0') + (e.length / 2).toString(16).padStart(2, '0') + e;
    }).join(''));
    const cardId = '0102030405060708';
    expect(await send(installPersoApdu('f0f1f2f3f4f5f6f7f8f9'))).toBe('6a88'); // no such instance
    expect(await send(installPersoApdu(ISD_AID))).toBe('6985'); // the ISD itself
    expect(await send(installPersoApdu(PAYMENT_AID))).toBe('9000');
    expect(await send(sd(0x08, 1, dgis([0x01c1, cardId])))).toBe('6a80'); // block 1 first (the ISD's sequence)
    expect(await send(sd(0x10, 0, '01c10401020304'))).toBe('6a80'); // BER-TLV, not DGI
    expect(await send(sd(0x08, 0, '01c1080102'))).toBe('6a80'); // DGI runs past the data
    expect(await send(sd(0x08, 0, dgis([0x01c2, '31323334'])))).toBe('6a80'); // payment code in clear
    expect(await send(sd(0x08, 0, dgis([0x81c2, '31323334'])))).toBe('6a80'); // secret DGI in a clear command
    expect(await send(sd(0x08, 0, dgis([0x02c1, cardId])))).toBe('6a80'); // DGI neither 01xx nor 81xx
    expect(await send(sd(0x08, 0, dgis([0x01c1, '0102'])))).toBe('6a80'); // card id of 2 bytes
    expect(await send(sd(0x08, 0, dgis([0x01ee, '00'])))).toBe('6a80'); // unknown tag
    expect(await send(sd(0x08, 0, dgis([0x01c5, '04'.padEnd(130, '0')])))).toBe('6a80'); // issuer key not on the curve
    expect(await send(sd(0x88, 0, dgis([0x01c1, cardId])))).toBe('6a80'); // last block without codes and issuer key
    expect(await send(enc(0x68, 0, [[0x81df, '016161']]))).toBe('6a84'); // user slot 15 > maxUsers
    expect(await send(sd(0x68, 0, dgis([0x81c2, '3132333435363738'])))).toBe('6a80'); // "encrypted" value that is not (bad padding)
    expect(await send(installPersoApdu(LEDGER_AID))).toBe('9000');
    expect(await send(sd(0x08, 0, dgis([0x01c2, '03e70000'])))).toBe('6a80'); // currency of 4 bytes
    expect(await send(sd(0x08, 0, dgis([0x01c8, '01000000c9'])))).toBe('6a80'); // consent without its code
    expect(await send(sd(0x08, 0, dgis([0x01c4, '000000ff'])))).toBe('6a80'); // balance without the limit
    expect(appletCells(persistent(card))).toEqual(before);
    // INSTALL [for personalization] again restarts the payment applet's sequence at block 0.
    expect(await send(installPersoApdu(WALLET_AID))).toBe('9000');
    expect(appletCells(persistent(card))).toEqual(before);
  });

  it('tear sweep through the ISD: every wallet/payment/ledger STORE DATA torn at every write leaves the applet as before or as after the block, and the run completes the card as the offline image', async () => {
    const p2 = profile();
    const card = fresh();
    let swept = 0;
    let blocks = 0;
    const appletKeys = (img: Record<string, string>): Record<string, string> =>
      Object.fromEntries(Object.entries(img).filter(([k]) => (k.startsWith(WALLET_AID) || k.startsWith(PAYMENT_AID) || k.startsWith(LEDGER_AID)) && !/\/tries$/.test(k)));
    // The transport the run goes through: each STORE DATA under the ISD's session (CLA 84, INS E2),
    // wrapped once by the host, is swept over every persistent write from the same card state
    // (snapshot: the session's MAC chaining, the ISD's forwarding target and block number), then sent for real.
    class Sweeping extends EmulatorTransport {
      override async transmit(apdu: Uint8Array): Promise<Uint8Array> {
        if ((apdu[0]! & 0xfc) !== 0x84 || apdu[1] !== 0xe2) return super.transmit(apdu);
        blocks++;
        const start = appletKeys(persistent(card));
        const ref = card.snapshot();
        expect(sw(card.transmit(apdu))).toBe('9000');
        const done = appletKeys(persistent(card));
        expect(done).not.toEqual(start);
        card.restore(ref);
        const res = tearSweep(card, apdu, (pt) => {
          if (!pt.torn) return;
          const now = appletKeys(persistent(card));
          const same = (a: Record<string, string>): boolean => Object.keys(a).every((k) => a[k] === now[k]);
          expect(same(start) || same(done), `block ${blocks} torn at write ${pt.point}`).toBe(true);
        });
        expect(sw(res.response)).toBe('9000');
        swept += res.writes;
        card.restore(ref);
        return super.transmit(apdu);
      }
    }
    const sweeping = new Sweeping(card);
    await personalizeOverApdu(sweeping, p2, { actors, file: SEEDS });
    expect(blocks).toBe(7); // wallet 0 (last); payment 0 (settings), 1 (codes), 2 (card number and its key), 3 (user, last); ledger 0, 1 (last)
    expect(swept).toBeGreaterThan(20);
    card.reset();
    const offline = await personalizeCard(p2, SEEDS, actors, { rng: new SeededRng('seeds') });
    expect(withoutCert(card)).toBe(withoutCert(offline));
    sameCertificate(card, offline);
  });

  // The shared oracle (test/fuzz/oracle.ts SessionChecker) cannot run here: its rule 4 ("no try
  // counter increases without the right code") flags personalization itself, which initialises
  // the codes (tries 0 → limit). Rules 1-3 are checked inline; rule 5 holds by construction (the
  // only secrets on a blank card are the ones the session itself wrote).
  it('fuzz (seed 811): blank applets under random, spec-guided and mutated script APDUs: no exception, declared SW, no change on an error SW', () => {
    const steps = personalizationScript(p, { actors, file: SEEDS });
    const corpus = steps.map((s) => s.apdu);
    const card = fresh();
    const snap = card.snapshot();
    let blocks = 0;
    fc.assert(
      fc.property(sessionArb(corpus, 20), (sess) => {
        card.restore(snap);
        const send = (bytes: Uint8Array): void => {
          const before = serializeImage(card);
          const r = card.transmit(bytes);
          const w = (r[r.length - 2]! << 8) | r[r.length - 1]!;
          // 6F00 is what the dispatcher answers for an exception (an applet bug). ENVELOPE is the one
          // command that declares it as an answer: a malformed template in class A0 and a data
          // download no toolkit application takes (TS 51.011 §9.4.6 has no other SW; card/applets/sim/toolkit.ts).
          if (bytes[1] !== 0xc2) expect(w, bytesToHex(bytes)).not.toBe(0x6f00);
          expect(describeSw(w), `${bytesToHex(bytes)} → ${w.toString(16)}`).toBeDefined();
          // A failed code presentation may move its own try counter (OwnerPin), nothing else.
          if (isErrorSw(w) && bytes[1] !== 0x20) expect(serializeImage(card), bytesToHex(bytes)).toBe(before);
          if (w === 0x9000 && bytes[1] === 0xdb) blocks++;
        };
        for (let i = 0; i < sess.prefix; i++) send(corpus[i]!);
        for (const op of sess.ops) {
          if (op.kind === 'reset') {
            card.reset();
            card.powerOn();
          } else send(op.bytes);
        }
      }),
      { seed: 811, numRuns: 150 },
    );
    expect(blocks).toBeGreaterThan(0);
  }, 60_000);
});
