/**
 * Issue 20, crypto rows: measuring functions the bench runner calls (bench/runner.ts owns the
 * table). Each row is measured side by side in one process: paired, interleaved rounds (A then B,
 * then B then A, …, the order alternating so drift and load hit both sides alike), each side run
 * for `ms` per round; reported are the medians, min–max, the median of the per-round ratios and the
 * load average before and after. A row whose correctness check fails throws (the run must fail).
 *   - USIM AUTHENTICATE (Milenage, 3G context, fresh SQN each) vs cardforge's own AES-128 ÷ 6 blocks
 *     (the AES-bound: one AUTHENTICATE needs 6 block encryptions: TEMP, OUT1..OUT4 here).
 *   - payment SIGN TRANSACTION ECDSA (VERIFY + SIGN APDUs) vs node:crypto P-256 sign of the record.
 *   - ledger DEBIT with a new offer (GET CHALLENGE + DEBIT: verify + sign + commit; the editor's
 *     signature and the log settlement outside the timing) vs node:crypto sign + verify.
 * `provider` picks the card's crypto provider ('pure' or 'node', default 'node' as the CLI runs).
 */
import { createHash, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { PAYMENT_AID } from '../apdu-specs/payment.js';
import { aes128EncryptInto, aes128ExpandKey, generateAuthVector, milenageAka, sqnToBytes } from '../card/algorithms/index.js';
import { installSim, USIM_AID } from '../card/applets/sim/index.js';
import { PaymentApplet } from '../card/applets/payment/index.js';
import { LedgerApplet } from '../card/applets/ledger/index.js';
import { Card, CryptoRng, SeededRng, VirtualClock, buildCommand, bytesToHex, concat, hexToBytes, readU32, type CryptoProvider } from '../card/runtime/index.js';
import { LEDGER_AID, encodeSignFields, offerDigest } from '../card/protocol/index.js';
import { cryptoProvider } from '../host/crypto/node-provider.js';
import { EmulatorTransport } from '../host/transport/emulator.js';
import { apdu } from '../host/backend/payment/card-client.js';
import { IssuerCA, type Order } from '../host/backend/payment/index.js';
import { LedgerIssuer, OfferSigner, SettlementServer, SigningKey, encodeDebit } from '../host/backend/ledger/index.js';
import { certifyPaymentCard, paymentParams, paymentPersonalization, paymentProfileSchema } from '../host/profile/payment.js';

export interface CryptoRowOptions {
  /** Paired rounds (default 7). */
  readonly rounds?: number;
  /** Timed milliseconds per side per round (default 300). */
  readonly ms?: number;
  /** The card's crypto provider: 'node' (default, as the CLI) or 'pure', or a provider. */
  readonly provider?: 'node' | 'pure' | CryptoProvider;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface CryptoRow {
  readonly name: string;
  readonly unit: string;
  /** cardforge, per round (ops/s). */
  readonly cardforge: Spread;
  /** The reference measured in the same run, same rounds. */
  readonly reference: Spread & { readonly name: string };
  /** cardforge ÷ reference: the median of the per-round ratios, and their spread. */
  readonly ratio: Spread;
  /** The goal of issue 20 for the ratio. */
  readonly goal: number;
  readonly reached: boolean;
  readonly provider: string;
  readonly method: string;
  /** os.loadavg() (1, 5, 15 min) before and after the row. */
  readonly load: { readonly before: readonly number[]; readonly after: readonly number[] };
}

/** A workload: run `n` operations and return the time they took that counts (ms). */
export type Timed = (n: number) => number;

function spread(xs: readonly number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]! };
}

/** ops/s of `w` over at least `ms` of counted time, in batches of `batch`. */
function rate(w: Timed, ms: number, batch: number): number {
  let n = 0;
  let t = 0;
  while (t < ms) {
    t += w(batch);
    n += batch;
  }
  return (n * 1000) / t;
}

/**
 * Paired interleaved rounds of two workloads (after a warm-up of each): per round both rates and
 * their ratio; the order alternates each round.
 */
export function pairedRounds(a: Timed, b: Timed, opts: { rounds?: number; ms?: number; batchA?: number; batchB?: number } = {}): { a: Spread; b: Spread; ratio: Spread } {
  const rounds = opts.rounds ?? 7;
  const ms = opts.ms ?? 300;
  const ba = opts.batchA ?? 100;
  const bb = opts.batchB ?? 100;
  rate(a, Math.min(200, ms), ba);
  rate(b, Math.min(200, ms), bb);
  const ra: number[] = [];
  const rb: number[] = [];
  const rr: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let x: number, y: number;
    if (r % 2 === 0) {
      x = rate(a, ms, ba);
      y = rate(b, ms, bb);
    } else {
      y = rate(b, ms, bb);
      x = rate(a, ms, ba);
    }
    ra.push(x);
    rb.push(y);
    rr.push(x / y);
  }
  return { a: spread(ra), b: spread(rb), ratio: spread(rr) };
}

/** A plain loop timed as a whole. */
function loop(op: () => void): Timed {
  return (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) op();
    return performance.now() - t0;
  };
}

function providerOf(p: CryptoRowOptions['provider']): CryptoProvider {
  return typeof p === 'object' ? p : cryptoProvider(p ?? 'node');
}

function row(name: string, unit: string, refName: string, goal: number, cp: CryptoProvider, method: string, run: () => { a: Spread; b: Spread; ratio: Spread }): CryptoRow {
  const before = loadavg();
  const m = run();
  return {
    name, unit, cardforge: m.a, reference: { name: refName, ...m.b }, ratio: m.ratio, goal, reached: m.ratio.median >= goal, provider: cp.name, method,
    load: { before, after: loadavg() },
  };
}

function methodOf(o: CryptoRowOptions): string {
  return `${o.rounds ?? 7} paired interleaved rounds × ${o.ms ?? 300} ms per side, medians`;
}

const KI = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const PIN1 = '31323334ffffffff';

/** The card modules a workload runs on: these by default; a before/after comparison passes an older build's. */
export interface CardModules {
  readonly Card: typeof Card;
  readonly installSim: typeof installSim;
}

/** The AUTHENTICATE workload: timed Card.transmit of AUTHENTICATE with a fresh SQN each, answers checked DB … 9000. */
export function authenticateTimed(cp: CryptoProvider, mods: CardModules = { Card, installSim }): Timed {
  const card = new mods.Card({ rng: new SeededRng(new Uint8Array(32)), crypto: cp });
  mods.installSim(card, {}, {
    iccid: '8949000000000000001', imsi: '001010123456789', ki: KI, opc: OPC, algorithm: 'milenage', gsmAlgorithm: 'gsm-milenage',
    pins: { pin1: '1234', puk1: '12345678', pin2: '5678', puk2: '87654321', adm1: '88888888', pin1Enabled: true },
  });
  card.powerOn();
  card.transmit(hexToBytes(`00a4040c10${USIM_AID}`));
  card.transmit(hexToBytes(`0020000108${PIN1}`));
  const fns = milenageAka(hexToBytes(KI), hexToBytes(OPC));
  const rand = hexToBytes('23553cbe9637a89d218ae64dae47bf35');
  const N = 50_000;
  const cmds = Array.from({ length: N }, (_, k) => {
    const av = generateAuthVector(fns, rand, sqnToBytes((k + 1) * 32), hexToBytes('8000'));
    return concat(Uint8Array.of(0x00, 0x88, 0x00, 0x81, 0x22, 0x10), rand, Uint8Array.of(0x10), av.autn, Uint8Array.of(0x00)); // case 4, Le 00
  });
  const start = card.snapshot();
  let i = 0;
  const auth: Timed = (n) => {
    let t = 0;
    for (let j = 0; j < n; j++) {
      if (i === N) {
        card.restore(start); // outside the timing
        i = 0;
      }
      const t0 = performance.now();
      const r = card.transmit(cmds[i++]!);
      t += performance.now() - t0;
      if (r[0] !== 0xdb || r[r.length - 2] !== 0x90) throw new Error(`AUTHENTICATE row: answer ${bytesToHex(r)} is not DB … 9000`);
    }
    return t;
  };
  return auth;
}

/** USIM AUTHENTICATE/s (Card.transmit, each answer checked DB) vs own AES-128 blocks/s ÷ 6. */
export function authenticateRow(opts: CryptoRowOptions = {}): CryptoRow {
  const cp = providerOf(opts.provider);
  const auth = authenticateTimed(cp);
  const key = aes128ExpandKey(hexToBytes(KI));
  const blk = new Uint8Array(16);
  const aes6: Timed = (n) => {
    const t0 = performance.now();
    for (let j = 0; j < 6 * n; j++) aes128EncryptInto(key, blk, 0, blk, 0);
    return performance.now() - t0;
  };
  return row('USIM AUTHENTICATE (Milenage, 3G context)', 'APDU/s', "cardforge's own AES-128 ÷ 6 blocks", 0.4, cp, methodOf(opts),
    () => pairedRounds(auth, aes6, { ...opts, batchA: 200, batchB: 2000 }));
}

/** A fresh payment card on provider `cp` (same seed: same keys, same signatures), certified. */
async function paymentCard(cp: CryptoProvider): Promise<{ card: Card; run: () => Uint8Array }> {
  const clock = new VirtualClock();
  const card = new Card({ rng: new SeededRng('bench'), clock, crypto: cp });
  const issuer = new IssuerCA({ now: () => clock.now() });
  const section = paymentProfileSchema.parse({ card_id: '0102030405060708', payment_code: '1234', unblock_code: '12345678' });
  card.install(PaymentApplet, { aid: PAYMENT_AID, params: { ...paymentParams(section) }, personalization: paymentPersonalization(section, issuer), default: true });
  const transport = new EmulatorTransport(card);
  await transport.connect();
  await certifyPaymentCard(transport, issuer);
  card.powerOn();
  const order: Order = { merchantId: new TextEncoder().encode('bench-shop'), amount: 999, currency: 978, dateTime: new Date(Date.UTC(2026, 0, 1, 12)), orderHash: new Uint8Array(createHash('sha256').update(new Uint8Array(64)).digest()) };
  const verify = apdu(0x00, 0x20, 0x00, 0x81, new TextEncoder().encode('1234'));
  const sign = apdu(0x80, 0x50, 0, 0x00, encodeSignFields({ ...order, challenge: new Uint8Array(16).fill(1) }), 0x100);
  return {
    card,
    run: () => {
      card.transmit(verify);
      const r = card.transmit(sign);
      if (r.length !== 70 || r[68] !== 0x90) throw new Error(`SIGN TRANSACTION row: answer ${bytesToHex(r)} is not a 68-byte signed record and 9000`);
      return r;
    },
  };
}

function p256Pair(): { priv: KeyObject; pub: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { priv: privateKey, pub: publicKey };
}

/** The SIGN TRANSACTION workload (VERIFY + SIGN APDUs, answers checked) on provider `cp`. */
export async function signTransactionTimed(cp: CryptoProvider): Promise<Timed> {
  return loop((await paymentCard(cp)).run);
}

/** SIGN TRANSACTION (ECDSA: VERIFY + SIGN APDUs) per second vs node:crypto P-256 sign. */
export async function signTransactionRow(opts: CryptoRowOptions = {}): Promise<CryptoRow> {
  const cp = providerOf(opts.provider);
  const { run } = await paymentCard(cp);
  // Correctness: the same card on the pure provider answers the same bytes (RFC 6979: same signatures).
  const ref = await paymentCard(cryptoProvider('pure'));
  for (let k = 0; k < 3; k++) {
    const a = bytesToHex(run());
    const b = bytesToHex(ref.run());
    if (a !== b) throw new Error(`SIGN TRANSACTION row: provider "${cp.name}" answered ${a}, the pure provider ${b}`);
  }
  const { priv } = p256Pair();
  const record = new Uint8Array(66).fill(5);
  const node = loop(() => nodeSign('sha256', record, { key: priv, dsaEncoding: 'ieee-p1363' }));
  return row('payment SIGN TRANSACTION ECDSA P-256 (VERIFY + SIGN APDUs)', 'signatures/s', 'node:crypto P-256 sign', 0.5, cp, methodOf(opts),
    () => pairedRounds(loop(run), node, { ...opts, batchA: 20, batchB: 50 }));
}

const CARD_ID = hexToBytes('0102030405060708');
const EDITOR_SECRET = new Uint8Array(32).fill(0x22);
const NODE_SIGNER = cryptoProvider('node');
const u32 = (v: number): Uint8Array => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

function ok(r: Uint8Array, what: string): Uint8Array {
  if (r[r.length - 2] !== 0x90 || r[r.length - 1] !== 0x00) throw new Error(`DEBIT row: ${what} answered ${bytesToHex(r.subarray(r.length - 2))}`);
  return r.subarray(0, r.length - 2).slice();
}

/** The DEBIT workload: timed GET CHALLENGE + DEBIT with a new editor-signed offer each (signing and settling untimed). */
export function ledgerDebitTimed(cp: CryptoProvider): Timed {
  const issuer = new LedgerIssuer(SigningKey.fromSecret(new Uint8Array(32).fill(0x11)));
  const editor = new OfferSigner(SigningKey.fromSecret(EDITOR_SECRET));
  const server = new SettlementServer(issuer.publicKey, SigningKey.fromSecret(new Uint8Array(32).fill(0x33)));
  // The default random source, as a CLI card has (bench/ledger.ts debitBench says why).
  const card = new Card({ rng: new CryptoRng(), clock: new VirtualClock(), crypto: cp });
  card.install(LedgerApplet, {
    aid: LEDGER_AID, default: true, params: { mode: 'postpaid', logSize: 254, ticketSlots: 2 },
    personalization: { cardId: CARD_ID, currency: 978, limit: 0xffffffff, editorRootKey: editor.publicKey, issuerKey: issuer.publicKey, serverKey: server.publicKey },
  });
  card.powerOn();
  const pub = ok(card.transmit(buildCommand(0x80, 0x42, 0, 0, { ne: 65 })), 'GET PUBLIC KEY');
  ok(card.transmit(buildCommand(0x80, 0x44, 0, 0, { data: issuer.certify(CARD_ID, pub) })), 'PUT CERTIFICATE');
  const settle = (): void => {
    const exp = ok(card.transmit(buildCommand(0x80, 0x56, 0, 0, { ne: 112 })), 'EXPORT');
    const first = readU32(exp, 4), last = readU32(exp, 8);
    const records: Uint8Array[] = [];
    for (let c = first; c <= last; c++) records.push(ok(card.transmit(buildCommand(0x00, 0xb2, last - c + 1, 0x04, { ne: 82 })), 'READ RECORD'));
    const cert = ok(card.transmit(buildCommand(0x80, 0x46, 0, 0, { ne: 137 })), 'GET CERTIFICATE');
    const res = server.importExport({ cardId: cert.slice(0, 8), publicKey: cert.slice(8, 73), signature: cert.slice(73) },
      { exportCounter: readU32(exp, 0), first, last, amount: readU32(exp, 12), recordsDigest: exp.slice(16, 48), signature: exp.slice(48), records });
    ok(card.transmit(buildCommand(0x80, 0x58, 0, 0, { data: concat(u32(res.ack.exportCounter), u32(res.ack.last), res.ack.signature) })), 'ACK');
  };
  const editorId = hexToBytes('ed00000a');
  const getChallenge = buildCommand(0x80, 0x48, 0, 0, { ne: 20 });
  let n = 0;
  let sinceSettle = 0;
  // The editor's signature (untimed) through the Node provider (node:crypto's k·G), the same RFC 6979 bytes
  // as editor.sign: the pure-JavaScript signer's bigint garbage was collected inside the timed card
  // work (issue 20). Checked against editor.sign once here.
  const signOffer = (id: Uint8Array, offerHash: Uint8Array, ch: Uint8Array): Uint8Array => NODE_SIGNER.p256Sign(EDITOR_SECRET, offerDigest(id, offerHash, 1, 978, ch, 1_767_225_600));
  const probe = new Uint8Array(16).fill(7);
  if (bytesToHex(signOffer(editorId, probe.subarray(0, 16), probe)) !== bytesToHex(editor.sign(editorId, probe.subarray(0, 16), 1, 978, probe, 1_767_225_600))) throw new Error('DEBIT row: the offer signer differs from editor.sign');
  const debit: Timed = (count) => {
    let t = 0;
    for (let j = 0; j < count; j++) {
      if (sinceSettle === 250) {
        settle(); // outside the timing; the server checks every receipt signature
        sinceSettle = 0;
      }
      const t0 = performance.now();
      const ch = ok(card.transmit(getChallenge), 'GET CHALLENGE').subarray(0, 16);
      t += performance.now() - t0;
      const offerHash = new Uint8Array(32).fill((++n % 250) + 1);
      const sig = signOffer(editorId, offerHash, ch);
      const cmd = buildCommand(0x80, 0x50, 0, 0, { data: encodeDebit({ editorId, offerHash, price: 1, currency: 978, challenge: ch, dateTime: 1_767_225_600, editorSignature: sig }), ne: 256 });
      const t1 = performance.now();
      const r = card.transmit(cmd);
      t += performance.now() - t1;
      ok(r, 'DEBIT');
      sinceSettle++;
    }
    return t;
  };
  return debit;
}

/** Ledger DEBIT with a new offer per second (GET CHALLENGE + DEBIT timed) vs node:crypto sign + verify. */
export function ledgerDebitRow(opts: CryptoRowOptions = {}): CryptoRow {
  const cp = providerOf(opts.provider);
  const debit = ledgerDebitTimed(cp);
  const a = p256Pair();
  const b = p256Pair();
  const msg = new Uint8Array(80).fill(9);
  const sigB = nodeSign('sha256', msg, { key: b.priv, dsaEncoding: 'ieee-p1363' });
  const node = loop(() => {
    if (!nodeVerify('sha256', msg, { key: b.pub, dsaEncoding: 'ieee-p1363' }, sigB)) throw new Error('DEBIT row: node:crypto refused its own signature');
    nodeSign('sha256', msg, { key: a.priv, dsaEncoding: 'ieee-p1363' });
  });
  return row('ledger DEBIT, new offer (verify + sign + commit)', 'DEBIT/s', 'node:crypto P-256 sign + verify', 0.5, cp, `${methodOf(opts)}; the editor's signature and the log settlement outside the timing`,
    () => pairedRounds(debit, node, { ...opts, batchA: 25, batchB: 50 }));
}

/** The three rows in order. */
export async function cryptoRows(opts: CryptoRowOptions = {}): Promise<CryptoRow[]> {
  return [authenticateRow(opts), await signTransactionRow(opts), ledgerDebitRow(opts)];
}

/** One line per row, for a quick look (`npx tsx bench/crypto-rows.ts [pure|node]`). */
export function formatCryptoRow(r: CryptoRow): string {
  const f = (x: number): string => Math.round(x).toLocaleString('en-US');
  const s = (x: Spread, d = 0): string => (d ? `${x.median.toFixed(d)} (${x.min.toFixed(d)}–${x.max.toFixed(d)})` : `${f(x.median)} (${f(x.min)}–${f(x.max)})`);
  return `${r.name} [${r.provider}]: ${s(r.cardforge)} ${r.unit} | ${r.reference.name}: ${s(r.reference)} /s | ratio ${s(r.ratio, 2)} goal ≥ ${r.goal} ${r.reached ? 'reached' : 'NOT reached'} | load ${r.load.before.map((x) => x.toFixed(2)).join(' ')} → ${r.load.after.map((x) => x.toFixed(2)).join(' ')}`;
}

if (process.argv[1] !== undefined && /crypto-rows\.ts$/.test(process.argv[1])) {
  const provider = (process.argv[2] ?? 'node') as 'node' | 'pure';
  void cryptoRows({ provider }).then((rows) => {
    for (const r of rows) console.log(formatCryptoRow(r));
  });
}
