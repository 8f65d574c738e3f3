/**
 * An ATR described for people (ISO/IEC 7816-3 §8.2): TS and the convention, T0 (Y1 and K),
 * every interface byte by name (TA1, TB1, TC1, TD1, TA2 …), the protocols offered (the T of each
 * TDi; T=15 is "global", not a protocol), the protocol used without PPS (T of TD1, T=0 when TD1
 * is absent, §8.2.3), the historical bytes, and TCK checked (present unless only T=0 is
 * offered; the XOR of T0..TCK is 00).
 *
 * Unlike card/runtime's parseAtr (which refuses an ATR the emulator must not send), this one
 * never throws on a real reader's odd ATR: what does not fit is listed in `problems`, so
 * `readers` and trace conversion can still say what they could read.
 */
import { bytesToHex } from '../../card/runtime/index.js';

export interface AtrDescription {
  /** 3B direct, 3F inverse convention; anything else is a problem. */
  readonly ts: number;
  readonly convention: 'direct' | 'inverse' | 'invalid';
  readonly t0: number | undefined;
  /** Interface bytes in order: name (TA1 …) and value. */
  readonly interfaceBytes: readonly { readonly name: string; readonly value: number }[];
  /** The protocols the TDi bytes offer (0, 1, …; T=15 excluded), T=0 when no TD1. */
  readonly protocols: readonly number[];
  /** The protocol used without PPS: T of TD1, or 0 without TD1. */
  readonly defaultProtocol: number;
  readonly historical: Uint8Array;
  /** TCK: absent when only T=0 is offered; ok = the XOR of T0..TCK is 00. */
  readonly tck: { readonly present: boolean; readonly required: boolean; readonly value?: number; readonly ok?: boolean };
  /** What is wrong with the ATR, in words (empty for a well-formed one). */
  readonly problems: readonly string[];
}

export function describeAtr(atr: Uint8Array): AtrDescription {
  const problems: string[] = [];
  const ts = atr[0] ?? -1;
  const convention = ts === 0x3b ? 'direct' : ts === 0x3f ? 'inverse' : 'invalid';
  if (atr.length === 0) problems.push('empty ATR');
  else if (convention === 'invalid') problems.push(`TS ${bytesToHex(atr.subarray(0, 1))} is neither 3b (direct) nor 3f (inverse convention)`);
  const t0 = atr[1];
  const interfaceBytes: { name: string; value: number }[] = [];
  const protocols: number[] = [];
  let i = 2;
  let k = 0;
  if (t0 === undefined) {
    if (atr.length === 1) problems.push('T0 missing (the ATR has 1 byte)');
  } else {
    k = t0 & 0x0f;
    let y = t0 >> 4;
    for (let n = 1; ; n++) {
      for (const [bit, letter] of [[1, 'A'], [2, 'B'], [4, 'C'], [8, 'D']] as const) {
        if (!(y & bit)) continue;
        const v = atr[i];
        if (v === undefined) {
          problems.push(`T${letter}${n} announced but the ATR ends at byte ${i}`);
          y = 0;
          break;
        }
        interfaceBytes.push({ name: `T${letter}${n}`, value: v });
        i++;
        if (letter === 'D') {
          const t = v & 0x0f;
          if (t !== 15 && !protocols.includes(t)) protocols.push(t);
        }
      }
      const td = interfaceBytes.at(-1);
      if (!(y & 8) || td?.name !== `TD${n}`) break;
      y = td.value >> 4;
    }
  }
  const firstTd = interfaceBytes.find((b) => b.name === 'TD1');
  const defaultProtocol = firstTd ? firstTd.value & 0x0f : 0;
  if (protocols.length === 0) protocols.push(0);
  const available = Math.max(0, atr.length - i);
  if (k > available) problems.push(`T0 announces ${k} historical bytes, ${available} present`);
  const historical = atr.slice(i, i + Math.min(k, available));
  const after = i + historical.length;
  const needsTck = protocols.some((p) => p !== 0);
  let tck: AtrDescription['tck'] = { present: false, required: needsTck };
  if (after < atr.length) {
    let x = 0;
    for (let j = 1; j < atr.length; j++) x ^= atr[j]!;
    tck = { present: true, required: needsTck, value: atr[atr.length - 1]!, ok: x === 0 };
    if (x !== 0) problems.push(`TCK ${bytesToHex(atr.subarray(-1))} is wrong (the XOR of T0..TCK is ${x.toString(16).padStart(2, '0')}, expected 00)`);
    if (after + 1 < atr.length) problems.push(`${atr.length - after - 1} bytes after TCK`);
  } else if (needsTck) problems.push('TCK missing (required when a protocol other than T=0 is offered)');
  return { ts, convention, t0, interfaceBytes, protocols, defaultProtocol, historical, tck, problems };
}

/** Historical bytes as text when they are printable ASCII (many cards put a name there), else undefined. */
export function historicalText(h: Uint8Array): string | undefined {
  if (h.length === 0) return undefined;
  const body = h[0] === 0x80 || h[0] === 0x00 ? undefined : h;
  if (!body || !body.every((b) => b >= 0x20 && b < 0x7f)) return undefined;
  return new TextDecoder().decode(body);
}

/** One line per part, for `readers`: "protocols T=0 (default T=0); TA1 96, TD1 80, …; historical …; TCK ok". */
export function formatAtr(d: AtrDescription): string[] {
  const hx = (v: number): string => v.toString(16).padStart(2, '0').toUpperCase();
  const lines = [`TS ${hx(d.ts & 0xff)} (${d.convention} convention)${d.t0 !== undefined ? `, T0 ${hx(d.t0)} (${d.historical.length} historical bytes)` : ''}`];
  lines.push(`protocols offered: ${d.protocols.map((p) => `T=${p}`).join(', ')}; used without PPS: T=${d.defaultProtocol}`);
  if (d.interfaceBytes.length) lines.push(`interface bytes: ${d.interfaceBytes.map((b) => `${b.name} ${hx(b.value)}`).join(', ')}`);
  const text = historicalText(d.historical);
  lines.push(`historical bytes: ${d.historical.length ? bytesToHex(d.historical).toUpperCase() : '(none)'}${text !== undefined ? ` ("${text}")` : ''}`);
  lines.push(d.tck.present ? `TCK ${hx(d.tck.value!)} ${d.tck.ok ? 'ok' : 'WRONG'}` : d.tck.required ? 'TCK MISSING' : 'TCK absent (only T=0 offered)');
  for (const p of d.problems) if (!p.startsWith('TCK ')) lines.push(`problem: ${p}`);
  return lines;
}
