/**
 * `gp info`: what a security domain tells anyone, without a secure channel (GP Card Spec §11.3
 * GET DATA): CPLC (9F7F), Card Data (66), Key Information Template (E0), IIN (42), CIN (45).
 * An object the card does not hold (6A88, 6D00, 6985 …) is reported with its SW, not an error.
 */
import { bytesToHex } from '../../card/runtime/index.js';
import type { Transport } from '../transport/index.js';
import { getData, selectIsd } from './commands.js';
import { decodeCardData, decodeCplc, decodeKeyInfo, type CardData, type CplcField, type KeyInfo } from './data.js';
import { readTlvsStrict } from '../../card/runtime/index.js';

export interface GpInfo {
  isd: string;
  cplc: CplcField[] | null;
  cardData: CardData | null;
  keyInfo: KeyInfo[] | null;
  iin: string | null;
  cin: string | null;
  notAvailable: { object: string; sw: string }[];
}

/** The value of a one-object answer (42 IIN / 45 CIN come wrapped in their tag). */
function valueOf(data: Uint8Array, tag: number): string {
  try {
    const t = readTlvsStrict(data, 'GET DATA').find((x) => x.tag === tag);
    if (t) return bytesToHex(t.value);
  } catch {
    /* not TLV: the value itself */
  }
  return bytesToHex(data);
}

export async function gpInfo(t: Transport, isd?: string): Promise<GpInfo> {
  const sel = await selectIsd(t, isd);
  const info: GpInfo = { isd: sel.aid, cplc: null, cardData: null, keyInfo: null, iin: null, cin: null, notAvailable: [] };
  const objects: [string, number, (d: Uint8Array) => void][] = [
    ['CPLC', 0x9f7f, (d) => (info.cplc = decodeCplc(d))],
    ['Card Data', 0x0066, (d) => (info.cardData = decodeCardData(d))],
    ['Key Information', 0x00e0, (d) => (info.keyInfo = decodeKeyInfo(d))],
    ['IIN', 0x0042, (d) => (info.iin = valueOf(d, 0x42))],
    ['CIN', 0x0045, (d) => (info.cin = valueOf(d, 0x45))],
  ];
  for (const [name, tag, take] of objects) {
    const r = await getData(t, tag);
    if (r.sw === 0x9000 && r.data.length > 0) take(r.data);
    else info.notAvailable.push({ object: name, sw: r.sw.toString(16).padStart(4, '0') });
  }
  return info;
}

/** The text `gp info` prints. */
export function renderInfo(i: GpInfo): string[] {
  const out = [`ISD: ${i.isd}`];
  if (i.iin) out.push(`IIN: ${i.iin}`);
  if (i.cin) out.push(`CIN: ${i.cin}`);
  if (i.cplc) {
    out.push('CPLC:');
    for (const f of i.cplc) out.push(`  ${f.name.padEnd(34)} ${f.value}${f.date ? `  (${f.date})` : ''}`);
  }
  if (i.cardData) {
    out.push('Card Data:');
    if (i.cardData.gpVersion) out.push(`  GP version: ${i.cardData.gpVersion}`);
    for (const x of i.cardData.scps) out.push(`  SCP: SCP${x.version.toString(16).padStart(2, '0')} i=${x.i.toString(16).padStart(2, '0')}`);
    for (const o of i.cardData.oids) out.push(`  tag ${o.tag}: ${o.oid}`);
  }
  if (i.keyInfo) {
    out.push('Key Information:');
    for (const k of i.keyInfo) out.push(`  key version ${k.version} (0x${k.version.toString(16).padStart(2, '0')}) id ${k.id}: ${k.type}, ${k.length} bytes`);
  }
  for (const n of i.notAvailable) out.push(`${n.object}: not available (SW ${n.sw})`);
  return out;
}
