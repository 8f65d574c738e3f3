/** Test helpers for the SIM/USIM applet: a personalized card, APDU exchange with hex in and out. */
import { installSim, simDefaultAtr, type SimParams, type SimPersonalization } from '../../../card/applets/sim/index.js';
import { Card, SeededRng, bytesToHex, hexToBytes } from '../../../card/runtime/index.js';

export const PERSO: SimPersonalization = {
  iccid: '8949000000000000001',
  imsi: '001010123456789',
  ki: '465b5ce8b199b49faa5f0a2ee238a6bc',
  opc: 'cd63cb71954a9f4e48a5994e37a02baf',
  algorithm: 'milenage',
  gsmAlgorithm: 'gsm-milenage',
  pins: { pin1: '1234', puk1: '12345678', pin2: '5678', puk2: '87654321', adm1: '88888888', pin1Enabled: true },
  spn: 'cardforge',
  msisdn: '+491234567890',
  acmMax: 1000,
  puct: { currency: 'EUR', eppu: 0.1 },
};

export function simCard(params: SimParams = {}, perso: Partial<SimPersonalization> = {}, t0 = true): Card {
  const card = new Card({ rng: new SeededRng(new Uint8Array(32)), ...(t0 ? { atr: simDefaultAtr(params.personality ?? 'both') } : {}) });
  installSim(card, params, { ...PERSO, ...perso });
  card.powerOn();
  return card;
}

/** Send hex, get "data sw" hex back: e.g. tx(card, 'a0a4000002 3f00') → '9f16'. */
export function tx(card: Card, hex: string): string {
  return bytesToHex(card.transmit(hexToBytes(hex.replace(/\s+/g, ''))));
}

/** Split a response into data and SW. */
export function split(resp: string): { data: string; sw: string } {
  return { data: resp.slice(0, -4), sw: resp.slice(-4) };
}

/** ASCII digits padded with FF to 8 bytes, as a CHV/PIN field. */
export function pinField(pin: string): string {
  return bytesToHex(new TextEncoder().encode(pin)).padEnd(16, 'f');
}

/** Classic SELECT then GET RESPONSE: the DF/EF response bytes (hex). */
export function gsmSelect(card: Card, fid: string): string {
  const r = tx(card, `a0a4000002${fid}`);
  if (!r.startsWith('9f')) return r;
  return tx(card, `a0c00000${r.slice(2)}`);
}
