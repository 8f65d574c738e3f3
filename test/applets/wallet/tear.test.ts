/**
 * The exhaustive tear sweep (card/runtime/tear.ts) over every persistent write of the wallet's
 * PAY and LOAD (and GET LAST RECEIPT's flag clearing): the power is cut after each write in turn;
 * after every power-up the wallet's persistent state is exactly the state before the command or
 * exactly the state after it — the purse is never half-debited — and a PAY torn after its commit
 * shows the "not completed" flag and hands out the committed record's receipt with GET LAST RECEIPT.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, readU32, tearSweep, type Card } from '../../../card/runtime/index.js';
import { verifyDigest } from '../../../card/algorithms/index.js';
import { WALLET_AID, WALLET_FLAG, WREC, walletReceiptDigest } from '../../../card/protocol/index.js';
import { ISSUER, WALLET_ID, apdu, info, makeWalletCard, ok, payRequest, sw } from './fixture.js';

const IGNORED = ['/receiptPending'];

function state(card: Card, ignored: readonly string[] = IGNORED): string {
  const parts: string[] = [];
  for (const [k, v] of card.memory.cells) if (k.startsWith(WALLET_AID) && !ignored.some((i) => k.endsWith(i))) parts.push(`${k}=${bytesToHex(v)}`);
  return parts.join(';');
}

function sweepAtomic(card: Card, cmd: Uint8Array, extra?: (torn: boolean, after: boolean, card: Card) => void, ignored: readonly string[] = IGNORED): number {
  const start = card.snapshot();
  const before = state(card, ignored);
  expect(sw(card.transmit(cmd)), 'the untorn command succeeds').toBe(0x9000);
  const after = state(card, ignored);
  expect(after).not.toBe(before);
  card.restore(start);
  const res = tearSweep(card, cmd, (p) => {
    const s = state(card, ignored);
    const isAfter = s === after;
    expect(isAfter || s === before, `point ${p.point}: neither before nor after`).toBe(true);
    extra?.(p.torn, isAfter, card);
  });
  expect(res.writes).toBeGreaterThan(0);
  return res.writes;
}

describe('tear sweep: e-wallet', () => {
  it('PAY: all-or-nothing; after the commit the receipt is recoverable, before it none exists', () => {
    const card = makeWalletCard();
    const pub = ok(card.transmit(apdu.pubKey()));
    let recovered = 0;
    let afterPoints = 0;
    const writes = sweepAtomic(card, apdu.pay(payRequest(100)), (torn, after, c) => {
      const i = info(c);
      if (!after) {
        expect(i).toMatchObject({ balance: 1_000, tx: 0 });
        expect(i.flags & WALLET_FLAG.receiptPending).toBe(0);
        expect(sw(c.transmit(apdu.lastReceipt()))).toBe(0x6a83);
        return;
      }
      afterPoints++;
      expect(i).toMatchObject({ balance: 900, tx: 1 });
      if (torn && i.flags & WALLET_FLAG.receiptPending) {
        const last = ok(c.transmit(apdu.lastReceipt()));
        expect(readU32(last, WREC.counter)).toBe(1);
        expect(readU32(last, WREC.after)).toBe(900);
        expect(verifyDigest(pub, walletReceiptDigest(last.subarray(0, WREC.length)), last.subarray(WREC.length))).toBe(true);
        expect(info(c).flags & WALLET_FLAG.receiptPending).toBe(0);
        recovered++;
      }
    });
    expect(writes).toBeGreaterThanOrEqual(4);
    expect(afterPoints).toBeGreaterThan(0);
    expect(recovered).toBeGreaterThan(0);
  });

  it('GET LAST RECEIPT clearing the flag: all-or-nothing', () => {
    const card = makeWalletCard();
    ok(card.transmit(apdu.pay(payRequest(10))));
    const flagKey = [...card.memory.cells.keys()].find((k) => k.startsWith(WALLET_AID) && k.endsWith('/receiptPending'))!;
    card.memory.cells.get(flagKey)![0] = 1; // as after a tear past the commit
    sweepAtomic(card, apdu.lastReceipt(), undefined, []);
  });

  it('LOAD: all-or-nothing (balance and load counter together)', () => {
    const card = makeWalletCard();
    const ch = ok(card.transmit(apdu.challenge()));
    sweepAtomic(card, apdu.load(200, 1, ISSUER.authorizeLoad(WALLET_ID, ch.subarray(0, 16), 200, 1)), (_t, after, c) => {
      expect(info(c)).toMatchObject(after ? { balance: 1_200, loadCounter: 1 } : { balance: 1_000, loadCounter: 0 });
    });
  });
});
