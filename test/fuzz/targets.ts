/**
 * The cards the fuzzers and golden transcripts run against, one per applet, each personalized the
 * way its own tests do it (SIM/USIM from profiles/example-sim.yaml via buildCard; payment through
 * the payment fixture's makeRig, certified by the issuer CA; ledger through the ledger fixture's
 * makeCard), all deterministic (seeded RNG, virtual clock), and the real session each golden
 * transcript records (`session`). `fresh()` restores the personalized state from a snapshot, so a
 * fuzz run costs no personalization.
 */
import { join } from 'node:path';
import { Card, SeededRng, VirtualClock, bytesToHex, concat, hexToBytes, type CardSnapshot } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { USIM_AID } from '../../card/applets/sim/index.js';
import { buildCard } from '../../host/profile/build.js';
import { loadProfileFile } from '../../host/profile/load.js';
import { AuC } from '../../host/backend/auc.js';
import { apdu as papdu } from '../../host/backend/payment/card-client.js';
import { PAYMENT_DATA_OBJECTS as DO } from '../../apdu-specs/payment.js';
import { REPO } from '../cli/built-cli.js';
import { personalizeCard } from '../../host/profile/personalize.js';
import { actorsFrom, demoSecrets } from '../../host/backend/actors.js';
import { PAYMENT_AID, LEDGER_AID } from '../../apdu-specs/index.js';
import { makeRig, order, selectCmd, fakeAuthCmd, selectSimCmd } from '../applets/payment/fixture.js';
import { makeCard, apdu as lapdu, offerFor, challengeOf, ISSUER, CARD_ID, CODE, readU32Safe } from './ledger-glue.js';
import { OfferSigner, SigningKey } from '../../host/backend/ledger/index.js';
import { loadGolden } from '../golden/transcript.js';
import { makeWalletCard, apdu as wapdu, payRequest, ISSUER as WALLET_ISSUER, WALLET_ID } from '../applets/wallet/fixture.js';
import { encodeSignFields } from '../../card/protocol/index.js';
import { installIsd, ISD_AID } from '../../card/applets/isd/index.js';
import { HostSession } from '../applets/isd/host.js';

export type Send = (command: Uint8Array, note?: string) => Uint8Array;

export interface FuzzTarget {
  readonly name: 'loopback' | 'sim' | 'payment' | 'ledger' | 'wallet' | 'seeds' | 'isd';
  /** The session's commands used as the corpus; default: the golden transcript of `name`. */
  readonly corpus?: readonly Uint8Array[];
  readonly card: Card;
  /** Back to the freshly personalized, powered card. */
  fresh(): void;
  /** The real session the golden transcript records. */
  session(send: Send): void;
}

const h = (s: string): Uint8Array => hexToBytes(s.replace(/\s+/g, ''));
const pinField = (pin: string): string => bytesToHex(new TextEncoder().encode(pin)).padEnd(16, 'f');

function snapshotTarget(name: FuzzTarget['name'], card: Card, session: FuzzTarget['session']): FuzzTarget {
  const snap: CardSnapshot = card.snapshot();
  return { name, card, fresh: () => card.restore(snap), session };
}

export function loopbackTarget(): FuzzTarget {
  const card = new Card({ rng: new SeededRng('fuzz-loopback'), clock: new VirtualClock() });
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  card.powerOn();
  return snapshotTarget('loopback', card, (send) => {
    send(h(`00a404000a${LOOPBACK_AID}`), 'SELECT the loopback applet');
    send(h('8012000010'), 'FIXED16');
    send(h('801000000401020304 00'), 'ECHO case 4');
    send(h('8014000003616263 20'), 'SHA-256("abc")');
    send(h('8016000003010203'), 'TX3 commits a=1 b=2 c=3');
    send(h('8016010003090909'), 'TX3 P1=01 fails after two writes: aborted');
    send(h('8018000003'), 'READ_STATE: still 01 02 03');
    send(h('0084000008'), 'GET CHALLENGE (seeded)');
    send(h('801e0000'), 'THROW: 6F00, the card keeps working');
    send(h('8012000005'), 'wrong Le on T=1: data and 9000... or 6Cxx');
  });
}

export function simTarget(): FuzzTarget {
  const file = join(REPO, 'profiles/example-sim.yaml');
  const profile = loadProfileFile(file);
  const card = buildCard(profile, file, { rng: new SeededRng('fuzz-sim'), clock: new VirtualClock(Date.UTC(2026, 0, 1)) });
  const auc = new AuC({ random: (n) => new Uint8Array(n).fill(0x5a) });
  auc.addSubscriber({ imsi: profile.imsi, ki: h(profile.auth.ki), opc: h(profile.auth.opc!), algorithm: 'milenage', gsmAlgorithm: 'gsm-milenage', sqn: 0 });
  const target = snapshotTarget('sim', card, (send) => {
    const getResponse = (r: Uint8Array, cla: string): Uint8Array => (r.length === 2 && (r[0] === 0x9f || r[0] === 0x61) ? send(h(`${cla}c00000${bytesToHex(r.subarray(1))}`)) : r);
    getResponse(send(h('a0a40000023f00'), 'classic: SELECT MF'), 'a0');
    getResponse(send(h('a0a40000022fe2'), 'SELECT EF_ICCID'), 'a0');
    send(h('a0b000000a'), 'READ BINARY ICCID');
    getResponse(send(h('a0a40000027f20'), 'SELECT DF_GSM'), 'a0');
    getResponse(send(h('a0a40000026f07'), 'SELECT EF_IMSI'), 'a0');
    send(h('a0b0000009'), 'READ BINARY IMSI before CHV1: 9804');
    send(h(`a020000108${pinField('0000')}`), 'VERIFY CHV1 wrong: 9804, one try gone');
    send(h(`a020000108${pinField('1234')}`), 'VERIFY CHV1: 9000, counter back to 3');
    send(h('a0b0000009'), 'READ BINARY IMSI');
    getResponse(send(h('a08800001000112233445566778899aabbccddeeff'), 'RUN GSM ALGORITHM (GSM-Milenage)'), 'a0');
    getResponse(send(h('a0a40000026f39'), 'SELECT EF_ACM'), 'a0');
    getResponse(send(h('a032000003000005'), 'INCREASE ACM by 5'), 'a0');
    send(h('a0b2010403'), 'READ RECORD ACM current');
    send(h(`a024000110${pinField('1234')}${pinField('4321')}`), 'CHANGE CHV1 1234 → 4321');
    send(h(`a02c000010${pinField('12345678')}${pinField('1234')}`), 'UNBLOCK CHV1 with PUK1: new CHV1 1234');
    getResponse(send(h(`00a4040410${USIM_AID}`), 'UICC: SELECT ADF USIM'), '00');
    send(h('00200001'), 'empty VERIFY PIN1: retries left');
    send(h(`0020000108${pinField('1234')}`), 'VERIFY PIN1');
    const v = auc.quintuplet(profile.imsi, { rand: h('0123456789abcdef0123456789abcdef') });
    getResponse(send(h(`008800812210${bytesToHex(v.rand)}10${bytesToHex(v.autn)}`), 'AUTHENTICATE 3G context'), '00');
    send(h(`008800812210${bytesToHex(v.rand)}10${bytesToHex(v.autn)}`), 'the same vector again: synchronisation failure (AUTS)');
    getResponse(send(h('00a40004026f07'), 'SELECT EF_IMSI under ADF USIM'), '00');
    send(h('00b0000009'), 'READ BINARY IMSI');
    send(h(`002000010a${pinField('0000')}ffff`), 'VERIFY with a wrong length: 6700');
    send(h('a0f200000d'), 'classic STATUS');
  });
  // The golden session, then the SIM/USIM on logical channels 1 and 19 (class 01, 4F, 81, CF) and
  // the T=0 case-1 forms terminals send: mutations spread these over channels 0..19.
  const usim7 = USIM_AID.slice(0, 14);
  const channels = [
    '0070000001', `01a4040c07${usim7}`, '01a4000c026fad', '01b0000004', '0120000100', '81f2000c00', '81f2000000',
    '0070001300', `4fa4040c07${usim7}`, '4fa4000c026fb7', '4fb2010404', '4fb2000204', 'cff2000c00', '4f20000100',
    '0170000001', '02a4000c026f07', '02b0000009', '0070800200', '0070000000', '00c0000001',
    '0020000100', 'a020000100', '002c000100', '80f2000c00', 'a0f2000016', 'a0fa000000', '0004000000', '0070801300',
  ].map(h);
  return { ...target, corpus: [...loadGolden('sim').map((e) => e.command), ...channels] };
}

export async function paymentTarget(): Promise<FuzzTarget> {
  const rig = await makeRig({}, 'fuzz-payment');
  const card = rig.card;
  return snapshotTarget('payment', card, (send) => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    send(selectCmd(), 'SELECT payment applet');
    send(papdu(0x80, 0xca, DO.CARD_ID >> 8, DO.CARD_ID & 0xff, undefined, 0x100), 'GET DATA card id');
    send(papdu(0x80, 0xca, DO.STATUS >> 8, DO.STATUS & 0xff, undefined, 0x100), 'GET DATA status');
    send(papdu(0x00, 0x20, 0x00, 0x81, enc('0000')), 'VERIFY wrong code: 63C2');
    const ch = send(papdu(0x00, 0x84, 0x00, 0x00, undefined, 16), 'GET CHALLENGE').subarray(0, 16);
    send(papdu(0x80, 0x50, 0x00, 0x00, encodeSignFields({ ...order(), challenge: ch }), 0x100), 'SIGN before the code: 6982');
    send(papdu(0x00, 0x20, 0x00, 0x81, enc('1234')), 'VERIFY payment code');
    send(papdu(0x80, 0x50, 0x00, 0x00, encodeSignFields({ ...order(), challenge: ch }), 0x100), 'SIGN TRANSACTION (ECDSA)');
    send(papdu(0x00, 0x20, 0x00, 0x81, enc('1234')), 'VERIFY again');
    const ch2 = send(papdu(0x00, 0x84, 0x00, 0x00, undefined, 16)).subarray(0, 16);
    send(papdu(0x80, 0x50, 0x01, 0x00, encodeSignFields({ ...order({ amount: 99 }), challenge: ch2 }), 0x100), 'SIGN TRANSACTION (CMAC)');
    send(papdu(0x00, 0x2c, 0x01, 0x81, enc('00000000')), 'RESET RETRY COUNTER wrong unblock code');
    send(papdu(0x00, 0x2c, 0x01, 0x81, enc('87654321')), 'RESET RETRY COUNTER');
    send(papdu(0x80, 0x54, 0x00, 0x00, new Uint8Array(16).fill(5), 0x100), 'ENCIPHER CARD NUMBER before the code: 6982');
    send(papdu(0x00, 0x20, 0x00, 0x81, enc('1234')), 'VERIFY for the card number');
    send(papdu(0x80, 0x54, 0x00, 0x00, new Uint8Array(16).fill(6), 0x100), 'ENCIPHER CARD NUMBER (DoCoMo second embodiment)');
    send(papdu(0x00, 0x20, 0x00, 0x01, enc('alice')), 'VERIFY user slot 1 wrong reference');
    send(papdu(0x80, 0x52, 0x00, 0x00, new Uint8Array(16).fill(3), 0x100), 'GET AUTH RESULT without user verification');
    send(selectSimCmd(), 'SELECT the SIM-fact applet');
    send(fakeAuthCmd(1), 'subscriber authenticated (session fact)');
    send(selectCmd(), 'SELECT payment applet again');
    send(papdu(0x80, 0xca, DO.STATUS >> 8, DO.STATUS & 0xff, undefined, 0x100), 'GET DATA status');
  });
}

const FUZZ_EDITOR_ID = Uint8Array.of(0xed, 0xf0, 0x22, 0x01);
const FUZZ_EDITOR = new OfferSigner(SigningKey.fromSecret(new Uint8Array(32).fill(0x5e)));
const FUZZ_EDITOR_OLD = new OfferSigner(SigningKey.fromSecret(new Uint8Array(32).fill(0x5d)));

export function ledgerTarget(): FuzzTarget {
  const card = makeCard({ consent: 'above', threshold: 500, seed: 'fuzz-ledger' });
  return snapshotTarget('ledger', card, (send) => {
    send(lapdu.info(), 'GET INFO');
    send(lapdu.pubKey(), 'GET PUBLIC KEY');
    send(lapdu.cert(), 'GET CERTIFICATE');
    // Each DEBIT answers the card's one-use challenge (issue 18), fetched just before it.
    const offer = (price: number, o: Parameters<typeof offerFor>[2] = {}): ReturnType<typeof offerFor> => offerFor(challengeOf(send(lapdu.challenge(), 'GET CHALLENGE for a DEBIT')), price, o);
    const first = offer(120);
    send(lapdu.debit(first), 'DEBIT 120 (below the consent threshold)');
    send(lapdu.lastReceipt(), 'GET LAST RECEIPT');
    send(lapdu.debit(first), 'the same DEBIT again: its challenge is used (6985)');
    send(lapdu.challenge(), 'GET CHALLENGE');
    send(lapdu.debit(first), 'the same DEBIT with another challenge outstanding: 6912');
    send(lapdu.debit(offer(600)), 'DEBIT 600 above the threshold without the code');
    send(lapdu.verify(new TextEncoder().encode('0000')), 'VERIFY wrong code');
    send(lapdu.verify(CODE), 'VERIFY code');
    send(lapdu.debit(offer(600)), 'DEBIT 600 with consent');
    send(lapdu.debit(offer(5000)), 'DEBIT past the balance: 6910');
    const editorCert = ISSUER.certifyEditor(FUZZ_EDITOR_ID, FUZZ_EDITOR.publicKey, { keyVersion: 1 });
    send(lapdu.registerEditor(editorCert), 'REGISTER EDITOR (seed 004: the issuer-certified editor key)');
    send(lapdu.debit(offer(7, { editor: FUZZ_EDITOR_ID, signer: FUZZ_EDITOR })), "DEBIT signed with the registered editor's key");
    send(lapdu.registerEditor({ ...editorCert, signature: new Uint8Array(64) }), 'REGISTER EDITOR with a forged signature: 6916');
    send(lapdu.registerEditor(ISSUER.certifyEditor(FUZZ_EDITOR_ID, FUZZ_EDITOR_OLD.publicKey, { keyVersion: 0 })), 'REGISTER EDITOR with an older key version: 6912 (no rollback)');
    send(lapdu.readRecord(1), 'READ RECORD newest usage');
    const chr = send(lapdu.challenge(), 'GET CHALLENGE for LOAD');
    const counter = readU32Safe(chr, 16);
    send(lapdu.load(100, counter, ISSUER.authorizeLoad(CARD_ID, chr.subarray(0, 16), 100, counter)), 'LOAD refused: records not exported (6913)');
    send(lapdu.exportLog(), 'EXPORT LOG');
    send(lapdu.info(), 'GET INFO');
  });
}

/**
 * The e-wallet (seed 000) with the test SIM-fact applet: PAY before and after the subscriber was
 * authenticated, below and above the threshold, replayed, another currency; LOAD and its replay.
 */
export function walletTarget(): FuzzTarget {
  const card = makeWalletCard({ threshold: 500, authenticated: false, seed: 'fuzz-wallet' });
  return snapshotTarget('wallet', card, (send) => {
    const fixed = (i: number): Uint8Array => h(`c0${i.toString(16).padStart(2, '0')}0000000000000000000000000000`);
    send(wapdu.info(), 'GET INFO');
    send(wapdu.pubKey(), 'GET PUBLIC KEY');
    send(wapdu.pay(payRequest(120, { challenge: fixed(1) })), 'PAY before the subscriber was authenticated: 6982');
    send(wapdu.selectSim(), 'SELECT the SIM-fact applet');
    send(wapdu.authenticate(), 'subscriber authenticated (session fact)');
    send(wapdu.select(), 'SELECT the wallet');
    send(wapdu.pay(payRequest(120, { challenge: fixed(1) })), 'PAY 120 from the purse');
    send(wapdu.lastReceipt(), 'GET LAST RECEIPT');
    send(wapdu.pay(payRequest(120, { challenge: fixed(1) })), 'the same host challenge again: 6922');
    send(wapdu.pay(payRequest(600, { challenge: fixed(2) })), 'PAY 600 above the threshold: 6920, use the payment card');
    send(wapdu.pay(payRequest(50, { challenge: fixed(3), currency: 840 })), 'another currency: 6A80');
    send(wapdu.pay(payRequest(500, { challenge: fixed(4) })), 'PAY 500 at the threshold');
    const ch = send(wapdu.challenge(), 'GET CHALLENGE for LOAD');
    const counter = readU32Safe(ch, 16);
    const load = wapdu.load(300, counter, WALLET_ISSUER.authorizeLoad(WALLET_ID, ch.subarray(0, 16), 300, counter));
    send(load, 'LOAD 300');
    send(load, 'the same LOAD again: no challenge (6985)');
    send(wapdu.pay(payRequest(450, { challenge: fixed(5) })), 'PAY 450');
    send(wapdu.info(), 'GET INFO');
  });
}

/**
 * The whole seeds card (SIM + payment + ledger, profiles/example-seeds.yaml, demo back-end keys)
 * with the payment applet open on logical channel 1 and the ledger on channel 2: commands cross
 * channels and applets share session facts (identification, ADM1).
 */
export async function seedsTarget(): Promise<FuzzTarget> {
  const file = join(REPO, 'profiles/example-seeds.yaml');
  const profile = loadProfileFile(file);
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const card = await personalizeCard(profile, file, actorsFrom(demoSecrets(), () => clock.now()), { rng: new SeededRng('fuzz-seeds'), clock });
  card.powerOn();
  for (const c of ['0070000001', `01a404000a${PAYMENT_AID}`, '0070000001', `02a404000a${LEDGER_AID}`]) card.transmit(h(c));
  const session: FuzzTarget['session'] = (send) => {
    send(h('a0a40000023f00'), 'channel 0, SIM: SELECT MF');
    send(h('a0a40000027f20'), 'SELECT DF_GSM');
    send(h(`a020000108${pinField('1234')}`), 'VERIFY CHV1');
    send(h('a08800001000112233445566778899aabbccddeeff'), 'RUN GSM ALGORITHM: subscriber identified in this session');
    send(h('81ca00c108'), 'channel 1, payment: GET DATA card id');
    send(h(`0120008104${bytesToHex(new TextEncoder().encode('2468'))}`), 'channel 1: VERIFY payment code');
    send(h('8240000026'), 'channel 2, ledger: GET INFO');
    send(h(`0220008104${bytesToHex(new TextEncoder().encode('2468'))}`), 'channel 2: VERIFY payment code (consent)');
    send(h('00708001'), 'close channel 1');
  };
  const target = snapshotTarget('seeds', card, session);
  const corpus: Uint8Array[] = [];
  target.session((c) => {
    corpus.push(c);
    return card.transmit(c);
  });
  target.fresh();
  return { ...target, corpus };
}

/**
 * The Issuer Security Domain alone, default-selected (issue 21), with the test keys: the session
 * opens SCP03 at C-DECRYPTION + C-MAC and SCP02 at C-MAC with a node:crypto host
 * (test/applets/isd/host.ts) and runs GET DATA, GET STATUS, STORE DATA, PUT KEY, SET STATUS and
 * DELETE through them. Its commands are deterministic (fixed host challenges, the SCP03 card
 * challenge counter and the SCP02 sequence counter in the snapshot), so the golden transcript holds.
 */
export function isdTarget(): FuzzTarget {
  const card = new Card({ rng: new SeededRng('fuzz-isd'), clock: new VirtualClock(Date.UTC(2026, 0, 1)) });
  installIsd(card, {}, { default: true });
  card.powerOn();
  const key = h('404142434445464748494a4b4c4d4e4f');
  const keys = { enc: key, mac: key, dek: key };
  return snapshotTarget('isd', card, (send) => {
    const data = (r: Uint8Array): Uint8Array => r.subarray(0, r.length - 2);
    send(h(`00a4040008${ISD_AID}00`), 'SELECT the ISD: its FCI');
    send(h('80ca9f7f00'), 'GET DATA CPLC');
    send(h('80ca006600'), 'GET DATA card data');
    send(h('80ca00e000'), 'GET DATA key information template');
    let s = new HostSession(keys, h('1122334455667788'));
    s.accept(data(send(s.initializeUpdate(0x30), 'INITIALIZE UPDATE, SCP03 key set 30')));
    send(s.externalAuthenticate(0x03), 'EXTERNAL AUTHENTICATE, C-DECRYPTION and C-MAC');
    send(s.wrap(h('80f28002'), h('4f00'), true), 'GET STATUS of the ISD (TLV)');
    send(s.wrap(h('80e29000'), h('420400010203')), 'STORE DATA: IIN');
    const k = h('000102030405060708090a0b0c0d0e0f');
    send(s.wrap(h('80d80081'), concat(Uint8Array.of(0x31), s.keyBlock(0x88, k), s.keyBlock(0x88, k), s.keyBlock(0x88, k)), true), 'PUT KEY: AES key set 31');
    send(s.wrap(h('80f0807f')), 'SET STATUS: CARD_LOCKED');
    send(s.wrap(h('80f0800f')), 'SET STATUS: SECURED again');
    send(s.wrap(h('80e40000'), h('d20131'), true), 'DELETE key set 31');
    s = new HostSession(keys, h('8877665544332211'));
    s.accept(data(send(s.initializeUpdate(0x20), 'INITIALIZE UPDATE, SCP02 key set 20')));
    send(s.externalAuthenticate(0x01), 'EXTERNAL AUTHENTICATE, C-MAC');
    send(s.wrap(h('80f28000'), h('4f00'), true), 'GET STATUS of the ISD (legacy)');
    send(h('80f28002024f0000'), 'a plain GET STATUS in a C-MAC session: 6982, the session ends');
    send(h('8482000010' + '00'.repeat(16)), 'EXTERNAL AUTHENTICATE without INITIALIZE UPDATE: 6985');
  });
}

export async function allTargets(): Promise<FuzzTarget[]> {
  return [loopbackTarget(), simTarget(), await paymentTarget(), ledgerTarget(), walletTarget(), await seedsTarget(), isdTarget()];
}
