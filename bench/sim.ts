/**
 * SIM/USIM throughput in-process: USIM AUTHENTICATE (Milenage, 3G context, a fresh SQN per call so
 * every run opens AUTN, checks the SQN array and commits the new SEQ) and RUN GSM ALGORITHM
 * (COMP128-1), through Card.transmit on a T=1 card. Issue 4 floor: 50,000 AUTHENTICATE/s.
 */
import { generateAuthVector, milenageAka, sqnToBytes } from '../card/algorithms/index.js';
import { installSim, USIM_AID } from '../card/applets/sim/index.js';
import { Card, SeededRng, hexToBytes } from '../card/runtime/index.js';
import { opsPerSecond, type BenchRow } from './measure.js';

const KI = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const PIN = '3132333435363738'.slice(0, 8) + 'ffffffff';

function card(gsmAlgorithm: 'comp128v1' | 'gsm-milenage'): Card {
  const c = new Card({ rng: new SeededRng(new Uint8Array(32)) });
  installSim(c, {}, {
    iccid: '8949000000000000001', imsi: '001010123456789', ki: KI, opc: OPC, algorithm: 'milenage', gsmAlgorithm,
    pins: { pin1: '1234', puk1: '12345678', pin2: '5678', puk2: '87654321', adm1: '88888888', pin1Enabled: true },
  });
  c.powerOn();
  return c;
}

/**
 * `count` USIM AUTHENTICATE (3G context) APDUs for the TS 35.207 set 1 keys, each with a fresh
 * SQN (IND 0, SEQ 1, 2, …), built by the AuC before any timing.
 */
export function authenticateApdus(count: number): Uint8Array[] {
  const fns = milenageAka(hexToBytes(KI), hexToBytes(OPC));
  const rand = hexToBytes('23553cbe9637a89d218ae64dae47bf35');
  return Array.from({ length: count }, (_, k) => {
    const av = generateAuthVector(fns, rand, sqnToBytes((k + 1) * 32), hexToBytes('8000'));
    const apdu = new Uint8Array(40);
    apdu.set([0x00, 0x88, 0x00, 0x81, 0x22, 0x10]);
    apdu.set(rand, 6);
    apdu[22] = 0x10;
    apdu.set(av.autn, 23);
    return apdu;
  });
}

export function benchSim(): BenchRow[] {
  const u = card('gsm-milenage');
  u.transmit(hexToBytes(`00a4040c10${USIM_AID}`));
  u.transmit(hexToBytes(`0020000108${PIN}`));
  // Pre-built APDUs with increasing SQN (the same IND slot advances one SEQ each time), made
  // before timing so the AuC's work is not counted; if they run out, the card is rewound.
  const N = 400_000;
  const batch = authenticateApdus(N);
  const start = u.snapshot();
  let i = 0;
  let bad = 0;
  const auth = opsPerSecond(() => {
    if (i === N) {
      u.restore(start);
      i = 0;
    }
    const r = u.transmit(batch[i++]!);
    if (r[0] !== 0xdb) bad++;
  }, { ms: 500, batch: 256 });
  if (bad) throw new Error(`AUTHENTICATE benchmark: ${bad} answers were not DB (successful 3G context)`);

  const g = card('comp128v1');
  g.transmit(hexToBytes('a0a40000027f20'));
  g.transmit(hexToBytes(`a020000108${PIN}`));
  const run = hexToBytes('a08800001023553cbe9637a89d218ae64dae47bf35');
  const gsm = opsPerSecond(() => {
    g.transmit(run);
  }, { ms: 500 });
  return [
    { name: 'in-process USIM AUTHENTICATE (Milenage, 3G context)', ...auth, unit: 'APDU/s', floor: 50_000 },
    { name: 'in-process RUN GSM ALGORITHM (COMP128-1)', ...gsm, unit: 'APDU/s' },
  ];
}
