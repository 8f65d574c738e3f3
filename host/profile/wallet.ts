/**
 * The `wallet:` section of a personalization profile (e-wallet, seed 000), validated with zod
 * (snake_case keys), and the WalletPersonalization it becomes. The wallet is bound to the
 * profile's subscriber: the card stores SHA-256 of the profile's `imsi`. The card generates its
 * own key pair at install.
 *
 * Example:
 *   wallet:
 *     wallet_id: "5741000000000001"
 *     currency: 978            # ISO 4217 numeric
 *     threshold: 500           # the purse pays up to this; above it the payment card signs
 *     max_balance: 10000
 *     initial_balance: 1000
 *     issuer_key: "04…"        # optional: verifies LOAD authorisations (65-byte uncompressed
 *                              # P-256); when omitted, the wallet issuer of --backend-keys
 */
import { z } from 'zod';
import { hexToBytes } from '../../card/runtime/index.js';
import type { WalletPersonalization } from '../../card/applets/wallet/index.js';
import { imsiHash } from '../../card/protocol/index.js';
import { hexBytes } from './fields.js';
import { BackendKeyMissingError } from './ledger.js';

const int = (min: number, max: number) => z.number({ error: 'expected a whole number' }).int({ error: 'expected a whole number' }).min(min, { error: `expected ${min}..${max}` }).max(max, { error: `expected ${min}..${max}` });

export const walletProfileSchema = z
  .object({
    wallet_id: hexBytes(8, 'the wallet id'),
    currency: int(0, 999),
    threshold: int(0, 0xffffffff),
    max_balance: int(0, 0xffffffff),
    initial_balance: int(0, 0xffffffff).optional(),
    issuer_key: hexBytes(65, 'the wallet issuer P-256 public key (04‖X‖Y)').refine((s) => s.startsWith('04'), { error: 'expected an uncompressed key starting with 04' }).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.initial_balance !== undefined && s.initial_balance > s.max_balance) ctx.addIssue({ code: 'custom', path: ['initial_balance'], message: 'initial_balance exceeds max_balance' });
  });

export type WalletProfile = z.output<typeof walletProfileSchema>;

/**
 * Values for install(): the section, bound to the profile's IMSI. The issuer key is the profile's
 * (checked against the back end's when both are there, checkWalletKey) or, when the profile omits
 * it, the back end's wallet issuer.
 */
export function walletPersonalization(s: WalletProfile, imsi: string, backendIssuerKey?: Uint8Array): WalletPersonalization {
  const issuerKey = s.issuer_key !== undefined ? hexToBytes(s.issuer_key) : backendIssuerKey;
  if (issuerKey === undefined) throw new BackendKeyMissingError('wallet.issuer_key');
  return {
    walletId: hexToBytes(s.wallet_id), currency: s.currency, threshold: s.threshold, maxBalance: s.max_balance,
    ...(s.initial_balance !== undefined ? { initialBalance: s.initial_balance } : {}), issuerKey, imsiHash: imsiHash(imsi),
  };
}
