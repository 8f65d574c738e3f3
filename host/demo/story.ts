/**
 * `cardforge demo`: the seeds' story on an emulated card, no hardware. The card is personalized
 * from the bundled profile (profiles/example-seeds.yaml) with the fixed demo back-end keys, then:
 * PIN unlock; subscriber identification (RAND → SRES checked by the AuC, SFR seed); a purchase
 * signed after the payment code and checked by the payment server (SFR, with identification
 * before payment); the e-wallet paying a small amount from its purse and sending a large one to
 * the payment card (SFR); the editor's issuer-certified key registered (REGISTER EDITOR) and a
 * pay-per-use debit for the card's one-use challenge whose receipt the software verifies and
 * which the card refuses to accept twice (France Telecom);
 * export of the usage log, settlement per editor, and the reload the issuer authorises.
 * Each step prints its APDUs decoded from apdu-specs and a verdict.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SeededRng, VirtualClock, bytesToHex, hexToBytes, concat, splitResponse } from '../../card/runtime/index.js';
import { sha256 } from '../../card/algorithms/index.js';
import { imsiHash } from '../../card/protocol/index.js';
import { EmulatorTransport } from '../transport/index.js';
import { parseProfileText } from '../profile/load.js';
import { personalizeCard } from '../profile/personalize.js';
import { actorsFrom, demoSecrets } from '../backend/actors.js';
import { AuC } from '../backend/auc.js';
import { CardCompanyServer, PaymentGateway, PaymentServer as PurchaseServer, ProfileForwarder, ProfileSettlementServer } from '../backend/payment/index.js';
import { PaymentCardClient } from '../backend/payment/card-client.js';
import { LedgerCard, LedgerCardError, OfferSigner, SettlementServer, SigningKey, SoftwareInterface } from '../backend/ledger/index.js';
import { checkWalletReceipt, WalletCard } from '../backend/wallet/index.js';
import { ExchangeDecoder } from '../trace/decode.js';
import { DemoReport, type DemoOutput } from './report.js';

/** The bundled profile: found by walking up from this module (works from sources, dist/ and test builds). */
function bundledProfile(): URL {
  for (let up = '../'; up.length < 30; up += '../') {
    const u = new URL(`${up}profiles/example-seeds.yaml`, import.meta.url);
    if (existsSync(u)) return u;
  }
  return new URL('../../../profiles/example-seeds.yaml', import.meta.url);
}

export const STORY_PROFILE = bundledProfile();

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const hx = (b: Uint8Array): string => bytesToHex(b).toUpperCase();
const equalHex = (a: Uint8Array, b: Uint8Array): boolean => bytesToHex(a) === bytesToHex(b);
/** The code of the error fn throws, or 'accepted'. */
function refusal(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).message;
  }
}

export async function runSeedStory(out: DemoOutput, profileUrl: URL = STORY_PROFILE): Promise<{ passed: number; failed: number }> {
  const report = new DemoReport(out);
  const step = (title: string): void => report.step(title);
  const verdict = (ok: boolean, what: string): boolean => report.verdict(ok, what);

  // A fixed virtual time keeps the story byte-for-byte repeatable (certificates, records, receipts).
  const clock = new VirtualClock(Date.UTC(2026, 0, 15, 9, 30));
  const now = (): number => clock.now();
  const actors = actorsFrom(demoSecrets(), now);
  const text = readFileSync(profileUrl, 'utf8');
  const file = profileUrl.pathname.split('/').slice(-2).join('/');
  const profile = parseProfileText(text, file);

  step(`0. Personalize an emulated card from ${file}`);
  const card = await personalizeCard(profile, file, actors, { rng: new SeededRng('cardforge demo story'), clock });
  out.line(`   ATR ${hx(card.atr)} (${card.protocol}); applets: ${card.applets.map((a) => `${a.type} ${a.aidHex.toUpperCase()}`).join(', ')}`);
  const types = card.applets.map((a) => a.type).sort();
  verdict(
    types.join(',') === ['cardforge.isd', 'cardforge.ledger', 'cardforge.payment', 'cardforge.sim', 'cardforge.wallet'].join(','),
    'SIM/USIM, e-wallet, payment and ledger applets and the issuer security domain installed; the issuers certified the keys the card generated',
  );

  const transport = new EmulatorTransport(card);
  let show = true;
  const decoder = new ExchangeDecoder();
  transport.on('exchange', (cmd, rsp) => {
    const { command: c, response: r } = decoder.decode(cmd, rsp);
    if (!show) return;
    const cmdHex = c.text.toUpperCase();
    out.line(`   > ${(cmdHex.length > 44 ? cmdHex.slice(0, 41) + '…' : cmdHex).padEnd(44)} ${c.name}`);
    const data = hx(r.data);
    const meaning = r.meaning.length > 60 ? r.meaning.slice(0, 57) + '…' : r.meaning;
    out.line(`   < ${((data.length > 36 ? data.slice(0, 33) + '…' : data) + ' ' + r.swHex.toUpperCase()).trim().padEnd(44)} ${meaning}`);
  });
  await transport.connect();
  const send = async (hex: string): Promise<{ data: Uint8Array; sw: number }> => {
    const r = await transport.transmit(hexToBytes(hex));
    return splitResponse(r);
  };
  const pin = (p: string): string => hx(concat(enc(p), new Uint8Array(8 - p.length).fill(0xff)));

  step('1. PIN unlock (TS 51.011 CHV1): a wrong PIN costs a try, the right one unlocks');
  await send('A0A40000023F00');
  await send('A0A40000027F20');
  verdict((await send(`A020000108${pin('0000')}`)).sw === 0x9804, 'wrong CHV1 → 9804 (access condition not fulfilled, tries left)');
  verdict((await send(`A020000108${pin(profile.pins.pin1)}`)).sw === 0x9000, 'right CHV1 → 9000, and the try counter is full again');

  step('2. Subscriber identification (SFR seed): the network sends RAND, the SIM answers SRES, the AuC checks it');
  const auc = new AuC({ random: (n) => new SeededRng(`demo rand ${n}`).fill(new Uint8Array(n)), now });
  auc.addSubscriber({ imsi: profile.imsi, ki: hexToBytes(profile.auth.ki), opc: hexToBytes(profile.auth.opc!), algorithm: profile.auth.algorithm, gsmAlgorithm: profile.auth.gsm_algorithm });
  const triplet = auc.triplet(profile.imsi);
  // T=0 card: the transport fetches the 9F0C answer with GET RESPONSE, as a phone does.
  const sres = await send(`A088000010${hx(triplet.rand)}`);
  verdict(sres.sw === 0x9000 && auc.checkSres(triplet, sres.data.subarray(0, 4)), `AuC: SRES ${hx(sres.data.subarray(0, 4))} matches (Kc ${hx(sres.data.subarray(4, 12))} for ciphering)`);
  const logged = auc.identificationLog().at(-1);
  if (logged) out.line(`   AuC log: IMSI ${logged.imsi} authenticated with RAND ${logged.rand} at ${new Date(logged.at).toISOString()} (${logged.outcome}, confirmable until ${new Date(logged.expiresAt).toISOString()})`);
  const identity = { imsiHash: imsiHash(profile.imsi), rand: triplet.rand };

  step('3. A purchase signed on the card after the payment code (SFR seed; the record carries the IMSI hash and RAND, the server asks the AuC)');
  const purchases = new PurchaseServer({ issuerPublicKey: actors.paymentIssuer.publicKey, requireIdentification: true, identification: auc, now });
  const pay = new PaymentCardClient(transport);
  await pay.select();
  show = false;
  const certificate = await pay.certificate();
  show = true;
  out.line(`   (the server reads the card certificate: ${certificate.length} bytes of X.509 DER from the issuer CA)`);
  const order = { merchantId: enc('bookshop-7'), amount: 1_999, currency: 978, dateTime: new Date(clock.now()), orderHash: sha256(enc('order 4711: 1 book')) };
  const req = purchases.begin(order);
  const noCode = await pay.sign({ ...order, challenge: req.challenge });
  verdict(noCode.sw === 0x6982, 'SIGN TRANSACTION without the payment code → 6982');
  verdict((await pay.verifyCode(enc(profile.payment!.payment_code))).sw === 0x9000, 'VERIFY payment code → 9000 (authorises one signature)');
  const signed = await pay.sign({ ...order, challenge: req.challenge });
  let proofCounter = -1;
  try {
    proofCounter = purchases.verify({ certificate, challenge: req.challenge, response: signed.data, identification: 1, identity }).counter;
  } catch (e) {
    out.line(`   server: ${(e as Error).message}`);
  }
  verdict(proofCounter === 1, `payment server: certificate chain, signature, counter ${proofCounter}, every field check out, and the AuC confirms it verified this IMSI with this RAND`);
  let replay = '';
  try {
    purchases.verify({ certificate, challenge: req.challenge, response: signed.data, identification: 1, identity });
  } catch (e) {
    replay = (e as { code?: string }).code ?? 'rejected';
  }
  verdict(replay !== '', `the same signature presented again is rejected (${replay})`);

  step('4. The e-wallet (SFR seed): a small payment from the purse, a large one by the payment card');
  // Same session as step 2: the SIM's identification (IMSI hash) is what the wallet requires.
  const wallet = new WalletCard(transport);
  await wallet.select();
  show = false;
  const walletKey = await wallet.publicKey();
  const purse = await wallet.info();
  show = true;
  const kiosk = enc('kiosk-01');
  const small = { amount: 250, currency: 978, merchantId: kiosk, hostChallenge: new SeededRng('demo wallet small').fill(new Uint8Array(16)) };
  const paidSmall = await wallet.payOrCard(small);
  const receiptOk = paidSmall.path === 'purse' && checkWalletReceipt(walletKey, paidSmall.receipt, { hostChallenge: small.hostChallenge, imsiHash: imsiHash(profile.imsi) });
  verdict(receiptOk, `2.50 EUR ≤ the threshold (${(purse.threshold / 100).toFixed(2)} EUR): paid from the purse; the receipt verifies with the wallet key and names this subscriber (IMSI hash)`);
  const afterSmall = (await wallet.info()).balance;
  verdict(afterSmall === purse.balance - 250, `purse ${purse.balance} → ${afterSmall}, in one atomic step with the counter and the record`);
  const large = { amount: 4_500, currency: 978, merchantId: kiosk, hostChallenge: new SeededRng('demo wallet large').fill(new Uint8Array(16)) };
  const paidLarge = await wallet.payOrCard(large);
  verdict(paidLarge.path === 'payment-card' && (await wallet.info()).balance === afterSmall, '45.00 EUR above the threshold → 6920: the wallet sends it to the payment card, the purse is untouched');
  await pay.select();
  const cardOrder = { merchantId: kiosk, amount: 4_500, currency: 978, dateTime: new Date(clock.now()), orderHash: sha256(enc('kiosk order 12: 1 jacket')) };
  const cardReq = purchases.begin(cardOrder);
  await pay.verifyCode(enc(profile.payment!.payment_code));
  const cardSigned = await pay.sign({ ...cardOrder, challenge: cardReq.challenge });
  let cardCounter = -1;
  try {
    cardCounter = purchases.verify({ certificate, challenge: cardReq.challenge, response: cardSigned.data, identification: 1, identity }).counter;
  } catch (e) {
    out.line(`   server: ${(e as Error).message}`);
  }
  verdict(cardCounter === 2, 'the payment card signs the 45.00 EUR after the payment code; the payment server accepts it (the AuC confirms the identification)');

  step('5. Pay-per-use (France Telecom seed): the issuer-certified editor key is registered, the editor offers for the card challenge, the user consents, the card debits and signs a receipt');
  const ledger = new LedgerCard(transport);
  await ledger.select();
  show = false;
  const ledgerCert = await ledger.certificate();
  show = true;
  // The editor's own offer-signing key (fixed for the demo), certified by the ledger issuer
  // (X.509 for the world, the compact form for the card) and registered on the card: from now on
  // the card verifies this editor's offers with it, not with the editor root.
  const editorId = hexToBytes('ed00000a');
  const editorKey = new OfferSigner(SigningKey.fromSecret(sha256(enc('cardforge demo: editor ed00000a offer key'))));
  const editorCert = actors.ledgerIssuer.certifyEditor(editorId, editorKey.publicKey, { editorName: 'chess engine', keyVersion: 1 });
  let registered = '9000';
  try {
    await ledger.registerEditor(editorCert);
  } catch (e) {
    registered = e instanceof LedgerCardError ? e.sw.toString(16).toUpperCase() : (e as Error).message;
  }
  verdict(registered === '9000', `REGISTER EDITOR ${hx(editorId)} (key version ${editorCert.keyVersion}): the card checked the issuer's signature and keeps the editor's key (X.509: ${editorCert.x509.length} bytes)`);
  const game = new SoftwareInterface(editorId, editorKey, actors.ledgerIssuer.publicKey);
  const { challenge } = await ledger.challenge();
  const offer = game.offer('chess engine: one analysis', 120, 978, challenge, Math.floor(clock.now() / 1000));
  await ledger.verifyCode(enc(profile.ledger!.consent!.code!));
  const receipt = await ledger.debit(offer);
  let price = -1;
  try {
    price = game.acceptReceipt(receipt, ledgerCert).price;
  } catch (e) {
    out.line(`   software: ${(e as Error).message}`);
  }
  verdict(price === 120, 'the software verifies the receipt against its offer and the card certificate: use granted');
  await ledger.verifyCode(enc(profile.ledger!.consent!.code!));
  let again = 'accepted';
  try {
    await ledger.debit(offer);
  } catch (e) {
    again = e instanceof LedgerCardError ? e.sw.toString(16).toUpperCase() : (e as Error).message;
  }
  verdict(again === '6985', `the same DEBIT sent again is refused (${again}): its card challenge was used up`);
  verdict((await ledger.info()).value === 880, 'balance 1000 → 880, the usage record is in the card log');

  step('6. Export of the usage log, settlement per editor, then the reload the issuer authorises');
  const usage = new SettlementServer(actors.ledgerIssuer.publicKey, actors.ledgerServerKey);
  const exported = await ledger.exportLog();
  const imported = usage.importExport(ledgerCert, exported);
  await ledger.ackExport(imported.ack.exportCounter, imported.ack.last, imported.ack.signature);
  const settled = usage.settle();
  verdict(settled.length === 1 && settled[0]!.amount === 120, `server imported ${imported.added} record(s); settlement: editor ${settled[0]?.editorId.toUpperCase()} is owed ${settled[0]?.amount}`);
  const ch = await ledger.challenge();
  const cardId = hexToBytes(profile.ledger!.card_id);
  const balance = await ledger.load(2_000, ch.nextLoadCounter, actors.ledgerIssuer.authorizeLoad(cardId, ch.challenge, 2_000, ch.nextLoadCounter));
  verdict(balance === 2_880, `LOAD 2000 authorised by the issuer over the card challenge: balance ${balance}`);

  step('7. Authentication result with expiry and device id (NTT DoCoMo seed, first embodiment)');
  const gateway = new PaymentGateway({ issuerPublicKey: actors.paymentIssuer.publicKey, now });
  const user = profile.payment!.users[0]!;
  gateway.register({ userId: enc(user.user_id), deviceId: enc(profile.payment!.device_id ?? ''), certificate });
  await pay.select();
  verdict((await pay.verifyUser(0, enc(user.credential))).sw === 0x9000, `VERIFY user ${user.user_id}'s credential on the handset → 9000 (the result is kept ${profile.payment!.token_lifetime_seconds} s)`);
  const tokenAnswer = await pay.getAuthResult(0, gateway.challenge(enc(user.user_id)));
  let token = '';
  try {
    const t = gateway.verifyAuthResult(enc(user.user_id), tokenAnswer.data);
    token = `device ${new TextDecoder().decode(t.deviceId)}, expires ${new Date(t.expiry).toISOString()}`;
  } catch (e) {
    out.line(`   gateway: ${(e as Error).message}`);
  }
  verdict(token !== '', `gateway: the signed result answers its challenge — ${token}`);

  step('8. A new enciphered card number per transaction (NTT DoCoMo seed, second embodiment)');
  const company = new CardCompanyServer();
  company.register(hexToBytes(profile.payment!.card_id), hexToBytes(profile.payment!.card_number_key!));
  const blobs: Uint8Array[] = [];
  for (let i = 0; i < 2; i++) {
    await pay.verifyCode(enc(profile.payment!.payment_code));
    blobs.push((await pay.encipherCardNumber(company.challenge())).data);
  }
  verdict(!equalHex(blobs[0]!, blobs[1]!), 'two transactions, two different enciphered card numbers (the terminal never sees the number)');
  let recovered = '';
  try {
    recovered = company.decipher(blobs[1]!).cardNumber;
  } catch (e) {
    out.line(`   card company: ${(e as Error).message}`);
  }
  verdict(recovered === profile.payment!.card_number, `card company server deciphers the forwarded blob: card number …${recovered.slice(-4)}, counter fresh`);
  verdict(refusal(() => company.decipher(blobs[1]!)) === 'UNKNOWN_CHALLENGE', `the same blob presented again is refused (${refusal(() => company.decipher(blobs[1]!))})`);

  step('9. The encrypted profile forwarded unopened to settlement (Mall Service seed, claim 3)');
  const cardCh = await pay.getChallenge();
  verdict((await pay.storeProfile(actors.authServer.enrol(hexToBytes(profile.payment!.card_id), cardCh, enc('name=Alice;card=4970…9012')))).sw === 0x9000, 'STORE PROFILE: the authentication server\'s 1st-cipher blob, authorised over a card challenge');
  const settlement = new ProfileSettlementServer({ issuerPublicKey: actors.paymentIssuer.publicKey, profileKey: actors.authServer.profileKeyForSettlement(), now });
  const orderDigest = sha256(enc('order 4712: 1 umbrella'));
  await pay.verifyCode(enc(profile.payment!.payment_code));
  const forwarded = await new ProfileForwarder().forward(pay, orderDigest, settlement.challenge(orderDigest));
  let personal = '';
  try {
    personal = new TextDecoder().decode(settlement.settle(forwarded).personalInformation);
  } catch (e) {
    out.line(`   settlement: ${(e as Error).message}`);
  }
  verdict(personal.startsWith('name=Alice'), 'the terminal forwarded the blob without a key; the settlement server checked the card\'s approval and deciphered it');
  verdict(refusal(() => settlement.settle(forwarded)) === 'UNKNOWN_CHALLENGE', 'the same release forwarded again is refused (UNKNOWN_CHALLENGE)');

  await transport.close();
  return report.finish();
}
