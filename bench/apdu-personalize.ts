/**
 * Benchmark of APDU personalization (issue 8): the seeds profile's whole script (SIM blocks and
 * files, payment and ledger PERSO_STORE_DATA blocks with on-card key generation; certification
 * excluded, it is host-side issuer work) sent to a blank emulated card, in cards per second; and
 * the payment applet's last block alone (one transaction + P-256 key generation).
 */
import { fileURLToPath } from 'node:url';
import { SeededRng } from '../card/runtime/index.js';
import { loadProfileFile } from '../host/profile/load.js';
import { actorsFrom, demoSecrets } from '../host/backend/actors.js';
import { personalizationScript } from '../host/profile/apdu/run.js';
import { blankCard, layoutOf } from '../host/profile/apdu/applets.js';
import { opsPerSecond, type BenchRow } from './measure.js';

export function benchApduPersonalization(): BenchRow[] {
  const file = fileURLToPath(new URL('../profiles/example-seeds.yaml', import.meta.url));
  const p = loadProfileFile(file);
  const script = personalizationScript(p, { actors: actorsFrom(demoSecrets()), file });
  const steps = script.map((s) => s.apdu);
  const card = blankCard({ personality: p.personality, adm1: p.pins.adm1, rng: new SeededRng('bench'), applets: layoutOf(p) });
  const blank = card.snapshot();
  const whole = opsPerSecond(() => {
    card.restore(blank);
    for (const s of steps) card.transmit(s);
  }, { batch: 1, ms: 1000 });
  // Up to the payment's last block, then that block alone.
  const lastPay = script.findIndex((s) => s.label.startsWith('PERSO_STORE_DATA payment') && s.apdu[2] === 0x90);
  card.restore(blank);
  for (const s of steps.slice(0, lastPay)) card.transmit(s);
  const before = card.snapshot();
  const block = opsPerSecond(() => {
    card.restore(before);
    card.transmit(steps[lastPay]!);
  }, { batch: 10 });
  return [
    { name: `APDU personalization, seeds profile (${steps.length} APDUs, SIM + payment + ledger, no certification)`, value: Math.round(whole.value), method: whole.method, unit: 'cards/s' },
    { name: 'payment PERSO_STORE_DATA last block (transaction + on-card P-256 keygen)', value: Math.round(block.value), method: block.method, unit: 'blocks/s' },
  ];
}
