/**
 * The `tickets` prove suite (seed 002; issue 18) against the seeds card in process: the refusals
 * pass without --destructive and change no slot; with --destructive a ticket is validated once
 * (the gate signature verifies) and another goes to an emulated second card and back, then is
 * refunded with a verified proof. Run again, so the outbox left by the first transfer is handled,
 * until the validated tickets fill the slots: then the issuing checks skip with the reason.
 * Against a card of another ledger issuer the ISSUE rows fail (the suite can fail).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseProfileText } from '../../host/profile/load.js';
import { personalizeCard } from '../../host/profile/personalize.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { runSuites, selectSuites, textTable, DESTRUCTIVE_SKIP } from '../../host/prove/index.js';
import { actorsFrom, demoSecrets } from '../../host/backend/actors.js';
import { LedgerCard } from '../../host/backend/ledger/index.js';
import { SLOT, TICKET_STATE } from '../../card/protocol/index.js';

const seeds = parseProfileText(readFileSync(new URL('../../profiles/example-seeds.yaml', import.meta.url), 'utf8'), 'example-seeds.yaml');
const actors = actorsFrom(demoSecrets());

async function seedsCard(): Promise<EmulatorTransport> {
  const t = new EmulatorTransport(await personalizeCard(seeds, 'example-seeds.yaml', actors));
  await t.connect();
  return t;
}

async function states(t: EmulatorTransport): Promise<number[]> {
  const w = new LedgerCard(t);
  await w.select();
  const n = (await w.info()).ticketSlots;
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await w.readTicket(i))[SLOT.state]!);
  return out;
}

describe('prove tickets (seed 002)', () => {
  it('refusals without --destructive; with it: validate once (signed), transfer out and back, refund with proof; again until the slots are full', async () => {
    expect(selectSuites(['seed-002-tickets']).map((s) => s.name)).toEqual(['tickets']);
    const t = await seedsCard();
    const safe = await runSuites(t, selectSuites(['seed-002-tickets']), { profile: seeds, actors });
    expect(safe.failed, textTable(safe)).toBe(0);
    expect(safe.rows.filter((r) => r.verdict === 'skip').map((r) => r.note?.startsWith(DESTRUCTIVE_SKIP))).toEqual([true, true]);
    expect(safe.rows.filter((r) => r.verdict === 'pass').map((r) => r.check)).toEqual(expect.arrayContaining([
      'ISSUE signed by another key than the ledger issuer is refused', 'an issuer ISSUE over a superseded card challenge is refused',
      'the same ISSUE again without a fresh challenge is refused (one-use challenge)', 'the refusals changed no ticket slot',
    ]));
    expect(await states(t)).toEqual([0, 0, 0, 0]);
    for (let run = 1; run <= 3; run++) {
      const r = await runSuites(t, selectSuites(['tickets']), { profile: seeds, actors, destructive: true });
      expect(r.failed, textTable(r)).toBe(0);
      expect(r.skipped, textTable(r)).toBe(0);
      expect(r.rows.map((x) => x.check)).toEqual(expect.arrayContaining([
        'VALIDATE at the gate: the card signs the gate challenge and time (certified key)', 'a second VALIDATE (another gate challenge) is refused',
        'TRANSFER OUT: the ticket sealed to the other card leaves this one', 'TRANSFER IN on the other card (sender certified by the same issuer)',
        'the same sealed ticket again is refused there (exactly one copy)', 'TRANSFER IN back on this card',
        'REFUND on the issuer authorisation: the card-signed proof verifies', 'the refunded ticket is gone (VALIDATE refused)',
      ]));
      // Each run leaves exactly its validated ticket; the transferred one was refunded.
      expect((await states(t)).filter((s) => s === TICKET_STATE.used)).toHaveLength(run);
      expect((await states(t)).filter((s) => s === TICKET_STATE.valid)).toHaveLength(0);
    }
    // The fourth run takes the last slot with its validated ticket; then there is no room to move one.
    const full = 'no free ticket slot on this card (each validated test ticket keeps one)';
    const fourth = await runSuites(t, selectSuites(['tickets']), { profile: seeds, actors, destructive: true });
    expect(fourth.failed, textTable(fourth)).toBe(0);
    expect(fourth.rows.filter((x) => x.verdict === 'skip').map((x) => [x.check, x.note])).toEqual([['ISSUE a test ticket, TRANSFER it to another card and back, REFUND it', full]]);
    const fifth = await runSuites(t, selectSuites(['tickets']), { profile: seeds, actors, destructive: true });
    expect(fifth.failed, textTable(fifth)).toBe(0);
    expect(fifth.rows.filter((x) => x.verdict === 'skip').map((x) => x.note)).toEqual([full, full]);
    expect(await states(t)).toEqual([2, 2, 2, 2]);
  });

  it('against another ledger issuer the ISSUE rows fail, with expected and got', async () => {
    const t = await seedsCard();
    const strangers = actorsFrom(Object.fromEntries(Object.entries(demoSecrets()).map(([k, v]) => [k, v.map((b) => b ^ 0x5a)])) as ReturnType<typeof demoSecrets>);
    const r = await runSuites(t, selectSuites(['tickets']), { profile: seeds, actors: strangers, destructive: true });
    expect(r.rows.filter((x) => x.verdict === 'fail').map((x) => [x.check, x.expected, x.got])).toEqual(expect.arrayContaining([
      ['ISSUE a ticket signed by the ledger issuer', '9000', '6916'],
      ['ISSUE a ticket to move', '9000', '6916'],
    ]));
  });
});
