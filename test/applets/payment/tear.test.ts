/**
 * Tear sweeps (power cut after every persistent write) of every state-changing payment command:
 * SIGN TRANSACTION (both variants), VERIFY, RESET RETRY COUNTER, STORE CERTIFICATE, STORE PROFILE.
 * Guards: a signature released without its committed counter step (two valid signatures for one
 * counter value), a counter torn half-way, a try bought back by a power cut, a code whose value and
 * length disagree after a tear, a half-written certificate or profile.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { PAYMENT_DATA_OBJECTS as DO } from '../../../apdu-specs/payment.js';
import { readU32 } from '../../../card/runtime/index.js';
import { aesCmac } from '../../../card/algorithms/index.js';
import { CardPowerLostError, tearSweep, type Card } from '../../../card/runtime/index.js';
import { apdu } from '../../../host/backend/payment/card-client.js';
import { expectNoSecretsIn, makeRig, order, RESPONSES, SECRETS, SECTION, selectCmd, sw, transmit } from './fixture.js';
import { buildRecord, encodeSignFields, tlv, type TransactionFields } from '../../../card/protocol/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const fieldsN = (n: number): TransactionFields => ({ ...order({ amount: 1000 + n }), challenge: new Uint8Array(16).fill(n & 0xff) });
const signCmd = (f: TransactionFields, p1 = 0): Uint8Array => apdu(0x80, 0x50, p1, 0x00, encodeSignFields(f), 0x100);
const verifyCmd = (code: string): Uint8Array => apdu(0x00, 0x20, 0x00, 0x81, enc(code));

function counterOf(card: Card): number {
  transmit(card, selectCmd());
  const r = transmit(card, apdu(0x80, 0xca, 0x00, DO.COUNTER & 0xff, undefined, 0x100));
  return readU32(r);
}

function triesOf(card: Card): number {
  transmit(card, selectCmd());
  return transmit(card, apdu(0x80, 0xca, 0x00, DO.STATUS & 0xff, undefined, 0x100))[0]!;
}

describe('tear sweep: SIGN TRANSACTION', () => {
  for (const [mode, p1] of [['ECDSA', 0], ['CMAC', 1]] as const) {
    it(`${mode}: every tear leaves counter N or N+1 and no signature; the next SIGN uses the next value`, async () => {
      const { card, cardId } = await makeRig();
      const pub = p256.getPublicKey(card.memory.cells.get('f0636172646667030001/ecdsa.private')!, false);
      expect(sw(transmit(card, verifyCmd('1234')))).toBe(0x9000);
      const n = counterOf(card);
      expect(sw(transmit(card, verifyCmd('1234')))).toBe(0x9000);
      const seen: number[] = [];
      const res = tearSweep(card, signCmd(fieldsN(1), p1), (pt) => {
        if (!pt.torn) return;
        const after = counterOf(card);
        expect([n, n + 1]).toContain(after);
        seen.push(after);
        // The same history continues: approve and sign again; it must take after+1, never a used value.
        expect(sw(transmit(card, verifyCmd('1234')))).toBe(0x9000);
        const r = transmit(card, signCmd(fieldsN(2), p1));
        expect(sw(r)).toBe(0x9000);
        expect(readU32(r)).toBe(after + 1);
      });
      expect(res.writes).toBe(2); // counter write + commit record
      expect(seen).toEqual([n, n + 1]); // torn before the commit: old counter; after: new counter, signature lost
      expect(readU32(res.response)).toBe(n + 1);
      const record = buildRecord(cardId, n + 1, encodeSignFields(fieldsN(1)), 1, 0);
      const proof = res.response.slice(4, res.response.length - 2);
      if (mode === 'ECDSA') expect(p256.verify(proof, record, pub)).toBe(true);
      else expect(proof).toEqual(aesCmac(Buffer.from(SECTION.mac_key, 'hex'), record));
    });
  }

  it('random tears in one long history never release two signatures for one counter value', async () => {
    const { card } = await makeRig();
    const released = new Map<number, string>();
    let seed = 7;
    for (let i = 0; i < 40; i++) {
      transmit(card, selectCmd());
      transmit(card, verifyCmd('1234'));
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      if (seed % 3 !== 0) card.tearAfterWrites(1 + (seed % 2));
      try {
        const r = transmit(card, signCmd(fieldsN(i)));
        expect(sw(r)).toBe(0x9000);
        const c = readU32(r);
        expect(released.has(c), `counter ${c} released twice`).toBe(false);
        released.set(c, Buffer.from(r).toString('hex'));
      } catch (e) {
        expect(e).toBeInstanceOf(CardPowerLostError);
        card.powerOn();
      }
    }
    const counters = [...released.keys()];
    expect(counters).toEqual([...counters].sort((a, b) => a - b));
    expect(counters.length).toBeGreaterThan(5);
  });
});

describe('tear sweep: codes', () => {
  it('VERIFY wrong code: a tear never gives the try back (guards: counter written after the compare)', async () => {
    const { card } = await makeRig();
    const res = tearSweep(card, verifyCmd('9999'), (pt) => {
      if (pt.torn) expect(triesOf(card)).toBe(2);
    });
    expect(res.writes).toBe(1);
    expect(sw(res.response)).toBe(0x63c2);
  });

  it('VERIFY right code: torn after the decrement → one try spent and not validated; completed → full and validated', async () => {
    const { card } = await makeRig();
    const res = tearSweep(card, verifyCmd('1234'), (pt) => {
      if (!pt.torn) return;
      expect(triesOf(card)).toBe(pt.point === 1 ? 2 : 3);
      expect(sw(transmit(card, signCmd(fieldsN(1))))).toBe(0x6982);
    });
    expect(res.writes).toBe(2);
    expect(sw(res.response)).toBe(0x9000);
  });

  it('RESET RETRY COUNTER with a new code: after every tear exactly one of old / new code verifies', async () => {
    const { card } = await makeRig();
    transmit(card, verifyCmd('0000'));
    const cmd = apdu(0x00, 0x2c, 0x00, 0x81, enc('87654321' + '13579'));
    const res = tearSweep(card, cmd, (pt) => {
      if (!pt.torn) return;
      const snap = card.snapshot();
      transmit(card, selectCmd());
      const oldOk = sw(transmit(card, verifyCmd('1234'))) === 0x9000;
      card.restore(snap);
      transmit(card, selectCmd());
      const newOk = sw(transmit(card, verifyCmd('13579'))) === 0x9000;
      expect(oldOk !== newOk, `point ${pt.point}: old ${oldOk} new ${newOk}`).toBe(true);
    });
    expect(sw(res.response)).toBe(0x9000);
    expect(res.writes).toBeGreaterThanOrEqual(5);
  });
});

describe('tear sweep: stores', () => {
  it('STORE CERTIFICATE: the certificate is the old one or the new one, whole', async () => {
    const { card, client, issuer, cardId, certificate } = await makeRig();
    const pub = await client.publicKey();
    const fresh = issuer.issueCardCertificate(cardId, pub);
    expect(fresh).not.toEqual(certificate);
    const ch = await client.getChallenge();
    const cmd = apdu(0x80, 0xe2, 0x00, 0x00, Uint8Array.from([...tlv(0xda, fresh), ...tlv(0x9e, issuer.authorizeStore(cardId, ch, fresh))]));
    const read = (): string => {
      transmit(card, selectCmd());
      return Buffer.from(transmit(card, apdu(0x80, 0xca, 0x7f, 0x21, undefined, 0x10000))).toString('hex');
    };
    const oldHex = Buffer.from([...certificate, 0x90, 0x00]).toString('hex');
    const newHex = Buffer.from([...fresh, 0x90, 0x00]).toString('hex');
    const res = tearSweep(card, cmd, (pt) => {
      if (pt.torn) expect([oldHex, newHex]).toContain(read());
    });
    expect(res.writes).toBe(1);
    expect(read()).toBe(newHex);
  });

  it('STORE PROFILE: nothing or the whole blob, never a prefix', async () => {
    const { card, client, auth, cardId } = await makeRig();
    const ch = await client.getChallenge();
    const data = auth.enrol(cardId, ch, enc('name=Alice;card=4111111111111111'));
    const res = tearSweep(card, apdu(0x80, 0xe4, 0x00, 0x00, data), (pt) => {
      if (!pt.torn) return;
      transmit(card, selectCmd());
      if ((transmit(card, apdu(0x80, 0xca, 0x00, 0xc0, undefined, 0x100))[2]! & 8) === 0) return;
      transmit(card, verifyCmd('1234'));
      const r = transmit(card, apdu(0x80, 0xe6, 0x00, 0x00, new Uint8Array(48), 0x10000));
      expect(Buffer.from(r.subarray(0, data.length - 66)).toString('hex')).toBe(Buffer.from(data.subarray(0, data.length - 66)).toString('hex'));
    });
    expect(res.writes).toBe(1);
    expect(sw(res.response)).toBe(0x9000);
  });
});

afterAll(() => expectNoSecretsIn(RESPONSES, SECRETS));
