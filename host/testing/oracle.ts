/**
 * The fuzz oracle: what must hold for every exchange with a card, whatever the bytes.
 *  1. Card.transmit never throws (the card is powered and no tear is armed);
 *  2. the answer has a status word, and the SW is declared in apdu-specs/status-words.ts;
 *  3. an error SW changes no persistent byte, with ONE exception: a failed code presentation
 *     decrements that code's try counter by exactly one (OwnerPin: decremented before the compare,
 *     TS 51.011 §9.4 9804/9840, TS 102.221 63Cx/6983, ISO 7816-4 §11.5.6). Error SWs are the
 *     execution/checking errors 64xx–6Fxx and the GSM errors 92 40, 94xx, 98xx; a 63Cx warning
 *     is held to the same rule (it reports a failed verification);
 *  4. no try counter ever increases unless the exchange answered 9000 to a command whose data
 *     carried a code the card held before it (the right PIN, or the right PUK/unblock code), or
 *     to a GlobalPlatform EXTERNAL AUTHENTICATE (80/84 82: the host proved the static keys with
 *     its cryptogram and C-MAC, which the security domain's authentication counter resets on);
 *  5. no response contains a secret the card holds (keys Ki/OPc/private/MAC, PIN/PUK/ADM/code
 *     values), except a value the host itself wrote through a non-verification command (the
 *     oracle cannot tell a file the host filled with those bytes from a leak).
 * Secrets and counters are found generically in persistent memory: OwnerPin cells ".../value",
 * ".../length", ".../tries", and key cells named in SECRET_CELL.
 */
import { describeSw } from '../../apdu-specs/index.js';
import { bytesToHex, type Card } from '../../card/runtime/index.js';
import { CardforgeError } from '../errors.js';

const SECRET_CELL = /\/(ki|opc|ecdsa\.private|privateKey|mac\.key)$/;
const PIN_FAMILY = new Set([0x20, 0x24, 0x26, 0x28, 0x2c]);
const GP_EXTERNAL_AUTHENTICATE = 0x82;

export function isErrorSw(sw: number): boolean {
  const hi = sw >> 8;
  return (hi >= 0x64 && hi <= 0x6f) || hi === 0x94 || hi === 0x98 || sw === 0x9240 || (sw & 0xfff0) === 0x63c0;
}

export interface Violation {
  readonly rule: string;
  readonly step: number;
  readonly command: string;
  readonly response: string;
  readonly detail: string;
}

export class FuzzViolation extends CardforgeError<'FUZZ_VIOLATION'> {
  constructor(readonly violation: Violation, readonly history: readonly string[]) {
    super('FUZZ_VIOLATION', `${violation.rule} at step ${violation.step}: > ${violation.command} < ${violation.response}: ${violation.detail}\nsession:\n${history.join('\n')}`);
    this.name = 'FuzzViolation';
  }
}

function copyCells(card: Card): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const [k, v] of card.memory.cells) m.set(k, v.slice());
  return m;
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The secrets a card holds, read from its memory (as only a test can). */
export function secretsOf(cells: ReadonlyMap<string, Uint8Array>): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const [k, v] of cells) {
    if (SECRET_CELL.test(k) && v.some((b) => b !== 0)) out.push(v);
    if (k.endsWith('/value')) {
      const len = cells.get(`${k.slice(0, -'/value'.length)}/length`)?.[0] ?? 0;
      if (len >= 4) out.push(v.subarray(0, len));
    }
  }
  return out;
}

/** Checks every exchange of one session against the oracle; throws FuzzViolation. */
export class SessionChecker {
  private cells: Map<string, Uint8Array>;
  private generation: number;
  private readonly tainted: Uint8Array[] = [];
  private readonly history: string[] = [];
  private step = 0;

  constructor(readonly card: Card) {
    this.cells = copyCells(card);
    this.generation = card.generation;
  }

  exchange(command: Uint8Array): Uint8Array {
    const card = this.card;
    this.step++;
    const before = this.cells;
    const secrets = secretsOf(before).filter((s) => !this.tainted.some((t) => contains(t, s)));
    const ins = command.length >= 2 ? command[1]! : -1;
    const cmdHex = bytesToHex(command);
    let rsp: Uint8Array;
    try {
      rsp = card.transmit(command);
    } catch (e) {
      this.fail('no exception out of Card.transmit', cmdHex, '-', `${(e as Error).name}: ${(e as Error).message}`);
    }
    const rspHex = bytesToHex(rsp);
    this.history.push(`> ${cmdHex}\n< ${rspHex}`);
    if (rsp.length < 2) this.fail('a status word in every response', cmdHex, rspHex, `${rsp.length}-byte response`);
    const sw = (rsp[rsp.length - 2]! << 8) | rsp[rsp.length - 1]!;
    if (!describeSw(sw)) this.fail('every SW declared in apdu-specs/status-words.ts', cmdHex, rspHex, `SW ${sw.toString(16)} undeclared`);
    if (card.generation !== this.generation) {
      const after = copyCells(card);
      const changed = [...after].filter(([k, v]) => !eq(v, before.get(k)!)).map(([k]) => k);
      for (const k of changed) {
        const isTries = k.endsWith('/tries');
        const b = before.get(k)![0]!, a = after.get(k)![0]!;
        if (isErrorSw(sw) && !(isTries && a === b - 1)) {
          this.fail('no persistent change on an error SW (except one try of the presented code)', cmdHex, rspHex, `cell ${k}: ${bytesToHex(before.get(k)!)} → ${bytesToHex(after.get(k)!)}`);
        }
        if (isTries && a > b) {
          const data = command.subarray(5);
          const presented = sw === 0x9000 && ((PIN_FAMILY.has(ins) && secretsOf(before).some((s) => contains(data, s))) || (ins === GP_EXTERNAL_AUTHENTICATE && (command[0]! & 0x80) !== 0));
          if (!presented) this.fail('try counters never increase without the right code', cmdHex, rspHex, `${k}: ${b} → ${a}`);
        }
      }
      this.cells = after;
      this.generation = card.generation;
    }
    for (const s of secrets) {
      if (contains(rsp, s)) this.fail('no secret in any response', cmdHex, rspHex, `holds secret ${bytesToHex(s)}`);
    }
    if (!PIN_FAMILY.has(ins) && command.length > 5) this.tainted.push(command.subarray(5).slice());
    return rsp;
  }

  /** A warm reset between commands: it must not change persistent memory (no transaction is open). */
  reset(): void {
    this.step++;
    this.card.reset();
    this.history.push('# reset');
    if (this.card.generation !== this.generation) {
      const after = copyCells(this.card);
      const changed = [...after].filter(([k, v]) => !eq(v, this.cells.get(k)!)).map(([k]) => k);
      if (changed.length) this.fail('a reset between commands changes nothing persistent', 'reset', '-', changed.join(', '));
      this.generation = this.card.generation;
    }
  }

  private fail(rule: string, command: string, response: string, detail: string): never {
    throw new FuzzViolation({ rule, step: this.step, command, response, detail }, this.history);
  }
}
