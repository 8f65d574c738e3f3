/**
 * In-process runtime throughput (issue: card runtime foundation): a trivial command returning
 * 16 bytes, SHA-256 of 64 bytes of data, and a command committing a 3-write transaction.
 * Peer: jCardSim 3.0.5 on Java 17 measured on this machine kind (figures from the issue).
 */
import { Card, hexToBytes } from '../card/runtime/index.js';
import { LoopbackApplet } from '../card/applets/index.js';
import { LOOPBACK_AID } from '../apdu-specs/loopback.js';
import { opsPerSecond, type BenchRow } from './measure.js';

export function benchRuntime(): BenchRow[] {
  const card = new Card();
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  card.powerOn();
  const fixed = hexToBytes('8012000010');
  const sha = hexToBytes('8014000040' + '5a'.repeat(64) + '20');
  const tx3 = hexToBytes('8016000003010203');
  const check = (cmd: Uint8Array, len: number): void => {
    const r = card.transmit(cmd);
    if (r.length !== len || r[r.length - 2] !== 0x90) throw new Error(`bench command ${Buffer.from(cmd).toString('hex')} answered ${Buffer.from(r).toString('hex')}`);
  };
  check(fixed, 18);
  check(sha, 34);
  check(tx3, 2);
  return [
    { name: 'in-process trivial APDU (16 bytes back)', value: opsPerSecond(() => card.transmit(fixed)), unit: 'APDU/s', peer: 'jCardSim 3.0.5: 4.3–4.7 M APDU/s', floor: 1_000_000 },
    { name: 'in-process SHA-256 of 64 bytes', value: opsPerSecond(() => card.transmit(sha), { batch: 200 }), unit: 'APDU/s', peer: 'jCardSim 3.0.5: 0.80–0.87 M APDU/s' },
    { name: 'in-process 3-write transaction commit', value: opsPerSecond(() => card.transmit(tx3)), unit: 'APDU/s', peer: 'jCardSim: no rollback journal (not comparable)' },
  ];
}
