/**
 * What a card image holds, for people (`cardforge image show`): per applet the state an engineer
 * checks — PIN/PUK/ADM counters, the USIM SQN array, the AoC meter, the file tree with each EF
 * decoded by its codec (card/fs EF_CODECS, the same codecs the trace decoder uses), purse and
 * ledger balances, the usage log, tickets, the payment applet's counters — and NEVER a secret:
 * no Ki, OPc, key, PIN/PUK/code/credential value, private key, nor the cipher keys the ME writes
 * (EF_Kc, EF_KcGPRS, EF_Keys, EF_KeysPS show only their key set identifier). An applet this
 * module does not know is listed with its cells' names and sizes, never their bytes.
 *
 * The view is a pure function of the loaded card (the image's named fields, docs/image-format.md,
 * and the SIM applet's read-only file view): same image, same output, so two images diff cleanly.
 */
import { SimApplet } from '../../card/applets/index.js';
import { AUTH_TRIES, CARD_LIFE_CYCLE, KEY_SLOTS, KEY_TYPE } from '../../card/applets/isd/index.js';
import { codecOf, type FsNode } from '../../card/fs/index.js';
import { REC, SLOT, TICKET, TICKET_STATE, WREC } from '../../card/protocol/index.js';
import { bytesToHex, hexToBytes, type Card } from '../../card/runtime/index.js';
import { serializeImage } from '../../card/image/index.js';

export interface PinView {
  readonly name: string;
  readonly triesLeft: number;
  readonly maxTries: number;
  readonly blocked: boolean;
  readonly enabled: boolean;
  /** False: never set (an unused slot, a blank card). */
  readonly set: boolean;
}

export interface FileView {
  readonly path: string;
  readonly name: string;
  readonly structure: string;
  readonly size: number;
  readonly active: boolean;
  /** Transparent: the content decoded (or why not); records: one line per record that is not empty. */
  readonly content?: string;
  readonly hex?: string;
  readonly records?: readonly { readonly n: number; readonly content: string; readonly hex: string }[];
  /** Records all FF (linear fixed / cyclic). */
  readonly emptyRecords?: number;
  /** Cipher keys written by the ME: not shown. */
  readonly hidden?: string;
}

export interface SimView {
  readonly personality: string;
  readonly algorithms: { readonly auth3g: string; readonly auth2g: string };
  readonly pins: readonly PinView[];
  readonly sqn: { readonly indBits: number; readonly highest: { readonly sqn: string; readonly seq: number; readonly ind: number } | null; readonly seqByInd: readonly { readonly ind: number; readonly seq: number }[] };
  readonly aoc: { readonly acm: number | null; readonly acmMax: number | null; readonly puct: string | null };
  readonly files: readonly FileView[] | null;
}

export interface LedgerView {
  readonly personalized: boolean;
  readonly mode: string;
  readonly cardId: string;
  readonly currency: number;
  readonly balance: number | null;
  readonly maxBalance: number | null;
  readonly used: number | null;
  readonly ceiling: number | null;
  readonly transactions: number;
  readonly loads: number;
  readonly exports: number;
  readonly settledUpTo: number;
  readonly exportPending: { readonly last: number; readonly amount: number } | null;
  readonly receiptPending: boolean;
  readonly certified: boolean;
  readonly consent: string;
  readonly code: PinView;
  readonly editors: number;
  readonly log: readonly { readonly counter: number; readonly editorId: string; readonly price: number; readonly currency: number; readonly before: number; readonly after: number; readonly dateTime: string; readonly offerHash: string }[];
  readonly tickets: readonly { readonly slot: number; readonly state: string; readonly id: string; readonly event: number; readonly seat: number; readonly validFrom: number; readonly validTo: number }[];
}

export interface PaymentView {
  readonly cardId: string;
  readonly personalized: boolean;
  readonly signatures: number;
  readonly cardNumberUses: number | null;
  readonly certificate: boolean;
  readonly publicKey: string | null;
  readonly requireIdentification: boolean;
  readonly tokenLifetimeSeconds: number;
  readonly macKey: boolean;
  readonly codes: readonly PinView[];
  readonly users: readonly { readonly slot: number; readonly userId: string; readonly credential: PinView }[];
}

export interface WalletView {
  readonly walletId: string;
  readonly currency: number;
  readonly balance: number;
  readonly maxBalance: number;
  readonly threshold: number;
  readonly transactions: number;
  readonly loads: number;
  readonly receiptPending: boolean;
  readonly publicKey: string | null;
  readonly last: { readonly counter: number; readonly amount: number; readonly merchantId: string; readonly before: number; readonly after: number } | null;
}

/** The Issuer Security Domain (issue 21): life cycle, key versions and counters — never a key value. */
export interface IsdView {
  /** Card life cycle: OP_READY, INITIALIZED, SECURED, CARD_LOCKED, TERMINATED (GP CS Table 11-3). */
  readonly lifeCycle: string;
  readonly authTriesLeft: number;
  readonly authTries: number;
  readonly scp02SequenceCounter: number;
  readonly scp03Counter: number;
  /** Key version, id, type and length of every stored key (GET DATA E0 tells the same). */
  readonly keys: readonly { readonly kvn: number; readonly kid: number; readonly type: string; readonly length: number }[];
  readonly iin: string | null;
  readonly cin: string | null;
  readonly keyDiversificationData: string;
}

export interface AppletView {
  readonly type: string;
  readonly aid: string;
  readonly default: boolean;
  readonly sim?: SimView;
  readonly ledger?: LedgerView;
  readonly payment?: PaymentView;
  readonly wallet?: WalletView;
  readonly isd?: IsdView;
  /** An applet this view does not decode: its cells, names and sizes only. */
  readonly cells?: readonly { readonly name: string; readonly bytes: number }[];
}

export interface ImageView {
  readonly atr: string;
  readonly protocol: string;
  /** An open transaction in the image (rolled back at the next power-up). */
  readonly openTransaction: boolean;
  readonly applets: readonly AppletView[];
}

export interface InspectOptions {
  /** false: no file tree (the SIM's other state still shown). */
  readonly files?: boolean;
  /** Only applets whose type (or its last part: sim, ledger, …) or AID (hex) is this. */
  readonly applet?: string;
}

type Fields = Readonly<Record<string, string>>;

const u = (hex: string | undefined): number => (hex === undefined || hex === '' ? 0 : Number.parseInt(hex, 16));
const u32At = (b: Uint8Array, at: number): number => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const u16At = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
/** A varBytes cell: 2-byte length, then the bytes. */
const varBytes = (hex: string | undefined): Uint8Array => {
  if (!hex) return new Uint8Array(0);
  const b = hexToBytes(hex);
  return b.subarray(2, 2 + Math.min(u16At(b, 0), b.length - 2));
};
const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);

/** An OwnerPin's counters (runtime/pin.ts cells `<name>/tries`, `/enabled`, `/length`); never its value. */
function pin(fields: Fields, cell: string, name: string, maxTries: number): PinView {
  const tries = u(fields[`${cell}/tries`]);
  const set = u(fields[`${cell}/length`]) > 0;
  return { name, triesLeft: tries, maxTries, blocked: set && tries === 0, enabled: u(fields[`${cell}/enabled`]) === 1, set };
}

const ALG3G = ['none', 'milenage', 'xor'];
const ALG2G = ['none', 'comp128v1', 'comp128v2', 'comp128v3', 'gsm-milenage', 'xor2g'];
/** EFs holding cipher keys the ME writes: only the key set identifier is shown. */
const KEY_FILES: Readonly<Record<string, (b: Uint8Array) => string>> = {
  EF_Kc: (b) => `key sequence number ${b[8] ?? 0xff}${b[8] === 7 ? ' (no key)' : ''}; Kc not shown`,
  EF_KcGPRS: (b) => `key sequence number ${b[8] ?? 0xff}${b[8] === 7 ? ' (no key)' : ''}; KcGPRS not shown`,
  EF_Keys: (b) => `KSI ${b[0] ?? 0xff}${b[0] === 7 ? ' (no keys)' : ''}; CK, IK not shown`,
  EF_KeysPS: (b) => `KSIPS ${b[0] ?? 0xff}${b[0] === 7 ? ' (no keys)' : ''}; CKPS, IKPS not shown`,
};

/** Hex with the trailing FF padding counted instead of spelled out. */
function compactHex(b: Uint8Array): string {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0xff) end--;
  return `${bytesToHex(b.subarray(0, end))}${end < b.length ? ` (+${b.length - end} bytes FF)` : ''}`;
}

function describeWith(node: FsNode, bytes: Uint8Array): string {
  const codec = node.decl.kind === 'EF' ? codecOf(node.decl) : undefined;
  if (bytes.every((b) => b === 0xff)) return '(empty: all FF)';
  if (!codec) return `no decoder; hex ${compactHex(bytes)}`;
  try {
    return codec.describe(bytes);
  } catch (e) {
    if (!(e instanceof RangeError || e instanceof TypeError)) throw e;
    return `cannot decode: ${e.message.replace(`${node.name}: `, '')}`;
  }
}

function fileView(sim: SimApplet, node: FsNode): FileView {
  const files = sim.files;
  const ef = node.ef!;
  const base = { path: node.path, name: node.name, structure: ef.structure, size: ef.size, active: files.isActive(node) };
  const hide = KEY_FILES[node.name];
  if (hide) return { ...base, hidden: hide(files.content(node)) };
  if (ef.structure === 'transparent') {
    const b = files.content(node);
    return { ...base, content: describeWith(node, b), hex: bytesToHex(b) };
  }
  const records: { n: number; content: string; hex: string }[] = [];
  let empty = 0;
  for (let n = 1; n <= ef.records; n++) {
    const r = files.record(node, n);
    if (r.every((b) => b === 0xff)) empty++;
    else records.push({ n, content: describeWith(node, r), hex: bytesToHex(r) });
  }
  return { ...base, records, emptyRecords: empty };
}

function simView(sim: SimApplet, fields: Fields, params: Readonly<Record<string, unknown>>, opts: InspectOptions): SimView {
  const algs = hexToBytes(fields['sim/algs'] ?? '000000');
  const sqnParams = (params['sqn'] ?? {}) as { indBits?: number };
  const indBits = sqnParams.indBits ?? 5;
  const arr = hexToBytes(fields['sim/sqn'] ?? '');
  const seqByInd: { ind: number; seq: number }[] = [];
  let highest: SimView['sqn']['highest'] = null;
  for (let i = 0; i * 6 + 6 <= arr.length; i++) {
    const seq = Number(BigInt(`0x${bytesToHex(arr.subarray(i * 6, i * 6 + 6))}`));
    if (seq === 0) continue;
    seqByInd.push({ ind: i, seq });
    const sqn = BigInt(seq) * 2n ** BigInt(indBits) + BigInt(i);
    if (!highest || sqn > BigInt(`0x${highest.sqn}`)) highest = { sqn: sqn.toString(16).padStart(12, '0'), seq, ind: i };
  }
  const tree = sim.files.tree;
  const efs = tree.nodes.filter((n) => n.ef !== undefined).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // The AoC meter as the phone sees it: the USIM's files when present, else DF_GSM's.
  const find = (name: string): FsNode | undefined => efs.filter((n) => n.name === name).sort((a, b) => (b.path.includes('/7FFF/') ? 1 : 0) - (a.path.includes('/7FFF/') ? 1 : 0))[0];
  const acmNode = find('EF_ACM');
  const acmMaxNode = find('EF_ACMmax');
  const puctNode = find('EF_PUCT');
  const files = sim.files;
  // An unwritten meter (all FF: a blank card) is no value.
  const meter = (b: Uint8Array): number | null => (b.every((x) => x === 0xff) ? null : u(bytesToHex(b)));
  const acm = acmNode && acmNode.ef!.records > 0 ? meter(files.record(acmNode, 1)) : null;
  const acmMax = acmMaxNode ? meter(files.content(acmMaxNode)) : null;
  const puct = puctNode ? describeWith(puctNode, files.content(puctNode)) : null;
  return {
    personality: String(params['personality'] ?? 'both'),
    algorithms: { auth3g: ALG3G[algs[0]!] ?? `code ${algs[0]}`, auth2g: ALG2G[algs[1]!] ?? `code ${algs[1]}` },
    pins: [pin(fields, 'sim/chv1', 'PIN1 (CHV1)', 3), pin(fields, 'sim/puk1', 'PUK1 (UNBLOCK CHV1)', 10), pin(fields, 'sim/chv2', 'PIN2 (CHV2)', 3), pin(fields, 'sim/puk2', 'PUK2 (UNBLOCK CHV2)', 10), pin(fields, 'sim/adm1', 'ADM1', 3)],
    sqn: { indBits, highest, seqByInd },
    aoc: { acm, acmMax, puct },
    files: opts.files === false ? null : efs.map((n) => fileView(sim, n)),
  };
}

function ledgerView(fields: Fields, params: Readonly<Record<string, unknown>>): LedgerView {
  const mode = String(params['mode'] ?? 'prepaid');
  const logSize = Number(params['logSize'] ?? 16);
  const slots = logSize + 1;
  const log = hexToBytes(fields['log'] ?? '');
  const tx = u(fields['txCounter']);
  const newest = u(fields['newest']);
  const records: LedgerView['log'][number][] = [];
  for (let n = 1; n <= Math.min(tx, logSize); n++) {
    const slot = (newest - (n - 1) + slots * 2) % slots;
    const r = log.subarray(slot * REC.length, slot * REC.length + REC.length);
    if (r.length < REC.length) break;
    records.push({
      counter: u32At(r, REC.counter),
      editorId: bytesToHex(r.subarray(REC.editorId, REC.editorId + 4)),
      price: u32At(r, REC.price),
      currency: u16At(r, REC.currency),
      before: u32At(r, REC.before),
      after: u32At(r, REC.after),
      dateTime: bytesToHex(r.subarray(REC.dateTime, REC.length)),
      offerHash: bytesToHex(r.subarray(REC.offerHash, REC.price)),
    });
  }
  const tickets: LedgerView['tickets'][number][] = [];
  const ts = hexToBytes(fields['tickets/slots'] ?? '');
  const states: Record<number, string> = { [TICKET_STATE.empty]: 'empty', [TICKET_STATE.valid]: 'valid', [TICKET_STATE.used]: 'used' };
  for (let i = 0; (i + 1) * SLOT.length <= ts.length && i < Number(params['ticketSlots'] ?? 4); i++) {
    const s = ts.subarray(i * SLOT.length, (i + 1) * SLOT.length);
    if (s[SLOT.state] === TICKET_STATE.empty) continue;
    const t = s.subarray(SLOT.ticket, SLOT.ticket + TICKET.length);
    tickets.push({ slot: i, state: states[s[SLOT.state]!] ?? `state ${s[SLOT.state]}`, id: bytesToHex(t.subarray(TICKET.id, TICKET.event)), event: u32At(t, TICKET.event), seat: u32At(t, TICKET.seat), validFrom: u32At(t, TICKET.validFrom), validTo: u32At(t, TICKET.validTo) });
  }
  const value = u(fields['value']);
  const limit = u(fields['limit']);
  const consentModes = ['none', 'always', 'above'];
  const cm = u(fields['consentMode']);
  return {
    personalized: u(fields['perso.blank']) === 0,
    mode,
    cardId: fields['cardId'] ?? '',
    currency: u(fields['currency']),
    balance: mode === 'prepaid' ? value : null,
    maxBalance: mode === 'prepaid' ? limit : null,
    used: mode === 'postpaid' ? value : null,
    ceiling: mode === 'postpaid' ? limit : null,
    transactions: tx,
    loads: u(fields['loadCounter']),
    exports: u(fields['exportCounter']),
    settledUpTo: u(fields['settled']),
    exportPending: u(fields['exportPending']) ? { last: u(fields['pendingLast']), amount: u(fields['pendingAmount']) } : null,
    receiptPending: u(fields['receiptPending']) === 1,
    certified: u(fields['certified']) === 1,
    consent: cm === 2 ? `above ${u(fields['threshold'])}` : (consentModes[cm] ?? `mode ${cm}`),
    code: pin(fields, 'paymentCode', 'payment code', 3),
    editors: u(fields['editorCount']),
    log: records,
    tickets,
  };
}

function paymentView(fields: Fields, params: Readonly<Record<string, unknown>>): PaymentView {
  const users: PaymentView['users'][number][] = [];
  const credLimit = Number(params['credentialTryLimit'] ?? 3);
  for (let i = 0; fields[`user${i}.id`] !== undefined; i++) {
    const id = varBytes(fields[`user${i}.id`]);
    if (!id.length) continue;
    users.push({ slot: i, userId: utf8(id), credential: pin(fields, `user${i}.credential`, `user ${utf8(id)} credential`, credLimit) });
  }
  const pub = hexToBytes(fields['ecdsa.public'] ?? '');
  return {
    cardId: bytesToHex(varBytes(fields['cardId'])),
    personalized: u(fields['perso.blank']) === 0,
    signatures: u(fields['counter']),
    cardNumberUses: fields['cardNumber.counter'] !== undefined && varBytes(fields['cardNumber']).length ? u(fields['cardNumber.counter']) : null,
    certificate: varBytes(fields['certificate']).length > 0,
    publicKey: pub.length && pub[0] === 0x04 ? bytesToHex(pub) : null,
    requireIdentification: u(fields['requireIdentification']) === 1,
    tokenLifetimeSeconds: u(fields['token.lifetime']),
    macKey: u(fields['mac.set']) === 1,
    codes: [pin(fields, 'paymentCode', 'payment code', Number(params['paymentCodeTryLimit'] ?? 3)), pin(fields, 'unblockCode', 'unblock code', Number(params['unblockCodeTryLimit'] ?? 10))],
    users,
  };
}

function isdView(fields: Fields): IsdView {
  const lc = u(fields['life-cycle']);
  const names = Object.entries(CARD_LIFE_CYCLE).find(([, v]) => v === lc);
  const keys: { kvn: number; kid: number; type: string; length: number }[] = [];
  for (let i = 0; i < KEY_SLOTS; i++) {
    const info = hexToBytes(fields[`keys/${i}/info`] ?? '');
    if (info[0] !== 1) continue;
    keys.push({ kvn: info[1]!, kid: info[2]!, type: info[3] === KEY_TYPE.AES ? 'AES' : info[3] === KEY_TYPE.DES ? 'DES' : `type ${info[3]!.toString(16)}`, length: u(fields[`keys/${i}/length`]) });
  }
  // varBytes cells: 2-byte length, then the value.
  const lv = (hex: string | undefined): string | null => {
    const b = hexToBytes(hex ?? '');
    const n = b.length >= 2 ? u16At(b, 0) : 0;
    return n ? bytesToHex(b.subarray(2, 2 + n)) : null;
  };
  return {
    lifeCycle: names ? names[0] : `unknown (${lc.toString(16).padStart(2, '0')})`,
    authTriesLeft: u(fields['tries']),
    authTries: AUTH_TRIES,
    scp02SequenceCounter: u(fields['scp02-sequence']),
    scp03Counter: u(fields['scp03-counter']),
    keys,
    iin: lv(fields['iin']),
    cin: lv(fields['cin']),
    keyDiversificationData: fields['key-diversification-data'] ?? '',
  };
}

function walletView(fields: Fields): WalletView {
  const last = hexToBytes(fields['lastRecord'] ?? '');
  const pub = hexToBytes(fields['publicKey'] ?? '');
  const tx = u(fields['txCounter']);
  return {
    walletId: fields['walletId'] ?? '',
    currency: u(fields['currency']),
    balance: u(fields['balance']),
    maxBalance: u(fields['maxBalance']),
    threshold: u(fields['threshold']),
    transactions: tx,
    loads: u(fields['loadCounter']),
    receiptPending: u(fields['receiptPending']) === 1,
    publicKey: pub.length && pub[0] === 0x04 ? bytesToHex(pub) : null,
    last: tx > 0 && last.length >= WREC.length ? { counter: u32At(last, WREC.counter), amount: u32At(last, WREC.amount), merchantId: bytesToHex(last.subarray(WREC.merchantId, WREC.before)), before: u32At(last, WREC.before), after: u32At(last, WREC.after) } : null,
  };
}

function selected(type: string, aid: string, want: string | undefined): boolean {
  if (want === undefined) return true;
  const w = want.toLowerCase();
  return type.toLowerCase() === w || type.toLowerCase().split('.').pop() === w || aid === w.replace(/\s+/g, '');
}

/** The view of a loaded card (see the module comment for what is never in it). */
export function inspectCard(card: Card, opts: InspectOptions = {}): ImageView {
  const image = JSON.parse(serializeImage(card)) as { atr: string; protocol: string; journal: unknown; applets: { type: string; aid: string; default?: boolean; params?: Record<string, unknown>; fields: Fields }[] };
  const applets: AppletView[] = [];
  image.applets.forEach((a, i) => {
    if (!selected(a.type, a.aid, opts.applet)) return;
    const installed = card.applets[i];
    const params = a.params ?? {};
    const base = { type: a.type, aid: a.aid, default: a.default === true };
    if (installed?.applet instanceof SimApplet) applets.push({ ...base, sim: simView(installed.applet, a.fields, params, opts) });
    else if (a.type === 'cardforge.ledger') applets.push({ ...base, ledger: ledgerView(a.fields, params) });
    else if (a.type === 'cardforge.payment') applets.push({ ...base, payment: paymentView(a.fields, params) });
    else if (a.type === 'cardforge.wallet') applets.push({ ...base, wallet: walletView(a.fields) });
    else if (a.type === 'cardforge.isd') applets.push({ ...base, isd: isdView(a.fields) });
    else applets.push({ ...base, cells: Object.entries(a.fields).map(([name, hex]) => ({ name, bytes: hex.length / 2 })) });
  });
  return { atr: image.atr, protocol: image.protocol, openTransaction: Array.isArray(image.journal) && image.journal.length > 0, applets };
}

// ---- text ----

const pinLine = (p: PinView): string => `${p.name}: ${!p.set ? 'not set' : p.blocked ? `BLOCKED (0/${p.maxTries})` : `${p.triesLeft}/${p.maxTries} tries left`}${p.set ? (p.enabled ? '' : ', disabled') : ''}`;

/** The view as an indented tree (stable: same image, same text). */
export function renderImageView(v: ImageView, file: string): string[] {
  const out: string[] = [`${file}: ATR ${v.atr.toUpperCase()} (${v.protocol})${v.openTransaction ? '; an open transaction (rolled back at the next power-up)' : ''}`];
  for (const a of v.applets) {
    out.push(`applet ${a.type} ${a.aid.toUpperCase()}${a.default ? ' (default)' : ''}`);
    if (a.sim) {
      const s = a.sim;
      out.push(`  ${s.personality} SIM, ${s.algorithms.auth3g} / ${s.algorithms.auth2g}`);
      out.push('  PINs');
      for (const p of s.pins) out.push(`    ${pinLine(p)}`);
      out.push(`  SQN (IND ${s.sqn.indBits} bits): ${s.sqn.highest ? `highest ${s.sqn.highest.sqn.toUpperCase()} (SEQ ${s.sqn.highest.seq}, IND ${s.sqn.highest.ind})` : 'none accepted yet'}`);
      if (s.sqn.seqByInd.length) out.push(`    SEQ by IND: ${s.sqn.seqByInd.map((e) => `${e.ind}:${e.seq}`).join(' ')}`);
      out.push(`  AoC: ACM ${s.aoc.acm === null ? '-' : `${s.aoc.acm} units`}, ACMmax ${s.aoc.acmMax === null ? '-' : s.aoc.acmMax === 0 ? '0 (no limit)' : s.aoc.acmMax}, PUCT ${s.aoc.puct ?? '-'}`);
      if (s.files) {
        out.push(`  files (${s.files.length} EFs)`);
        for (const f of s.files) {
          const head = `    ${f.path} ${f.name} (${f.structure}, ${f.size} bytes${f.active ? '' : ', DEACTIVATED'})`;
          if (f.hidden !== undefined) out.push(`${head}: ${f.hidden}`);
          else if (f.content !== undefined) out.push(`${head}: ${f.content}`);
          else {
            out.push(`${head}: ${f.records!.length} of ${f.records!.length + (f.emptyRecords ?? 0)} records in use`);
            for (const r of f.records!) out.push(`      ${String(r.n).padStart(3)}: ${r.content}`);
          }
        }
      }
    }
    if (a.ledger) {
      const l = a.ledger;
      out.push(`  ${l.mode} ledger, card ${l.cardId}, currency ${l.currency}${l.personalized ? '' : ' (blank: not personalized)'}`);
      out.push(l.mode === 'prepaid' ? `  balance ${l.balance} of max ${l.maxBalance}` : `  used ${l.used} of ceiling ${l.ceiling}`);
      out.push(`  transactions ${l.transactions}, loads ${l.loads}, exports ${l.exports}, settled up to ${l.settledUpTo}${l.exportPending ? `; export pending (up to ${l.exportPending.last}, amount ${l.exportPending.amount})` : ''}${l.receiptPending ? '; a receipt is pending' : ''}`);
      out.push(`  ${l.certified ? 'certified' : 'NOT certified'}; consent ${l.consent}; ${pinLine(l.code)}; ${l.editors} registered editors`);
      out.push(`  log (${l.log.length} of ${l.transactions} records kept, newest first)`);
      for (const r of l.log) out.push(`    #${r.counter}: editor ${r.editorId}, price ${r.price} (currency ${r.currency}), ${r.before} → ${r.after}, date-time ${r.dateTime}`);
      out.push(`  tickets (${l.tickets.length})`);
      for (const t of l.tickets) out.push(`    slot ${t.slot}: ${t.state} ticket ${t.id}, event ${t.event}, seat ${t.seat}, valid ${t.validFrom}..${t.validTo}`);
    }
    if (a.payment) {
      const p = a.payment;
      out.push(`  payment card ${p.cardId || '(no card id)'}${p.personalized ? '' : ' (blank: not personalized)'}: ${p.signatures} signatures; certificate ${p.certificate ? 'stored' : 'none'}; identification ${p.requireIdentification ? 'required' : 'not required'}; token lifetime ${p.tokenLifetimeSeconds} s; MAC key ${p.macKey ? 'set' : 'none'}${p.cardNumberUses !== null ? `; card number enciphered ${p.cardNumberUses} times` : ''}`);
      if (p.publicKey) out.push(`  public key ${p.publicKey}`);
      for (const c of p.codes) out.push(`  ${pinLine(c)}`);
      for (const us of p.users) out.push(`  user ${us.slot} "${us.userId}": ${pinLine(us.credential).replace(/^.*?: /, 'credential ')}`);
    }
    if (a.wallet) {
      const w = a.wallet;
      out.push(`  wallet ${w.walletId}, currency ${w.currency}: purse ${w.balance} of max ${w.maxBalance} (pays up to ${w.threshold}); transactions ${w.transactions}, loads ${w.loads}${w.receiptPending ? '; a receipt is pending' : ''}`);
      if (w.last) out.push(`  last payment #${w.last.counter}: ${w.last.amount} to merchant ${w.last.merchantId}, ${w.last.before} → ${w.last.after}`);
    }
    if (a.isd) {
      const d = a.isd;
      out.push(`  issuer security domain: card ${d.lifeCycle}; authentication tries ${d.authTriesLeft}/${d.authTries}; SCP02 sequence counter ${d.scp02SequenceCounter}, SCP03 card challenge counter ${d.scp03Counter}`);
      out.push(`  keys (values never shown): ${d.keys.map((k) => `${k.kvn.toString(16).padStart(2, '0')}/${k.kid} ${k.type}-${k.length * 8}`).join(', ') || 'none'}`);
      out.push(`  IIN ${d.iin ?? '-'}, CIN ${d.cin ?? '-'}, key diversification data ${d.keyDiversificationData}`);
    }
    if (a.cells) {
      out.push(`  ${a.cells.length} cells (not decoded: values not shown)`);
      for (const c of a.cells) out.push(`    ${c.name} (${c.bytes} bytes)`);
    }
  }
  return out;
}
