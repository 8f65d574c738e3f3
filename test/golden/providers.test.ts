/**
 * Issue 20: the golden transcripts replay byte-exact under both crypto providers — the pure
 * default and the Node one (host/crypto/node-provider.ts) — whatever CARDFORGE_CRYPTO says for the
 * rest of the run. A counting wrapper shows the provider under test really served the card
 * (signatures, public keys, digests), so a card that ignored its provider would fail here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PURE_CRYPTO } from '../../card/algorithms/index.js';
import { bytesToHex, defaultCryptoProvider, setDefaultCryptoProvider, type CryptoProvider } from '../../card/runtime/index.js';
import { NODE_CRYPTO } from '../../host/crypto/node-provider.js';
import { ledgerTarget, loopbackTarget, paymentTarget, simTarget, walletTarget, type FuzzTarget } from '../fuzz/targets.js';
import { loadGolden } from './transcript.js';

const TARGETS: Record<string, () => FuzzTarget | Promise<FuzzTarget>> = { loopback: loopbackTarget, sim: simTarget, payment: paymentTarget, ledger: ledgerTarget, wallet: walletTarget };

function counting(p: CryptoProvider): { provider: CryptoProvider; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const count = <A extends unknown[], R>(name: string, f: (...a: A) => R) => (...a: A): R => {
    calls[name] = (calls[name] ?? 0) + 1;
    return f(...a);
  };
  return {
    calls,
    provider: {
      name: p.name,
      aes128Encrypt: count('aes128Encrypt', p.aes128Encrypt),
      sha256: count('sha256', p.sha256),
      p256PublicKey: count('p256PublicKey', p.p256PublicKey),
      p256Sign: count('p256Sign', p.p256Sign),
      p256Verify: count('p256Verify', p.p256Verify),
      p256VerifyMessage: count('p256VerifyMessage', p.p256VerifyMessage),
    },
  };
}

const before = defaultCryptoProvider();
afterAll(() => setDefaultCryptoProvider(before));

describe.each([PURE_CRYPTO, NODE_CRYPTO])('golden transcripts under the "$name" crypto provider', (base) => {
  for (const name of Object.keys(TARGETS)) {
    it(`${name}.apdu replays byte-exact`, async () => {
      const { provider, calls } = counting(base);
      setDefaultCryptoProvider(provider);
      try {
        const t = await TARGETS[name]!();
        t.fresh();
        for (const e of loadGolden(name)) {
          expect(bytesToHex(t.card.transmit(e.command)), `${name}.apdu:${e.line} (${base.name})`).toBe(bytesToHex(e.response));
        }
      } finally {
        setDefaultCryptoProvider(before);
      }
      if (name === 'payment' || name === 'ledger' || name === 'wallet') {
        expect(calls['p256Sign'] ?? 0, `${name}: signatures through the provider`).toBeGreaterThan(0);
        expect(calls['p256PublicKey'] ?? 0, `${name}: key generation through the provider`).toBeGreaterThan(0);
        expect(calls['p256VerifyMessage'] ?? 0, `${name}: signature checks over the signed statement through the provider`).toBeGreaterThan(0);
        expect(calls['p256Verify'] ?? 0, `${name}: no card check hashes a statement first`).toBe(0);
      }
      if (name === 'loopback') expect(calls['sha256'] ?? 0).toBeGreaterThan(0);
    });
  }
});
