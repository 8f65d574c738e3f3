/**
 * The tickets suite (seed 002, mobile e-commerce: payment/telephone cards and tickets on the card;
 * issue 18), against the ledger applet's e-tickets through its commands only
 * (card/applets/ledger/tickets.ts, apdu-specs/ledger.ts):
 * - refusals that change nothing: ISSUE with a signature not from the ledger issuer (6916), the
 *   issuer's ISSUE replayed after its card challenge was used (6985: one-use challenge), VALIDATE of
 *   a ticket the card does not hold (6A88), READ TICKET past the last slot (6A86);
 * - (destructive) ISSUE a test ticket, VALIDATE it at a gate: the card's signature over the gate
 *   challenge and time verifies with its certified key; a second validation and a REFUND of the
 *   used ticket are refused (6915). The used ticket keeps its slot: that is what it spends.
 * - (destructive) ISSUE a test ticket, TRANSFER it to an emulated second card of the same issuer
 *   (GET TRANSFER NONCE there, TRANSFER OUT here, TRANSFER IN there: exactly one copy), back again,
 *   then REFUND it on the issuer's authorisation: the card-signed proof verifies, the slot is free.
 * Needs the profile's ledger section and the back-end keys (the ledger issuer).
 */
import { SW } from '../../../apdu-specs/index.js';
import { Card, SeededRng, bytesToHex, hexToBytes, u32 } from '../../../card/runtime/index.js';
import { LedgerApplet } from '../../../card/applets/ledger/index.js';
import { FLAG, LEDGER_AID, SLOT, TICKET_STATE, validateDigest } from '../../../card/protocol/index.js';
import { LedgerCard, LedgerCardError, LedgerIssuer, verify, type Ticket } from '../../backend/ledger/index.js';
import { EmulatorTransport } from '../../transport/index.js';
import { certifyLedgerCard, ledgerKeysOf, ledgerParams, ledgerPersonalization, type LedgerBackendKeys, type LedgerProfile } from '../../profile/ledger.js';
import type { Suite, SuiteContext } from '../types.js';

const VALIDATE = 'ISSUE a test ticket and VALIDATE it at a gate';
const ROUND_TRIP = 'ISSUE a test ticket, TRANSFER it to another card and back, REFUND it';
const hex4 = (sw: number): string => sw.toString(16).padStart(4, '0');

async function swOf(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
    return '9000';
  } catch (e) {
    if (e instanceof LedgerCardError) return hex4(e.sw);
    throw e;
  }
}

/** A ticket valid for an hour around now, with a fresh id. */
function testTicket(event: number): Ticket {
  const now = Math.floor(Date.now() / 1000);
  return { id: globalThis.crypto.getRandomValues(new Uint8Array(8)), event, seat: 1, validFrom: now - 600, validTo: now + 3600 };
}

/** GET CHALLENGE, the issuer signs the ticket for this card and that challenge, ISSUE. */
async function issue(w: LedgerCard, issuer: LedgerIssuer, cardId: Uint8Array, t: Ticket): Promise<string> {
  const { challenge } = await w.challenge();
  const signed = issuer.issueTicket(cardId, challenge, t);
  return swOf(() => w.issueTicket(signed.ticket, signed.signature));
}

/** An emulated second card of the same programme (another card id), certified by the same issuer: the transfer's other end. */
async function otherCard(s: LedgerProfile, issuer: LedgerIssuer, keys: LedgerBackendKeys): Promise<LedgerCard> {
  const cardId = hexToBytes(s.card_id).map((b) => b ^ 0xff);
  const card = new Card({ rng: new SeededRng(`prove tickets ${bytesToHex(cardId)} ${Date.now()}`) });
  card.install(LedgerApplet, { aid: LEDGER_AID, default: true, params: { ...ledgerParams(s) }, personalization: { ...ledgerPersonalization(s, keys), cardId } });
  const t = new EmulatorTransport(card);
  await t.connect();
  await certifyLedgerCard(t, issuer, cardId);
  return new LedgerCard(t);
}

async function slotStates(w: LedgerCard, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await w.readTicket(i))[SLOT.state]!);
  return out;
}

export const ticketsSuite: Suite = {
  name: 'tickets',
  description: 'e-tickets on the ledger: forged or replayed ISSUE refused; with --destructive, VALIDATE once at a gate (signed), TRANSFER to another card and back, REFUND with proof',
  needsProfile: true,
  checks: [
    { name: VALIDATE, destructive: true, effect: 'issues a test ticket and validates it: the used ticket keeps one ticket slot for good' },
    { name: ROUND_TRIP, destructive: true, effect: 'issues a test ticket, moves it out and back, refunds it (its slot is freed; the transfer outbox keeps the delivered blob)' },
  ],
  async run(ctx: SuiteContext) {
    const p = ctx.profile!;
    if (!p.ledger) return ctx.skip('tickets suite', 'the profile has no ledger section');
    if (!ctx.actors) return ctx.skip('tickets suite', 'needs --backend-keys (the ledger issuer that signs tickets)');
    const issuer = ctx.actors.ledgerIssuer;
    const w = new LedgerCard(ctx.transport);
    await w.select();
    const info = await w.info();
    if (info.ticketSlots === 0) return ctx.skip('tickets suite', 'the ledger has no ticket slots (ledger.ticket_slots: 0)');
    const cert = await w.certificate();
    const cardId = cert.cardId;
    const before = await slotStates(w, info.ticketSlots);

    // Refusals: nothing changes.
    const forger = new LedgerIssuer();
    ctx.check('ISSUE signed by another key than the ledger issuer is refused', hex4(SW.LEDGER_BAD_SIGNATURE), await issue(w, forger, cardId, testTicket(2001)));
    const { challenge } = await w.challenge();
    const captured = issuer.issueTicket(cardId, challenge, testTicket(2002));
    await w.challenge(); // the captured ISSUE's challenge is no longer the card's
    const stale = await swOf(() => w.issueTicket(captured.ticket, captured.signature));
    ctx.check('an issuer ISSUE over a superseded card challenge is refused', hex4(SW.LEDGER_BAD_SIGNATURE), stale);
    ctx.check('the same ISSUE again without a fresh challenge is refused (one-use challenge)', hex4(SW.CONDITIONS_NOT_SATISFIED), await swOf(() => w.issueTicket(captured.ticket, captured.signature)));
    ctx.check('VALIDATE of a ticket the card does not hold is refused', hex4(SW.REFERENCE_DATA_NOT_FOUND), await swOf(() => w.validateTicket(testTicket(0).id, new Uint8Array(16), Math.floor(Date.now() / 1000))));
    ctx.check('READ TICKET past the last slot is refused', hex4(SW.INCORRECT_P1P2), await swOf(() => w.readTicket(info.ticketSlots)));
    ctx.check('the refusals changed no ticket slot', before.join(','), (await slotStates(w, info.ticketSlots)).join(','));
    const noFreeSlot = async (): Promise<boolean> => !(await slotStates(w, info.ticketSlots)).includes(TICKET_STATE.empty);
    const FULL = 'no free ticket slot on this card (each validated test ticket keeps one)';

    if (await noFreeSlot()) ctx.skip(VALIDATE, FULL);
    else if (ctx.allowed(VALIDATE)) {
      const t = testTicket(2003);
      const issued = await issue(w, issuer, cardId, t);
      ctx.check('ISSUE a ticket signed by the ledger issuer', '9000', issued);
      if (issued === '9000') {
        const gate = globalThis.crypto.getRandomValues(new Uint8Array(16));
        const at = Math.floor(Date.now() / 1000);
        let signature: Uint8Array | undefined;
        const got = await swOf(async () => {
          signature = await w.validateTicket(t.id, gate, at);
        });
        const valid = signature !== undefined && verify(cert.publicKey, validateDigest(cardId, t.id, gate, u32(at)), signature);
        ctx.check('VALIDATE at the gate: the card signs the gate challenge and time (certified key)', '9000 valid', `${got}${signature ? (valid ? ' valid' : ' invalid') : ''}`);
        ctx.check('a second VALIDATE (another gate challenge) is refused', hex4(SW.LEDGER_TICKET_USED), await swOf(() => w.validateTicket(t.id, globalThis.crypto.getRandomValues(new Uint8Array(16)), at)));
        const { challenge: ch } = await w.challenge();
        ctx.check('REFUND of the used ticket is refused', hex4(SW.LEDGER_TICKET_USED), await swOf(() => w.refundTicket(t.id, issuer.authorizeRefund(cardId, t.id, ch))));
      }
    }

    if (await noFreeSlot()) ctx.skip(ROUND_TRIP, FULL);
    else if (ctx.allowed(ROUND_TRIP)) {
      const t = testTicket(2004);
      const issued = await issue(w, issuer, cardId, t);
      ctx.require('ISSUE a ticket to move', '9000', issued, [
        'TRANSFER OUT: the ticket sealed to the other card leaves this one', 'TRANSFER IN on the other card (sender certified by the same issuer)',
        'the same sealed ticket again is refused there (exactly one copy)', 'TRANSFER IN back on this card',
        'REFUND on the issuer authorisation: the card-signed proof verifies', 'the refunded ticket is gone (VALIDATE refused)',
      ]);
      const other = await otherCard(p.ledger, issuer, ledgerKeysOf(ctx.actors));
      const held = async (): Promise<number> => (await slotStates(w, info.ticketSlots)).filter((x) => x !== TICKET_STATE.empty).length;
      const holding = await held();
      // The outbox keeps the last sealed ticket until the next transfer says it was delivered (P1=01).
      const delivered = ((await w.info()).flags & FLAG.outbox) !== 0;
      let sealed: Uint8Array | undefined;
      const out = await swOf(async () => {
        sealed = await w.transferOut(t.id, await other.publicKey(), await other.transferNonce(), delivered);
      });
      ctx.check('TRANSFER OUT: the ticket sealed to the other card leaves this one', `9000, ${holding - 1} held`, `${out}, ${await held()} held`);
      if (!sealed) return;
      ctx.check('TRANSFER IN on the other card (sender certified by the same issuer)', '9000', await swOf(() => other.transferIn(sealed!)));
      ctx.check('the same sealed ticket again is refused there (exactly one copy)', hex4(SW.CONDITIONS_NOT_SATISFIED), await swOf(() => other.transferIn(sealed!)));
      let back: Uint8Array | undefined;
      await swOf(async () => {
        back = await other.transferOut(t.id, cert.publicKey, await w.transferNonce());
      });
      ctx.check('TRANSFER IN back on this card', '9000', back ? await swOf(() => w.transferIn(back!)) : 'the other card did not seal it');
      const { challenge: ch } = await w.challenge();
      let proof: Uint8Array | undefined;
      const refunded = await swOf(async () => {
        proof = await w.refundTicket(t.id, issuer.authorizeRefund(cardId, t.id, ch));
      });
      ctx.check('REFUND on the issuer authorisation: the card-signed proof verifies', '9000 valid', `${refunded}${proof ? (issuer.checkRefundProof(cardId, cert.publicKey, t.id, ch, proof) ? ' valid' : ' invalid') : ''}`);
      ctx.check('the refunded ticket is gone (VALIDATE refused)', hex4(SW.REFERENCE_DATA_NOT_FOUND), await swOf(() => w.validateTicket(t.id, new Uint8Array(16), Math.floor(Date.now() / 1000))));
    }
  },
};
