/**
 * SIM / USIM protocol suites (TS 51.011, TS 102.221, TS 31.102, TS 33.102), checked with the
 * host AuC built from the profile's keys:
 *   pin       — CHV1/PIN1 verification, retry counter; (destructive) wrong values, block, unblock;
 *   gsm-auth  — RUN GSM ALGORITHM, SRES/Kc against the AuC's triplet;
 *   usim-auth — AUTHENTICATE 3G and GSM context against the AuC's quintuplet, MAC failure,
 *               synchronisation failure and resynchronisation from AUTS;
 *   aoc       — Advice of Charge: EF_ACMmax, EF_PUCT; (destructive) INCREASE on EF_ACM.
 * AUTHENTICATE and RUN GSM ALGORITHM with AuC vectors are not destructive (they move SQN as any
 * network attach does); wrong codes and INCREASE are, and are declared in each suite's `checks`.
 * Only standard APDUs are used, so the suites run the same against a real card in a reader.
 */
import { bytesToHex, concat, findTlv, hexToBytes, readU16, readU24 } from '../../../card/runtime/index.js';
import { GSM, SW, UICC, USIM_AID_PREFIX } from '../../../apdu-specs/index.js';
import { computeOpc } from '../../../card/algorithms/index.js';
import { AuC } from '../../backend/auc.js';
import type { Profile } from '../../profile/schema.js';
import type { Exchange, Suite, SuiteContext } from '../types.js';

const hx = (b: Uint8Array): string => bytesToHex(b);

function pinBlock(pin: string): Uint8Array {
  const b = new Uint8Array(8).fill(0xff);
  b.set(new TextEncoder().encode(pin));
  return b;
}

/** An AuC holding the profile's subscriber keys. */
export function aucFor(p: Profile): AuC {
  const a = p.auth;
  const opc = a.opc ?? (a.op ? hx(computeOpc(hexToBytes(a.ki), hexToBytes(a.op))) : undefined);
  const auc = new AuC();
  auc.addSubscriber({
    imsi: p.imsi,
    ki: hexToBytes(a.ki),
    ...(opc ? { opc: hexToBytes(opc) } : {}),
    algorithm: a.algorithm,
    gsmAlgorithm: a.gsm_algorithm,
    ...(a.sqn ? { sqn: parseInt(a.sqn, 16) } : {}),
  });
  return auc;
}

const classic = (p: Profile): boolean => p.personality !== 'uicc';
const uicc = (p: Profile): boolean => p.personality !== 'classic';

/** GSM SELECT; the response announced by 9Fxx comes back through the transport's GET RESPONSE loop (ctx.command). */
function gsmSelect(ctx: SuiteContext, fid: string): Promise<Exchange> {
  return ctx.command(GSM.GSM_SELECT, { data: hexToBytes(fid) });
}

/** GSM VERIFY CHV (P2: 01 CHV1, 02 CHV2). */
function verifyChv(ctx: SuiteContext, chv: 1 | 2, value: string): Promise<Exchange> {
  return ctx.command(GSM.GSM_VERIFY_CHV, { p2: chv, data: pinBlock(value) });
}

/** UICC VERIFY PIN1; without a value, the retry query. */
function verifyPin(ctx: SuiteContext, value?: string): Promise<Exchange> {
  return ctx.command(UICC.UICC_VERIFY_PIN, { p2: 0x01, ...(value !== undefined ? { data: pinBlock(value) } : {}) });
}

/** The USIM's AID as a phone finds it: EF_DIR (2F00) record 1, template 61, tag 4F. */
async function usimAid(ctx: SuiteContext): Promise<string | undefined> {
  const sel = await ctx.command(UICC.UICC_SELECT, { p2: 0x04, data: hexToBytes('2f00') });
  if (sel.sw !== 0x9000) return undefined;
  const fcp = findTlv(sel.data, 0x62);
  const descr = fcp ? findTlv(fcp, 0x82) : undefined;
  const recLen = descr && descr.length >= 4 ? readU16(descr, 2) : 0;
  if (!recLen) return undefined;
  const rec = await ctx.command(UICC.UICC_READ_RECORD, { p1: 1, p2: 0x04, ne: recLen });
  const app = rec.sw === 0x9000 ? findTlv(rec.data, 0x61) : undefined;
  const aid = app ? findTlv(app, 0x4f) : undefined;
  return aid ? hx(aid) : undefined;
}

/** Selects ADF_USIM; when that fails the suite ends and `dependants` are skip rows (ctx.require). */
async function selectUsim(ctx: SuiteContext, dependants: readonly string[]): Promise<void> {
  const aid = await usimAid(ctx);
  ctx.require('EF_DIR lists the USIM', `an AID ${USIM_AID_PREFIX.toUpperCase()}…`, aid ?? 'none', ['SELECT ADF_USIM by AID', ...dependants], aid?.startsWith(USIM_AID_PREFIX) === true);
  const r = await ctx.command(UICC.UICC_SELECT, { p1: 0x04, p2: 0x04, data: hexToBytes(aid!), ne: 256 });
  ctx.require('SELECT ADF_USIM by AID', '9000 with FCP', `${r.swHex}${r.data[0] === 0x62 ? ' with FCP' : ''}`, dependants, r.sw === 0x9000 && r.data[0] === 0x62);
}

async function verifyPin1(ctx: SuiteContext, p: Profile, label = 'VERIFY PIN1'): Promise<boolean> {
  if (!p.pins.pin1_enabled) return true;
  const r = await verifyPin(ctx, p.pins.pin1);
  return ctx.check(label, '9000', r.swHex);
}

export const pinSuite: Suite = {
  name: 'pin',
  description: 'CHV1/PIN1 verification and retry counters; with --destructive, wrong values, blocking and unblocking',
  needsProfile: true,
  checks: [
    { name: 'classic VERIFY CHV1 with a wrong value', destructive: true, effect: 'spends a CHV1 try, restored by the right value' },
    { name: 'VERIFY PIN1 with a wrong value counts down', destructive: true, effect: 'spends a PIN1 try, restored by the right value' },
    { name: 'block PIN1 and unblock with PUK1', destructive: true, effect: 'blocks PIN1, then spends the PUK1 unblock' },
  ],
  async run(ctx) {
    const p = ctx.profile!;
    if (classic(p)) {
      await gsmSelect(ctx, '3f00');
      await gsmSelect(ctx, '7f20');
      const wrong = p.pins.pin1 === '0000' ? '9999' : '0000';
      let r: Exchange;
      if (ctx.allowed('classic VERIFY CHV1 with a wrong value')) {
        r = await verifyChv(ctx, 1, wrong);
        ctx.check('classic VERIFY CHV1 with a wrong value', '9804', r.swHex);
      }
      r = await verifyChv(ctx, 1, p.pins.pin1);
      ctx.check('classic VERIFY CHV1 with the right value', '9000', r.swHex);
      await ctx.transport.reset();
    }
    if (uicc(p)) {
      await ctx.command(UICC.UICC_SELECT, { p2: 0x04, data: hexToBytes('3f00') });
      let r = await verifyPin(ctx);
      ctx.check('UICC retry query (empty VERIFY PIN1)', '63c3', r.swHex);
      if (ctx.allowed('VERIFY PIN1 with a wrong value counts down')) {
        r = await verifyPin(ctx, '99999999');
        ctx.check('VERIFY PIN1 with a wrong value counts down', '63c2', r.swHex);
      }
      r = await verifyPin(ctx, p.pins.pin1);
      ctx.check('VERIFY PIN1 with the right value', '9000', r.swHex);
      r = await verifyPin(ctx);
      ctx.check('retry query after success', '9000', r.swHex);
      await ctx.transport.reset();
      r = await verifyPin(ctx);
      ctx.check('reset clears the verification, counter restored', '63c3', r.swHex);
      if (!ctx.allowed('block PIN1 and unblock with PUK1')) return;
      for (const left of ['63c2', '63c1']) {
        r = await verifyPin(ctx, '99999999');
        ctx.check(`wrong PIN1 → ${left}`, left, r.swHex);
      }
      r = await verifyPin(ctx, '99999999');
      // TS 102.221 §11.1.9: the failing attempt that uses the last try answers 63C0; later ones 6983.
      ctx.check('third wrong PIN1 blocks it (no tries left)', '63c0', r.swHex);
      r = await verifyPin(ctx, p.pins.pin1);
      ctx.check('the right PIN1 is refused while blocked', '6983', r.swHex);
      r = await ctx.command(UICC.UICC_UNBLOCK_PIN, { p2: 0x01, data: concat(pinBlock(p.pins.puk1), pinBlock(p.pins.pin1)) });
      ctx.check('UNBLOCK PIN1 with PUK1 restores it (same value)', '9000', r.swHex);
      r = await verifyPin(ctx, p.pins.pin1);
      ctx.check('PIN1 works again', '9000', r.swHex);
    }
  },
};

export const gsmAuthSuite: Suite = {
  name: 'gsm-auth',
  description: 'RUN GSM ALGORITHM: SRES and Kc equal the AuC triplet for random RANDs',
  needsProfile: true,
  async run(ctx) {
    const p = ctx.profile!;
    if (!classic(p)) {
      ctx.skip('RUN GSM ALGORITHM', 'the card is UICC-only (class A0 answers 6E00)');
      return;
    }
    const auc = aucFor(p);
    await gsmSelect(ctx, '3f00');
    await gsmSelect(ctx, '7f20');
    if (p.pins.pin1_enabled) {
      const v = await verifyChv(ctx, 1, p.pins.pin1);
      ctx.check('VERIFY CHV1', '9000', v.swHex);
    }
    for (let i = 1; i <= 3; i++) {
      const t = auc.triplet(p.imsi);
      const r = await ctx.command(GSM.GSM_RUN_GSM_ALGORITHM, { data: t.rand });
      ctx.check(`RUN GSM ALGORITHM #${i}: SRES ‖ Kc`, hx(concat(t.sres, t.kc)), r.sw === 0x9000 ? hx(r.data) : r.swHex);
    }
  },
};

export const usimAuthSuite: Suite = {
  name: 'usim-auth',
  description: 'AUTHENTICATE: 3G and GSM context against the AuC, MAC failure 9862, sync failure and resync from AUTS',
  needsProfile: true,
  async run(ctx) {
    const p = ctx.profile!;
    if (!uicc(p)) {
      ctx.skip('AUTHENTICATE', 'the card is classic-only');
      return;
    }
    const auc = aucFor(p);
    await selectUsim(ctx, [
      ...(p.pins.pin1_enabled ? ['VERIFY PIN1'] : []), 'AUTHENTICATE 3G: DB ‖ RES ‖ CK ‖ IK ‖ Kc equal the AuC vector', 'replayed vector → synchronisation failure (DC ‖ AUTS)',
      'AuC recovers SQN_MS from AUTS (MAC-S verifies)', 'after resynchronisation the next vector is accepted', 'AUTN with a wrong MAC → 9862',
      'AUTHENTICATE GSM context: SRES, Kc (c2/c3 of the 3G vector)',
    ]);
    await verifyPin1(ctx, p);
    const authenticate = (context: 0x80 | 0x81, rand: Uint8Array, autn?: Uint8Array): Promise<Exchange> => {
      const data = autn ? concat(Uint8Array.of(16), rand, Uint8Array.of(16), autn) : concat(Uint8Array.of(16), rand);
      return ctx.command(UICC.USIM_AUTHENTICATE, { p2: context, data, ne: 256 });
    };
    let v = auc.quintuplet(p.imsi);
    let r = await authenticate(0x81, v.rand, v.autn);
    if (r.sw === 0x9000 && r.data[0] === 0xdc) {
      // The card's SQN is ahead of the profile's: resynchronise, as a network would.
      const auts = findTlv(r.data, 0xdc) ?? new Uint8Array(0);
      auc.resync(p.imsi, v.rand, auts);
      v = auc.quintuplet(p.imsi);
      r = await authenticate(0x81, v.rand, v.autn);
    }
    const g = AuC.gsmContextOf(v);
    const expected = `db ${hx(v.xres)} ${hx(v.ck)} ${hx(v.ik)} ${hx(g.kc)}`;
    const got = r.sw === 0x9000 && r.data[0] === 0xdb ? parseDb(r.data) : `${r.swHex}${r.data.length ? ' ' + hx(r.data) : ''}`;
    ctx.check('AUTHENTICATE 3G: DB ‖ RES ‖ CK ‖ IK ‖ Kc equal the AuC vector', expected, got);
    // The same vector again is a replay: synchronisation failure with AUTS.
    r = await authenticate(0x81, v.rand, v.autn);
    const isSync = r.sw === 0x9000 && r.data[0] === 0xdc;
    ctx.check('replayed vector → synchronisation failure (DC ‖ AUTS)', 'dc, 14-byte AUTS', isSync ? `dc, ${r.data[1]}-byte AUTS` : r.swHex, isSync && r.data[1] === 14);
    if (isSync) {
      let sqnMs = -1;
      try {
        sqnMs = auc.resync(p.imsi, v.rand, r.data.subarray(2, 16));
      } catch (e) {
        ctx.check('AuC recovers SQN_MS from AUTS (MAC-S verifies)', `SQN ${v.sqn}`, (e as Error).message, false);
      }
      if (sqnMs >= 0) ctx.check('AuC recovers SQN_MS from AUTS (MAC-S verifies)', `SQN ${v.sqn}`, `SQN ${sqnMs}`);
      const next = auc.quintuplet(p.imsi);
      r = await authenticate(0x81, next.rand, next.autn);
      ctx.check('after resynchronisation the next vector is accepted', 'db …', r.sw === 0x9000 ? hx(r.data.subarray(0, 1)) + ' …' : r.swHex, r.sw === 0x9000 && r.data[0] === 0xdb);
    }
    const bad = auc.quintuplet(p.imsi);
    const autn = bad.autn.slice();
    autn[15] = autn[15]! ^ 0x01;
    r = await authenticate(0x81, bad.rand, autn);
    ctx.check('AUTN with a wrong MAC → 9862', '9862', r.swHex);
    // TS 33.102 §6.8.1.2: in GSM context a USIM answers SRES = c2(RES) and Kc = c3(CK, IK).
    const gq = auc.quintuplet(p.imsi);
    const gc = AuC.gsmContextOf(gq);
    r = await authenticate(0x80, gq.rand);
    const gotGsm = r.sw === 0x9000 && r.data.length >= 14 ? `${hx(r.data.subarray(0, 1))} ${hx(r.data.subarray(1, 5))} ${hx(r.data.subarray(5, 6))} ${hx(r.data.subarray(6, 14))}` : r.swHex;
    ctx.check('AUTHENTICATE GSM context: SRES, Kc (c2/c3 of the 3G vector)', `04 ${hx(gc.sres)} 08 ${hx(gc.kc)}`, gotGsm);
  },
};

function parseDb(d: Uint8Array): string {
  const parts: string[] = ['db'];
  let i = 1;
  for (let k = 0; k < 4 && i < d.length; k++) {
    const len = d[i]!;
    parts.push(hx(d.subarray(i + 1, i + 1 + len)));
    i += 1 + len;
  }
  return parts.join(' ');
}

export const aocSuite: Suite = {
  name: 'aoc',
  description: 'Advice of Charge: EF_ACMmax, EF_PUCT; with --destructive, INCREASE on EF_ACM and 9850 past the maximum',
  needsProfile: true,
  checks: [
    { name: 'INCREASE EF_ACM by 1', destructive: true, effect: 'moves the call meter EF_ACM by 1 unit' },
    { name: 'INCREASE past EF_ACMmax → 9850', destructive: true, effect: 'moves EF_ACM if the card does not refuse' },
  ],
  async run(ctx) {
    const p = ctx.profile!;
    if (!classic(p)) {
      ctx.skip('Advice of Charge (class A0)', 'the card is UICC-only');
      return;
    }
    await gsmSelect(ctx, '3f00');
    await gsmSelect(ctx, '7f20');
    if (p.pins.pin1_enabled) await verifyChv(ctx, 1, p.pins.pin1);
    const max = await gsmSelect(ctx, '6f37');
    ctx.check('SELECT EF_ACMmax', '9000', max.swHex);
    const maxv = await ctx.command(GSM.GSM_READ_BINARY, { ne: 3 });
    const acmMax = maxv.sw === 0x9000 ? readU24(maxv.data) : -1;
    ctx.check('EF_ACMmax holds the profile value', String(p.acm_max ?? 0), String(acmMax));
    const sel = await gsmSelect(ctx, '6f39');
    ctx.check('SELECT EF_ACM (cyclic)', '9000', sel.swHex);
    const cur = await ctx.command(GSM.GSM_READ_RECORD, { p1: 1, p2: 0x04, ne: 3 });
    const before = cur.sw === 0x9000 ? readU24(cur.data) : -1;
    ctx.check('READ RECORD EF_ACM (the meter)', '9000', cur.swHex);
    if (p.pins.pin2) await verifyChv(ctx, 2, p.pins.pin2);
    if (ctx.allowed('INCREASE EF_ACM by 1')) {
      const inc = await ctx.command(GSM.GSM_INCREASE, { data: Uint8Array.of(0, 0, 1) });
      const expected = `${(before + 1).toString(16).padStart(6, '0')}000001`;
      if (acmMax !== 0 && before + 1 > acmMax) ctx.check('INCREASE EF_ACM by 1 at the maximum', '9850', inc.swHex);
      else ctx.check('INCREASE EF_ACM by 1: new value ‖ added value', expected, inc.sw === 0x9000 ? hx(inc.data) : inc.swHex);
    }
    if (acmMax <= 0) ctx.skip('INCREASE past EF_ACMmax → 9850', 'no ACMmax set (0 = no limit)');
    else if (ctx.allowed('INCREASE past EF_ACMmax → 9850')) {
      const over = (acmMax + 1).toString(16).padStart(6, '0');
      const r = await ctx.command(GSM.GSM_INCREASE, { data: hexToBytes(over) });
      ctx.check('INCREASE past EF_ACMmax → 9850', '9850', r.swHex);
    }
    const puct = await gsmSelect(ctx, '6f41');
    ctx.check('SELECT EF_PUCT', '9000', puct.swHex);
    const pr = await ctx.command(GSM.GSM_READ_BINARY, { ne: 5 });
    const currency = pr.sw === 0x9000 ? new TextDecoder().decode(pr.data.subarray(0, 3)) : pr.swHex;
    if (p.puct) ctx.check('EF_PUCT currency', p.puct.currency, currency);
  },
};

/** A subscriber identification the AuC verified: the RAND the card answered, in which context. */
export interface Identification {
  readonly rand: Uint8Array;
  /** 'gsm': RUN GSM ALGORITHM (classic SIM); 'gsm-context': USIM AUTHENTICATE P2=80 (UICC-only card). */
  readonly context: 'gsm' | 'gsm-context';
  /** The record's identification byte for the payment server (card/applets/payment IDENTIFICATION). */
  readonly code: 1 | 3;
}

/**
 * Subscriber identification as the SFR seed's payment server requires it before a payment
 * (issue 18): an AuC-issued RAND answered by the card in this session, the answer checked — and so
 * logged — by the AuC. The way is chosen by what the card answers, not by the profile: the GSM
 * SELECT of MF (class A0) answers 9Fxx on a card with the classic SIM → CHV1, RUN GSM ALGORITHM
 * (A0 88) on a triplet; a UICC-only card refuses class A0 (6E00) → SELECT ADF_USIM, PIN1, USIM
 * AUTHENTICATE in GSM context (00 88, P2=80, TS 31.102 §7.1.2.1) on a quintuplet's RAND, SRES =
 * c2(XRES) checked (TS 33.102 §6.8.1.2). With `hostRand` the host sends a RAND of its own choosing
 * instead, which the AuC never issued (the negative check). Returns what the card answered, or
 * undefined when the card or the AuC refused (the row says which).
 */
export async function identifySubscriber(ctx: SuiteContext, auc: AuC = aucFor(ctx.profile!), hostRand?: Uint8Array): Promise<Identification | undefined> {
  const p = ctx.profile!;
  const mf = await gsmSelect(ctx, '3f00');
  if (mf.sw === SW.CLA_NOT_SUPPORTED) return identifyOnUicc(ctx, auc, hostRand);
  await gsmSelect(ctx, '7f20');
  if (p.pins.pin1_enabled) await verifyChv(ctx, 1, p.pins.pin1);
  if (hostRand !== undefined) {
    const r = await ctx.command(GSM.GSM_RUN_GSM_ALGORITHM, { data: hostRand });
    return r.sw === 0x9000 ? { rand: hostRand, context: 'gsm', code: 1 } : undefined;
  }
  const t = auc.triplet(p.imsi);
  const r = await ctx.command(GSM.GSM_RUN_GSM_ALGORITHM, { data: t.rand });
  const ok = ctx.check('subscriber identified (RUN GSM ALGORITHM, SRES checked by the AuC)', 'SRES ok', r.sw === 0x9000 && auc.checkSres(t, r.data.subarray(0, 4)) ? 'SRES ok' : r.swHex);
  return ok ? { rand: t.rand, context: 'gsm', code: 1 } : undefined;
}

async function identifyOnUicc(ctx: SuiteContext, auc: AuC, hostRand?: Uint8Array): Promise<Identification | undefined> {
  const p = ctx.profile!;
  const label = 'subscriber identified (UICC-only card: AUTHENTICATE GSM context, SRES checked by the AuC)';
  const aid = await usimAid(ctx);
  const sel = aid?.startsWith(USIM_AID_PREFIX) ? await ctx.command(UICC.UICC_SELECT, { p1: 0x04, p2: 0x04, data: hexToBytes(aid), ne: 256 }) : undefined;
  if (sel?.sw !== 0x9000) {
    ctx.check(label, 'SRES ok', sel ? `SELECT ADF_USIM ${sel.swHex}` : 'no USIM in EF_DIR', false);
    return undefined;
  }
  if (p.pins.pin1_enabled) await verifyPin(ctx, p.pins.pin1);
  const v = hostRand === undefined ? auc.quintuplet(p.imsi) : undefined;
  const rand = hostRand ?? v!.rand;
  const r = await ctx.command(UICC.USIM_AUTHENTICATE, { p2: 0x80, data: concat(Uint8Array.of(16), rand), ne: 256 });
  // GSM context answer (TS 31.102 §7.1.2.1): 04 ‖ SRES ‖ 08 ‖ Kc.
  const sres = r.sw === 0x9000 && r.data[0] === 4 ? r.data.subarray(1, 5) : undefined;
  if (hostRand !== undefined) return sres ? { rand, context: 'gsm-context', code: 3 } : undefined;
  const ok = ctx.check(label, 'SRES ok', sres && auc.checkGsmContext(v!, sres) ? 'SRES ok' : `${r.swHex}${r.data.length ? ' ' + hx(r.data) : ''}`);
  return ok ? { rand, context: 'gsm-context', code: 3 } : undefined;
}
