/** Test helpers for the ARA-M: a SIM card with the ARA-M beside it, a T=0 terminal's exchange, rules. */
import { ARAM_AID, encodeRefArDo, installAram } from '../../../card/applets/aram/index.js';
import { bytesToHex, decodeCla, encodeCla, hexToBytes, type Card } from '../../../card/runtime/index.js';
import { simCard, tx } from '../sim/helpers.js';

export { tx };

/** The SIM/USIM card of test/applets/sim (T=0 ATR, default applet) with the ARA-M installed after power-up. */
export function aramCard(rules?: Uint8Array): Card {
  const card = simCard();
  installAram(card, rules === undefined ? {} : { rules });
  return card;
}

export const cla80 = (ch: number): string => encodeCla(0x80, ch).toString(16).padStart(2, '0');
export const SELECT_ARAM = `a4040009${ARAM_AID}`;

/** Open logical channel 2 and select the ARA-M there, as the phone of the SJA2 capture does. */
export function openAram(card: Card): number {
  const r = tx(card, '0070000001');
  if (!r.endsWith('9000')) throw new Error(`MANAGE CHANNEL answered ${r}`);
  const ch = parseInt(r.slice(0, 2), 16);
  const s = tx(card, `${encodeCla(0x00, ch).toString(16).padStart(2, '0')}${SELECT_ARAM}`);
  if (s !== '9000') throw new Error(`SELECT ARA-M answered ${s}`);
  return ch;
}

/**
 * A T=0 terminal (ISO/IEC 7816-3 §12.2.2): a 6Cxx answer is sent again with P3 = xx, a 61xx answer
 * is fetched with GET RESPONSE on the same channel. Returns "data sw".
 */
export function ask(card: Card, hex: string): string {
  const cmd = hex.replace(/\s+/g, '');
  const r = tx(card, cmd);
  if (r.length === 4 && r.startsWith('6c')) return tx(card, cmd.slice(0, 8) + r.slice(2));
  if (r.length === 4 && r.startsWith('61')) {
    const ch = decodeCla(parseInt(cmd.slice(0, 2), 16))!.channel;
    return tx(card, `${encodeCla(0x00, ch).toString(16).padStart(2, '0')}c00000${r.slice(2)}`);
  }
  return r;
}

/** GET DATA on a channel (P3 = 00, as Android sends it). */
export const getData = (card: Card, ch: number, p1p2: string): string => ask(card, `${cla80(ch)}ca${p1p2}00`);

/** STORE DATA P1P2 = 9000 with `data` (hex). */
export function storeData(card: Card, ch: number, data: string): string {
  const d = data.replace(/\s+/g, '');
  return tx(card, `${cla80(ch)}e29000${(d.length / 2).toString(16).padStart(2, '0')}${d}`);
}

/** The ARA-M's persistent cells (key=hex), for before/after comparisons. */
export function aramState(card: Card): string {
  return [...card.memory.cells].filter(([k]) => k.startsWith(ARAM_AID)).map(([k, v]) => `${k}=${bytesToHex(v)}`).join(';');
}

/** An Android carrier-privilege rule (source.android.com uicc): C1 SHA-256 of the cert, CA package, DB permissions. */
export function carrierRule(n: number, pkg = `com.example.carrier${n}`): string {
  return bytesToHex(encodeRefArDo({ deviceAppId: new Uint8Array(32).fill(n), packageName: pkg, permissions: hexToBytes('0000000000000001') }));
}

/** A GlobalPlatform rule: AID-REF-DO, a SHA-1 DeviceAppID, APDU always, NFC never. */
export function gpRule(aid: string, n: number): string {
  return bytesToHex(encodeRefArDo({ aid: hexToBytes(aid), deviceAppId: new Uint8Array(20).fill(n), apdu: 'always', nfc: 'never' }));
}

/** BER length field in hex. */
export function len(hex: string): string {
  const n = hex.length / 2;
  return n < 0x80 ? n.toString(16).padStart(2, '0') : n <= 0xff ? `81${n.toString(16)}` : `82${n.toString(16).padStart(4, '0')}`;
}
