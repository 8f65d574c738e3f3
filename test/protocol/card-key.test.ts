/**
 * The card key pair (card/protocol/card-key.ts) the ledger and the e-wallet hold: generated from
 * the card's RNG into the two cells saved images carry ('privateKey' then 'publicKey'), signs
 * digests verifiable with the public key (low-S), and regenerating replaces both. Guards: a
 * signature that does not verify, a public key that does not match the private one, a renamed
 * cell (images would no longer load).
 */
import { describe, expect, it } from 'vitest';
import { PersistentMemory, PersistentStore, SeededRng } from '../../card/runtime/index.js';
import { CardKeyPair } from '../../card/protocol/index.js';
import { publicKeyOf, verifyDigest } from '../../card/algorithms/index.js';
import { sha256 } from '../../card/algorithms/sha256.js';

describe('CardKeyPair', () => {
  it('generates into privateKey/publicKey, signs digests that verify with its public key, regenerates both', () => {
    const mem = new PersistentMemory();
    const k = new CardKeyPair({ persistent: new PersistentStore(mem, 'aid'), rng: new SeededRng('card-key') });
    expect([...mem.cells.keys()]).toEqual(['aid/privateKey', 'aid/publicKey']);
    k.generate();
    const priv = mem.cells.get('aid/privateKey')!.slice();
    const pub = k.publicKey.get();
    expect(publicKeyOf(priv)).toEqual(pub);
    expect(k.scalar()).toBe(BigInt(`0x${Buffer.from(priv).toString('hex')}`));
    const digest = sha256(new TextEncoder().encode('CFRC record'));
    const sig = k.sign(digest);
    expect(sig).toHaveLength(64);
    expect(verifyDigest(pub, digest, sig, false)).toBe(true);
    expect(verifyDigest(pub, sha256(new TextEncoder().encode('other')), sig, false)).toBe(false);
    k.generate();
    expect(k.publicKey.get()).not.toEqual(pub);
    expect(verifyDigest(k.publicKey.get(), digest, k.sign(digest), false)).toBe(true);
  });
});
