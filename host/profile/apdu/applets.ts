/**
 * The e-wallet, payment and ledger part of APDU personalization (issue 8, wallet issue 18), after
 * the SIM script, through the Issuer Security Domain (issue 21, gp-steps.ts): the ISD selected on
 * logical channel 1 and its secure channel opened with the profile's isd: keys BEFORE the SIM
 * script (isdPreludeSteps: wrong keys write nothing), then after it per applet INSTALL [for personalization]
 * of its instance and its STORE DATA blocks (DGI records: WALLET_PERSO_TAGS, PAYMENT_PERSO_TAGS,
 * LEDGER_PERSO_TAGS; codes and keys encrypted with the DEK on the wire, masked in the dry run);
 * the last block makes the card generate its key pair. The card is a pre-issued one: its
 * instances exist (blank, with their layout) from manufacture, as the load-and-install of a real
 * card's applets happens at the card maker's before the bureau gets it; a card without one
 * answers INSTALL [for personalization] 6A88 and the run stops there (`cardforge image new
 * --sim-blank --with …` makes such cards). The wallet comes first, as in the offline
 * install order (host/profile/personalize.ts), so the seeded RNG draws its key pair first on both
 * paths. Then certification over APDUs by the issuers (certifyApplets), exactly as the
 * offline path does after install (host/profile/personalize.ts). The values come from the same
 * functions as the offline install (walletPersonalization, paymentPersonalization, ledgerPersonalization), so both
 * paths write the same bytes; with the same seeded RNG the generated keys are the same too.
 * Also: the blank card with the wallet/payment/ledger applets (`cardforge image new --sim-blank --with`).
 */
import { LEDGER_PERSO_SECRET_TAGS, LEDGER_PERSO_TAGS as LT, SIM_APPLET_AID, isPaymentPersoSecretTag, PAYMENT_PERSO_TAGS as PT } from '../../../apdu-specs/index.js';
import { WALLET_PERSO_TAGS as WT } from '../../../apdu-specs/wallet.js';
import { WalletApplet } from '../../../card/applets/wallet/index.js';
import { LedgerApplet, type LedgerParams } from '../../../card/applets/ledger/index.js';
import { PaymentApplet, type PaymentParams } from '../../../card/applets/payment/index.js';
import { bytesToHex, hexToBytes, u16, u32, type Card } from '../../../card/runtime/index.js';
import type { BackendActors } from '../../backend/actors.js';
import type { Transport } from '../../transport/types.js';
import { issueAt, ProfileError } from '../load.js';
import { certifyLedgerCard, LEDGER_KEY_FIELDS, ledgerKeysOf, ledgerParams, ledgerPersonalization } from '../ledger.js';
import { certifyPaymentCard, paymentParams, paymentPersonalization } from '../payment.js';
import type { Profile } from '../schema.js';
import { blankSimCard, type BlankSimOptions } from './blank.js';
import { plainStep, type Step } from './script.js';
import { closeChannelStep, gpOpenStep, gpStoreDataStep, installForPersoStep, ISD_CHANNEL, openChannelStep, selectIsdStep } from './gp-steps.js';
import { isdAccessOf } from '../isd.js';
import { LEDGER_AID, PAYMENT_AID, WALLET_AID } from '../../../card/protocol/index.js';
import { walletPersonalization } from '../wallet.js';


const noSecret = (): boolean => false;
const scpOf = (profile: Profile): '02' | '03' => isdAccessOf(profile.isd).scp;
/** The logical channel of the ISD session (gp-steps.ts ISD_CHANNEL; 0 on classic cards, which have none). */
const chOf = (profile: Profile): number => (profile.personality === 'classic' ? 0 : ISD_CHANNEL);
const hasApplets = (profile: Profile): boolean => profile.payment !== undefined || profile.ledger !== undefined || profile.wallet !== undefined;

/**
 * What goes before the SIM script (UICC personalities): logical channel 1 opened, the ISD selected
 * there and its secure channel opened with the profile's isd: keys — wrong keys stop the run
 * before the SIM or any applet is written. Empty without wallet/payment/ledger sections.
 */
export function isdPreludeSteps(profile: Profile): Step[] {
  if (!hasApplets(profile) || chOf(profile) === 0) return [];
  return [openChannelStep(), selectIsdStep(ISD_CHANNEL), gpOpenStep(isdAccessOf(profile.isd), ISD_CHANNEL)];
}
const ledgerSecret = (t: number): boolean => LEDGER_PERSO_SECRET_TAGS.has(t);

function selectStep(label: string, aid: string): Step {
  const a = hexToBytes(aid);
  return plainStep(`SELECT ${label} applet by AID`, Uint8Array.of(0x00, 0xa4, 0x04, 0x00, a.length, ...a));
}

/**
 * The ledger keys the profile pins must be the issuers' (both paths check this before anything is
 * written); a key the profile omits is taken from the backend keys.
 */
export function checkLedgerKeys(profile: Profile, file: string, actors: BackendActors): void {
  const s = profile.ledger;
  if (!s) return;
  const keys = ledgerKeysOf(actors);
  const issues = LEDGER_KEY_FIELDS.filter((f) => s[f.field] !== undefined && s[f.field]!.toLowerCase() !== bytesToHex(keys[f.key])).map((f) =>
    issueAt(profile, `ledger.${f.field}`, `does not match ${f.who} in the backend keys (the profile pins another back end); use the backend-keys file that goes with this profile, or delete the line to take the key from --backend-keys (compare: cardforge profile keys ${file} --backend-keys …)`),
  );
  if (issues.length) throw new ProfileError(file, issues);
}

/** The wallet's issuer key in the profile must be the backend's wallet issuer, when the backend keys have one. */
export function checkWalletKey(profile: Profile, file: string, actors: BackendActors | undefined): void {
  const s = profile.wallet;
  const issuer = actors?.walletIssuer;
  if (!s || !issuer || s.issuer_key === undefined) return;
  if (s.issuer_key.toLowerCase() !== bytesToHex(issuer.publicKey)) {
    throw new ProfileError(file, [{ path: 'wallet.issuer_key', message: `does not match the wallet issuer in the backend keys (its reloads would be refused); expected ${bytesToHex(issuer.publicKey)}` }]);
  }
}

/** Wallet: one block (the last: on-card key generation) with every record, in install() order. Nothing in it is secret. */
export function walletSteps(profile: Profile, actors?: BackendActors): Step[] {
  const s = profile.wallet;
  if (!s) return [];
  const v = walletPersonalization(s, profile.imsi, actors?.walletIssuer?.publicKey);
  const recs: [number, Uint8Array][] = [[WT.WALLET_ID, v.walletId], [WT.CURRENCY, u16(v.currency)], [WT.THRESHOLD, u32(v.threshold)], [WT.MAX_BALANCE, u32(v.maxBalance)]];
  if (v.initialBalance !== undefined) recs.push([WT.INITIAL_BALANCE, u32(v.initialBalance)]);
  recs.push([WT.ISSUER_KEY, v.issuerKey], [WT.IMSI_HASH, v.imsiHash]);
  return [
    installForPersoStep('wallet', WALLET_AID, chOf(profile)),
    gpStoreDataStep('STORE DATA wallet block 0 (last: on-card key generation): wallet id, currency, threshold, balances, issuer key, IMSI hash', 0, true, recs, noSecret, scpOf(profile), chOf(profile)),
  ];
}

/** Payment blocks: block 0 = identity, codes, keys, settings; then one block per user; the last generates the keys. */
export function paymentSteps(profile: Profile, actors: BackendActors): Step[] {
  const s = profile.payment;
  if (!s) return [];
  const p = paymentPersonalization(s, actors.paymentIssuer, actors.authServer);
  // Block 0 in clear (card id, public keys, settings); block 1 encrypted (codes, MAC key): one
  // short APDU each once the secret values are padded for the DEK and the C-MAC is added.
  const b0: [number, Uint8Array][] = [[PT.CARD_ID, p.cardId]];
  const codes: [number, Uint8Array][] = [[PT.PAYMENT_CODE, p.paymentCode], [PT.UNBLOCK_CODE, p.unblockCode]];
  if (p.macKey) codes.push([PT.MAC_KEY, p.macKey]);
  b0.push([PT.ISSUER_PUBLIC_KEY, p.issuerPublicKey]);
  if (p.authServerPublicKey) b0.push([PT.AUTH_SERVER_PUBLIC_KEY, p.authServerPublicKey]);
  if (p.deviceId) b0.push([PT.DEVICE_ID, p.deviceId]);
  b0.push([PT.TOKEN_LIFETIME, u32(p.tokenLifetimeSeconds ?? 3600)], [PT.REQUIRE_IDENTIFICATION, Uint8Array.of(p.requireIdentification ? 1 : 0)], [PT.INITIAL_COUNTER, u32(p.initialCounter ?? 0)]);
  const users = p.users ?? [];
  const blocks: { label: string; recs: [number, Uint8Array][] }[] = [{ label: 'card id, issuer keys, settings', recs: b0 }, { label: 'payment code, unblock code, MAC key', recs: codes }];
  if (p.cardNumber && p.cardNumberKey) blocks.push({ label: 'card number and its key (DoCoMo second embodiment)', recs: [[PT.CARD_NUMBER, p.cardNumber], [PT.CARD_NUMBER_KEY, p.cardNumberKey]] });
  users.forEach((u, i) => blocks.push({ label: `user ${i}`, recs: [[PT.USER_BASE + i, Uint8Array.of(u.userId.length, ...u.userId, ...u.credential)]] }));
  const out = [installForPersoStep('payment', PAYMENT_AID, chOf(profile))];
  blocks.forEach((b, i) => {
    const last = i === blocks.length - 1;
    out.push(gpStoreDataStep(`STORE DATA payment block ${i}${last ? ' (last: on-card key generation)' : ''}: ${b.label}`, i, last, b.recs, isPaymentPersoSecretTag, scpOf(profile), chOf(profile)));
  });
  return out;
}

/** Ledger blocks: block 0 = identity, amounts, consent; block 1 (last) = the three public keys, then key generation. */
export function ledgerSteps(profile: Profile, actors?: BackendActors): Step[] {
  const s = profile.ledger;
  if (!s) return [];
  const v = ledgerPersonalization(s, actors ? ledgerKeysOf(actors) : undefined);
  const b0: [number, Uint8Array][] = [[LT.CARD_ID, v.cardId], [LT.CURRENCY, u16(v.currency)], [LT.LIMIT, u32(v.limit)]];
  if (v.initialBalance !== undefined) b0.push([LT.INITIAL_BALANCE, u32(v.initialBalance)]);
  if (v.consent) {
    b0.push([LT.CONSENT, Uint8Array.of({ none: 0, always: 1, above: 2 }[v.consent.mode], ...u32(v.consent.threshold ?? 0))]);
    if (v.consent.code) b0.push([LT.CODE, v.consent.code]);
  }
  const b1: [number, Uint8Array][] = [[LT.EDITOR_ROOT_KEY, v.editorRootKey], [LT.ISSUER_KEY, v.issuerKey], [LT.SERVER_KEY, v.serverKey]];
  return [
    installForPersoStep('ledger', LEDGER_AID, chOf(profile)),
    gpStoreDataStep('STORE DATA ledger block 0: card id, currency, limit, balance, consent', 0, false, b0, ledgerSecret, scpOf(profile), chOf(profile)),
    gpStoreDataStep('STORE DATA ledger block 1 (last: on-card key generation): editor root, issuer, server keys', 1, true, b1, ledgerSecret, scpOf(profile), chOf(profile)),
  ];
}

/**
 * Everything after the SIM script (empty when the profile has no wallet/payment/ledger section).
 * The payment and ledger sections need the actors (run.ts refuses them without); the wallet does not.
 */
export function appletSteps(profile: Profile, actors: BackendActors | undefined, file = 'profile'): Step[] {
  if (!profile.payment && !profile.ledger && !profile.wallet) return [];
  if (actors) checkLedgerKeys(profile, file, actors);
  checkWalletKey(profile, file, actors);
  const classic = chOf(profile) === 0;
  const steps = [...(classic ? [selectIsdStep(), gpOpenStep(isdAccessOf(profile.isd))] : []), ...walletSteps(profile, actors), ...(actors ? [...paymentSteps(profile, actors), ...ledgerSteps(profile, actors)] : [])];
  if (!classic) steps.push(closeChannelStep());
  // Certification ends on the SIM applet; without it, go back there on a classic card (the ADM1 retry query follows).
  else if (!profile.payment && !profile.ledger) steps.push(selectStep('SIM', SIM_APPLET_AID));
  return steps;
}

/** What certifyApplets does, for the dry run (its APDUs depend on the card's answers). */
export function certificationNote(profile: Profile): string[] {
  const out: string[] = [];
  if (profile.payment) out.push('# then the payment issuer certifies the on-card key: SELECT, GET DATA 00C1/7F49, GET CHALLENGE, STORE CERTIFICATE (issuer-signed)');
  if (profile.ledger) out.push('# then the ledger issuer certifies the on-card key: SELECT, GET PUBLIC KEY, PUT CERTIFICATE (issuer-signed)');
  return out;
}

/** Certification of the generated keys over APDUs, as personalizeCard does after install. */
export async function certifyApplets(t: Transport, profile: Profile, actors: BackendActors): Promise<void> {
  if (profile.payment) await certifyPaymentCard(t, actors.paymentIssuer);
  if (profile.ledger) await certifyLedgerCard(t, actors.ledgerIssuer, hexToBytes(profile.ledger.card_id));
  // Back to the SIM applet, where the run started (its ADM1 retry query follows).
  const sim = hexToBytes(SIM_APPLET_AID);
  await t.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x00, sim.length, ...sim));
}

export interface BlankAppletsLayout {
  /** The e-wallet has no layout parameters: present or not. */
  readonly wallet?: boolean;
  readonly payment?: PaymentParams;
  readonly ledger?: LedgerParams;
}

/** The layout (params, no secrets) a profile's wallet/payment/ledger sections need on the blank card. */
export function layoutOf(profile: Profile): BlankAppletsLayout {
  return { ...(profile.wallet ? { wallet: true } : {}), ...(profile.payment ? { payment: paymentParams(profile.payment) } : {}), ...(profile.ledger ? { ledger: ledgerParams(profile.ledger) } : {}) };
}

/** A blank SIM plus the blank wallet / payment / ledger applets (installed with layout only, in the offline path's order). */
export function blankCard(o: BlankSimOptions & { readonly applets?: BlankAppletsLayout }): Card {
  // The instances are pre-issued (the card maker's load and install): blank, layout only.
  const card = blankSimCard(o);
  if (o.applets?.wallet) card.install(WalletApplet, { aid: WALLET_AID, personalization: { factory: {} } });
  if (o.applets?.payment) card.install(PaymentApplet, { aid: PAYMENT_AID, params: { ...o.applets.payment }, personalization: { factory: {} } });
  if (o.applets?.ledger) card.install(LedgerApplet, { aid: LEDGER_AID, params: { ...o.applets.ledger }, personalization: { factory: {} } });
  return card;
}
