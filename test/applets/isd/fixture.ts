/** Cards with the Issuer Security Domain for the ISD tests. */
import { expect } from 'vitest';
import { Card, SeededRng } from '../../../card/runtime/index.js';
import { installIsd, type IsdPersonalization, ISD_AID, IsdApplet } from '../../../card/applets/isd/index.js';
import { h, send } from './host.js';

export const TEST_KEY = h('404142434445464748494a4b4c4d4e4f');
export const TEST_KEYS = { enc: TEST_KEY, mac: TEST_KEY, dek: TEST_KEY } as const;

/** A powered card with only the ISD (default applet or not), selected on channel 0. */
export function isdCard(p: Omit<IsdPersonalization, 'defaultSelected'> = {}): { card: Card; isd: IsdApplet } {
  const card = new Card({ rng: new SeededRng('isd') });
  const isd = installIsd(card, p);
  card.powerOn();
  expect(send(card, `00a4040008${ISD_AID}00`).sw).toBe(0x9000);
  return { card, isd };
}
