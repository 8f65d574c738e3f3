/**
 * Personalization of the e-wallet over APDUs: PERSO_STORE_DATA (block coding
 * apdu-specs/personalization.ts, records WALLET_PERSO_TAGS in apdu-specs/wallet.ts), the same
 * rules as the ledger's (ledger/store-data.ts): blank until the last block, the blocks forwarded by
 * the ISD under its secure channel (nothing in them is secret: all DGIs in clear), each block checked whole
 * and applied in ONE transaction, the last one generating the wallet's key pair. Mandatory over
 * the run: wallet id, currency, threshold, maximum balance, issuer key, IMSI hash.
 */
import { WALLET_PERSO_TAGS as TAG } from '../../../apdu-specs/wallet.js';
import { SW } from '../../../apdu-specs/status-words.js';
import type { CommandSpec } from '../../../apdu-specs/types.js';
import { CardError, PersoBlocks, personalizedTable, readU16, readU32, type AppletContext, type CommandTable, type Handler } from '../../runtime/index.js';
import { isValidPublicKey } from '../../algorithms/p256.js';
import { IMSI_HASH_LENGTH, WALLET_ID_LENGTH } from '../../protocol/wallet.js';
import type { WalletCore } from './core.js';

const MANDATORY = [TAG.WALLET_ID, TAG.CURRENCY, TAG.THRESHOLD, TAG.MAX_BALANCE, TAG.ISSUER_KEY, TAG.IMSI_HASH] as const;

/** The table of `specs` gated by the blank state (6985 while blank), plus PERSO_STORE_DATA. */
export function walletTable(specs: readonly CommandSpec[], perso: () => WalletStoreData, handlers: { readonly [name: string]: Handler }): CommandTable {
  return personalizedTable(specs, () => perso().blank, (a) => perso().storeData(a), handlers);
}

export class WalletStoreData extends PersoBlocks {
  constructor(ctx: AppletContext, core: WalletCore) {
    super(ctx, {
      secret: () => false, check: (rec) => checkWalletRecords(core, rec), mandatory: MANDATORY.length,
      missing: 'wallet id, currency, threshold, maximum balance, issuer key and IMSI hash are mandatory', complete: () => core.generateKeys(),
    });
  }
}

function checkWalletRecords(core: WalletCore, rec: Map<number, Uint8Array>): { writes: (() => void)[]; seen: number } {
  const bad = (what: string): never => {
    throw new CardError(SW.WRONG_DATA, what);
  };
  for (const tag of rec.keys()) if (!Object.values<number>(TAG).includes(tag)) bad(`unknown tag ${tag.toString(16)}`);
  const len = (tag: number, n: number): Uint8Array | undefined => {
    const v = rec.get(tag);
    if (v !== undefined && v.length !== n) bad(`tag ${tag.toString(16)}: ${n} bytes expected`);
    return v;
  };
  const walletId = len(TAG.WALLET_ID, WALLET_ID_LENGTH);
  const cur = len(TAG.CURRENCY, 2);
  if (cur && readU16(cur, 0) > 999) bad('currency 0..999');
  const threshold = len(TAG.THRESHOLD, 4);
  const max = len(TAG.MAX_BALANCE, 4);
  const initial = len(TAG.INITIAL_BALANCE, 4);
  if (initial && (!max || readU32(initial, 0) > readU32(max, 0))) bad('initial balance needs the maximum balance in the same block, and <= it');
  const issuer = len(TAG.ISSUER_KEY, 65);
  if (issuer && !isValidPublicKey(issuer)) bad('issuer key: not a P-256 public key');
  const imsi = len(TAG.IMSI_HASH, IMSI_HASH_LENGTH);
  // Same order of writes as install() (core.ts personalize).
  const writes: (() => void)[] = [];
  if (walletId) writes.push(() => core.walletId.set(walletId));
  if (cur) writes.push(() => core.currency.set(readU16(cur, 0)));
  if (threshold) writes.push(() => core.threshold.set(readU32(threshold, 0)));
  if (max) writes.push(() => core.maxBalance.set(readU32(max, 0)));
  if (initial) writes.push(() => core.balance.set(readU32(initial, 0)));
  if (issuer) writes.push(() => core.issuerKey.set(issuer));
  if (imsi) writes.push(() => core.imsiHash.set(imsi));
  let seen = 0;
  MANDATORY.forEach((tag, i) => {
    if (rec.has(tag)) seen |= 1 << i;
  });
  return { writes, seen };
}
