/**
 * The e-wallet applet's commands (card/applets/wallet; SFR seed 000): a purse tied to the
 * subscriber (the IMSI hash stored at personalization, the SIM's "subscriber authenticated"
 * session fact required for PAY), paying amounts up to a configurable threshold from the on-card
 * purse and refusing larger ones with WALLET_USE_PAYMENT_CARD (the terminal then asks the payment
 * applet's SIGN TRANSACTION: the credit path). Proprietary class 80. Message layouts and signing
 * inputs: card/protocol/wallet.ts. Signatures are ECDSA P-256, raw r || s.
 */
import { CLASS_80, type CommandSpec } from './types.js';
import { P1P2_ANY, P1P2_ZERO } from './p1p2.js';

export { WALLET_AID } from './aids.js';

/** PAY and LOAD check the data length before P1-P2: their handlers check the declared values (checkParams). */
const LENGTH_FIRST = { checkedBy: 'handler' } as const;
const C80 = CLASS_80;
const REF = 'cardforge e-wallet (SFR JP 2000-69571)';
const RECEIPT = [{ name: 'record', length: 82 }, { name: 'cardSignature', length: 64, random: true }] as const;

export const WALLET_COMMANDS: readonly CommandSpec[] = [
  { name: 'WALLET_GET_INFO', cla: C80, ins: 0x40, cases: [2], p1p2: P1P2_ANY, description: 'Wallet id, currency, balance, threshold, maximum balance, counters, flags (bit0: last payment not completed)', ref: REF,
    response: [{ name: 'walletId', length: 8 }, { name: 'currency', length: 2 }, { name: 'balance', length: 4 }, { name: 'threshold', length: 4 }, { name: 'maxBalance', length: 4 },
      { name: 'txCounter', length: 4 }, { name: 'loadCounter', length: 4 }, { name: 'flags', length: 1 }] },
  { name: 'WALLET_GET_PUBLIC_KEY', cla: C80, ins: 0x42, cases: [2], p1p2: P1P2_ANY, description: "The wallet's P-256 public key (uncompressed); the private key never leaves", ref: REF,
    response: [{ name: 'publicKey', length: 65 }] },
  { name: 'WALLET_GET_CHALLENGE', cla: C80, ins: 0x48, cases: [2], p1p2: P1P2_ANY, description: 'A fresh card challenge (RAM, one use) and the next load counter, for LOAD', ref: REF,
    response: [{ name: 'challenge', length: 16, random: true }, { name: 'nextLoadCounter', length: 4 }] },
  { name: 'WALLET_PAY', cla: C80, ins: 0x50, cases: [4], p1p2: { ...P1P2_ZERO, ...LENGTH_FIRST },
    description: 'Pay amount ≤ threshold from the purse (subscriber authenticated in this session): one transaction, receipt signed after commit; above the threshold WALLET_USE_PAYMENT_CARD', ref: REF,
    command: [{ name: 'amount', length: 4 }, { name: 'currency', length: 2 }, { name: 'merchantId', length: 8 }, { name: 'hostChallenge', length: 16, random: true }],
    response: [...RECEIPT] },
  { name: 'WALLET_GET_LAST_RECEIPT', cla: C80, ins: 0x52, cases: [2], p1p2: P1P2_ANY, description: 'The receipt of the last committed PAY again (after a lost response); clears the not-completed flag', ref: REF,
    response: [...RECEIPT] },
  { name: 'WALLET_LOAD', cla: C80, ins: 0x54, cases: [3, 4], p1p2: { ...P1P2_ZERO, ...LENGTH_FIRST }, description: 'Reload the purse with the issuer signature over (wallet id, card challenge, amount, load counter); the counter must be the next one', ref: REF,
    command: [{ name: 'amount', length: 4 }, { name: 'loadCounter', length: 4 }, { name: 'issuerSignature', length: 64 }], response: [{ name: 'balance', length: 4 }] },
];

/**
 * PERSO_STORE_DATA records of the wallet (block coding apdu-specs/personalization.ts). The last
 * block also generates the wallet's key pair. Mandatory over the run: C1, C2, C3, C4, C6, C7.
 */
export const WALLET_PERSO_TAGS = {
  WALLET_ID: 0xc1, // 8 bytes
  CURRENCY: 0xc2, // 2 bytes, ISO 4217 numeric 0..999
  THRESHOLD: 0xc3, // 4 bytes: the largest amount the purse pays; above it the payment card signs
  MAX_BALANCE: 0xc4, // 4 bytes
  INITIAL_BALANCE: 0xc5, // 4 bytes, <= max balance (same block)
  ISSUER_KEY: 0xc6, // 65 bytes: verifies LOAD authorisations
  IMSI_HASH: 0xc7, // 32 bytes: SHA-256 of the subscriber's IMSI (digits, ASCII) — the binding to the subscriber
} as const;
