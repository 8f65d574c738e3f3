/**
 * Secret-code commands in both worlds over the same OwnerPins:
 * - classic (TS 51.011 §9.2.9-13, SWs §9.4.5): VERIFY / CHANGE / DISABLE / ENABLE / UNBLOCK CHV;
 *   9804 wrong (tries left), 9840 blocked, 9808 contradiction with the CHV status;
 * - UICC (TS 102.221 §11.1.9-13): VERIFY / CHANGE / DISABLE / ENABLE / UNBLOCK PIN by key
 *   reference (01 PIN1, 81 PIN2, 0A ADM1); 63Cx wrong with x tries left, 6983 blocked, empty
 *   VERIFY / UNBLOCK = retry query.
 * The try counter is decremented before the comparison (OwnerPin); a new value and its length
 * are written in one transaction, so a tear never leaves half a PIN.
 */
import { SW } from '../../../apdu-specs/status-words.js';
import { SESSION_FACTS } from '../../../apdu-specs/session-facts.js';
import { CardError, triesLeft, type CommandApdu, type OwnerPin, type Reply } from '../../runtime/index.js';
import type { SimCore } from './core.js';

/** 8-byte CHV field → the digits (trailing FF padding removed). */
function unpad(b: Uint8Array): Uint8Array {
  let n = b.length;
  while (n > 0 && b[n - 1] === 0xff) n--;
  return b.slice(0, n);
}

function validNewPin(v: Uint8Array, min: number): boolean {
  return v.length >= min && v.length <= 8 && v.every((c) => c >= 0x30 && c <= 0x39);
}

interface PinRef {
  readonly pin: OwnerPin;
  readonly puk: OwnerPin | undefined;
  readonly canDisable: boolean;
  readonly isChv1: boolean;
}

function gsmRef(core: SimCore, p2: number, forUnblock = false): PinRef {
  // UNBLOCK CHV addresses CHV1 with P2 = 00 (TS 51.011 §9.2.13).
  if (p2 === (forUnblock ? 0x00 : 0x01)) return { pin: core.chv1, puk: core.puk1, canDisable: true, isChv1: true };
  if (p2 === 0x02) return { pin: core.chv2, puk: core.puk2, canDisable: false, isChv1: false };
  if (p2 === 0x0a && !forUnblock) return { pin: core.adm1, puk: undefined, canDisable: false, isChv1: false };
  // Not reached: each command's declaration (apdu-specs/ts51011.ts) admits only its references.
  throw new CardError(SW.WRONG_P1P2);
}

/** P1 is 00 (the declaration); an unknown key reference is 6A88. */
function uiccRef(core: SimCore, p2: number): PinRef {
  if (p2 === 0x01) return { pin: core.chv1, puk: core.puk1, canDisable: true, isChv1: true };
  // TS 102.221 §11.1.10/11: PIN2 (81) may be disabled/enabled on a UICC; 51.011 allows it for CHV1 only.
  if (p2 === 0x81) return { pin: core.chv2, puk: core.puk2, canDisable: true, isChv1: false };
  if (p2 === 0x0a) return { pin: core.adm1, puk: undefined, canDisable: false, isChv1: false };
  throw new CardError(SW.REFERENCE_DATA_NOT_FOUND);
}

function gsmFail(pin: OwnerPin): never {
  throw new CardError(pin.blocked ? SW.GSM_CHV_BLOCKED : SW.GSM_ACCESS_NOT_FULFILLED);
}

/** The presentation that spends the last try answers 63C0; the next one 6983 (TS 102.221 §11.1.9). */
function uiccFail(pin: OwnerPin): never {
  throw triesLeft(pin.triesRemaining);
}

/**
 * OwnerPin.check clears "validated" before comparing; the session facts other applets read must
 * follow, or a failed ADM1 presentation after a good one would leave the personalization gate open
 * (and a wrong CHV1 after a good one would leave "cardholder verified" set).
 */
function presenting(core: SimCore, pin: OwnerPin): void {
  // Issue 18: the cardholder-verified fact follows CHV1's validated state (a wrong CHV1 clears it).
  if (pin === core.chv1) core.ctx.session.set(SESSION_FACTS.CARDHOLDER_VERIFIED, false);
  if (pin === core.adm1) core.ctx.session.set(SESSION_FACTS.ADM1_VERIFIED, false);
}

function verified(core: SimCore, r: PinRef): void {
  if (r.isChv1) core.ctx.session.set(SESSION_FACTS.CARDHOLDER_VERIFIED, true);
  // The issuer's authorisation for the payment / ledger applets' PERSO_STORE_DATA (issue 8).
  if (r.pin === core.adm1) core.ctx.session.set(SESSION_FACTS.ADM1_VERIFIED, true);
}

/** New value and length in one transaction; tries reset, validated. */
function setNew(core: SimCore, pin: OwnerPin, value: Uint8Array): void {
  core.ctx.beginTransaction();
  pin.unblock(value);
  core.ctx.commitTransaction();
}

// ---- classic ----

export function gsmVerify(core: SimCore, apdu: CommandApdu): Reply {
  const r = gsmRef(core, apdu.p2);
  if (apdu.apduCase === 1) {
    // The retry-counter query (P3=00), answered as the UICC query is (uiccVerify); a blocked CHV
    // is 9840 in this class.
    if (r.pin.blocked) throw new CardError(SW.GSM_CHV_BLOCKED);
    if (r.pin.isValidated) return {};
    throw triesLeft(r.pin.triesRemaining);
  }
  if (apdu.data.length !== 8) throw new CardError(SW.GSM_WRONG_P3 | 0x08);
  if (!r.pin.initialised) throw new CardError(SW.GSM_NO_CHV_INITIALISED);
  if (r.canDisable && !r.pin.enabled) throw new CardError(SW.GSM_CONTRADICTION_CHV);
  if (r.pin.blocked) throw new CardError(SW.GSM_CHV_BLOCKED);
  presenting(core, r.pin);
  if (!r.pin.check(unpad(apdu.data))) gsmFail(r.pin);
  verified(core, r);
  return {};
}

export function gsmChange(core: SimCore, apdu: CommandApdu): Reply {
  const r = gsmRef(core, apdu.p2);
  if (apdu.data.length !== 16) throw new CardError(SW.GSM_WRONG_P3 | 0x10);
  if (r.canDisable && !r.pin.enabled) throw new CardError(SW.GSM_CONTRADICTION_CHV);
  if (r.pin.blocked) throw new CardError(SW.GSM_CHV_BLOCKED);
  const next = unpad(apdu.data.subarray(8));
  if (!validNewPin(next, 4)) throw new CardError(SW.GSM_ACCESS_NOT_FULFILLED);
  presenting(core, r.pin);
  if (!r.pin.check(unpad(apdu.data.subarray(0, 8)))) gsmFail(r.pin);
  setNew(core, r.pin, next);
  verified(core, r);
  return {};
}

export function gsmSetEnabled(core: SimCore, apdu: CommandApdu, on: boolean): Reply {
  if (apdu.data.length !== 8) throw new CardError(SW.GSM_WRONG_P3 | 0x08);
  const pin = core.chv1;
  if (pin.enabled === on) throw new CardError(SW.GSM_CONTRADICTION_CHV);
  if (pin.blocked) throw new CardError(SW.GSM_CHV_BLOCKED);
  presenting(core, pin);
  if (!pin.check(unpad(apdu.data))) gsmFail(pin);
  pin.setEnabled(on);
  core.ctx.session.set(SESSION_FACTS.CARDHOLDER_VERIFIED, true); // the check validated CHV1
  return {};
}

export function gsmUnblock(core: SimCore, apdu: CommandApdu): Reply {
  const r = gsmRef(core, apdu.p2, true);
  if (apdu.data.length !== 16) throw new CardError(SW.GSM_WRONG_P3 | 0x10);
  const puk = r.puk!;
  if (puk.blocked) throw new CardError(SW.GSM_CHV_BLOCKED);
  const next = unpad(apdu.data.subarray(8));
  if (!validNewPin(next, 4)) throw new CardError(SW.GSM_ACCESS_NOT_FULFILLED);
  if (!puk.check(unpad(apdu.data.subarray(0, 8)))) gsmFail(puk);
  setNew(core, r.pin, next);
  verified(core, r);
  return {};
}

// ---- UICC ----

export function uiccVerify(core: SimCore, apdu: CommandApdu): Reply {
  const r = uiccRef(core, apdu.p2);
  if (apdu.apduCase === 1) {
    // The retry-counter query: 9000 once verified, else 63Cx — a disabled PIN too, as a real
    // sysmoISIM-SJA2 answers (PIN1 disabled, the phone session in shared/fixtures: 00 20 00 01 → 63C3).
    if (r.pin.blocked) throw new CardError(SW.AUTH_METHOD_BLOCKED);
    if (r.pin.isValidated) return {};
    throw triesLeft(r.pin.triesRemaining);
  }
  if (apdu.data.length !== 8) throw new CardError(SW.WRONG_LENGTH);
  if (r.pin.blocked) throw new CardError(SW.AUTH_METHOD_BLOCKED);
  presenting(core, r.pin);
  if (!r.pin.check(unpad(apdu.data))) uiccFail(r.pin);
  verified(core, r);
  return {};
}

export function uiccChange(core: SimCore, apdu: CommandApdu): Reply {
  const r = uiccRef(core, apdu.p2);
  if (apdu.data.length !== 16) throw new CardError(SW.WRONG_LENGTH);
  if (r.canDisable && !r.pin.enabled) throw new CardError(SW.REFERENCE_DATA_INVALIDATED);
  if (r.pin.blocked) throw new CardError(SW.AUTH_METHOD_BLOCKED);
  const next = unpad(apdu.data.subarray(8));
  if (!validNewPin(next, r.puk ? 4 : 8)) throw new CardError(SW.WRONG_DATA);
  presenting(core, r.pin);
  if (!r.pin.check(unpad(apdu.data.subarray(0, 8)))) uiccFail(r.pin);
  setNew(core, r.pin, next);
  verified(core, r);
  return {};
}

export function uiccSetEnabled(core: SimCore, apdu: CommandApdu, on: boolean): Reply {
  const r = uiccRef(core, apdu.p2);
  if (!r.canDisable) throw new CardError(SW.INCORRECT_P1P2);
  if (apdu.data.length !== 8) throw new CardError(SW.WRONG_LENGTH);
  if (r.pin.blocked) throw new CardError(SW.AUTH_METHOD_BLOCKED);
  if (r.pin.enabled === on) throw new CardError(SW.CONDITIONS_NOT_SATISFIED);
  presenting(core, r.pin);
  if (!r.pin.check(unpad(apdu.data))) uiccFail(r.pin);
  r.pin.setEnabled(on);
  verified(core, r); // the check validated the PIN
  return {};
}

export function uiccUnblock(core: SimCore, apdu: CommandApdu): Reply {
  const r = uiccRef(core, apdu.p2);
  const puk = r.puk;
  if (puk === undefined) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND);
  if (apdu.apduCase === 1) {
    if (puk.blocked) throw new CardError(SW.AUTH_METHOD_BLOCKED);
    throw triesLeft(puk.triesRemaining);
  }
  if (apdu.data.length !== 16) throw new CardError(SW.WRONG_LENGTH);
  if (puk.blocked) throw new CardError(SW.AUTH_METHOD_BLOCKED);
  const next = unpad(apdu.data.subarray(8));
  if (!validNewPin(next, 4)) throw new CardError(SW.WRONG_DATA);
  if (!puk.check(unpad(apdu.data.subarray(0, 8)))) uiccFail(puk);
  setNew(core, r.pin, next);
  verified(core, r);
  return {};
}
