/**
 * Checks of the ledger applet's install parameters and personalization values. Wrong type →
 * TypeError, wrong value → RangeError, in the house shape: `"logSize" expected 1..254, got 0`.
 */
import { CONSENT_MODES, CODE_MAX_LENGTH, type LedgerParams, type LedgerPersonalization } from './types.js';
import { CARD_ID_LENGTH, LEDGER_MODES, type LedgerMode } from '../../protocol/ledger.js';
import type { AppletParams } from '../../runtime/index.js';
import { isValidPublicKey } from '../../algorithms/p256.js';

function int(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number') throw new TypeError(`"${name}" expected a number, got ${typeof v}`);
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`"${name}" expected ${min}..${max}, got ${v}`);
  return v;
}

function bytes(name: string, v: unknown, len: number): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`"${name}" expected a Uint8Array`);
  if (v.length !== len) throw new RangeError(`"${name}" expected ${len} bytes, got ${v.length}`);
  return v;
}

function key(name: string, v: unknown): Uint8Array {
  const k = bytes(name, v, 65);
  if (!isValidPublicKey(k)) throw new RangeError(`"${name}" expected an uncompressed P-256 public key on the curve`);
  return k;
}

export function checkParams(p: AppletParams): LedgerParams {
  const mode = p.mode ?? 'prepaid';
  if (!LEDGER_MODES.includes(mode as LedgerMode)) throw new RangeError(`"mode" expected one of ${LEDGER_MODES.join(', ')}, got ${String(mode)}`);
  return {
    mode: mode as LedgerMode,
    logSize: int('logSize', p.logSize ?? 16, 1, 254),
    ticketSlots: int('ticketSlots', p.ticketSlots ?? 4, 0, 32),
  };
}

export function checkPersonalization(v: unknown, mode: LedgerMode): LedgerPersonalization {
  if (typeof v !== 'object' || v === null) throw new TypeError('ledger personalization expected an object');
  const o = v as Record<string, unknown>;
  const limit = int('limit', o.limit, 0, 0xffffffff);
  const initialBalance = o.initialBalance === undefined ? undefined : int('initialBalance', o.initialBalance, 0, limit);
  if (mode === 'postpaid' && initialBalance !== undefined && initialBalance !== 0) throw new RangeError('"initialBalance" is for prepaid cards only');
  let consent: LedgerPersonalization['consent'];
  if (o.consent !== undefined) {
    const c = o.consent as Record<string, unknown>;
    if (!CONSENT_MODES.includes(c.mode as never)) throw new RangeError(`"consent.mode" expected one of ${CONSENT_MODES.join(', ')}, got ${String(c.mode)}`);
    const mode = c.mode as (typeof CONSENT_MODES)[number];
    if (mode !== 'none' && !(c.code instanceof Uint8Array)) throw new TypeError('"consent.code" expected a Uint8Array when consent is required');
    const code = c.code === undefined ? undefined : (c.code as Uint8Array);
    if (code !== undefined && (code.length < 4 || code.length > CODE_MAX_LENGTH)) throw new RangeError(`"consent.code" expected 4..${CODE_MAX_LENGTH} bytes, got ${code.length}`);
    consent = { mode, threshold: c.threshold === undefined ? 0 : int('consent.threshold', c.threshold, 0, 0xffffffff), ...(code ? { code } : {}) };
  }
  return {
    cardId: bytes('cardId', o.cardId, CARD_ID_LENGTH),
    currency: int('currency', o.currency, 0, 999),
    limit,
    ...(initialBalance !== undefined ? { initialBalance } : {}),
    editorRootKey: key('editorRootKey', o.editorRootKey),
    issuerKey: key('issuerKey', o.issuerKey),
    serverKey: key('serverKey', o.serverKey),
    ...(consent ? { consent } : {}),
  };
}
