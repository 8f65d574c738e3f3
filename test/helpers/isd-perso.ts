/**
 * Personalizing an applet instance through the card's Issuer Security Domain in tests, with the
 * host code `personalize --card` uses (host/profile/apdu/gp-steps.ts, host/gp openSecureChannel):
 * SELECT the ISD, SCP03 session at C-MAC with the test keys, INSTALL [for personalization], then
 * one DGI STORE DATA per block (secret records encrypted with the DEK). Returns the SW of each
 * command after the session is open.
 */
import { ISD_AID, TEST_KEY_HEX } from '../../card/applets/isd/index.js';
import { bytesToHex, hexToBytes, type Card } from '../../card/runtime/index.js';
import { openSecureChannel, type GpSession } from '../../host/gp/session.js';
import { gpStoreDataStep, installForPersoStep } from '../../host/profile/apdu/gp-steps.js';
import { EmulatorTransport } from '../../host/transport/index.js';

export const TEST_ISD_KEYS = { enc: hexToBytes(TEST_KEY_HEX), mac: hexToBytes(TEST_KEY_HEX), dek: hexToBytes(TEST_KEY_HEX) };

const swOf = (r: Uint8Array): string => bytesToHex(r.subarray(r.length - 2));

export async function isdSession(card: Card): Promise<GpSession> {
  const t = new EmulatorTransport(card);
  if (t.atr === undefined) await t.connect();
  const r = await t.transmit(hexToBytes(`00a4040008${ISD_AID}00`));
  if (swOf(r) !== '9000') throw new Error(`SELECT ISD answered ${swOf(r)}`);
  return openSecureChannel(t, { keys: TEST_ISD_KEYS, scp: '03', level: 'mac' });
}

export interface PersoBlock {
  readonly recs: readonly [number, Uint8Array][];
  readonly last?: boolean;
}

/** INSTALL [for personalization] of `aid`, then the blocks (numbered from 0); the SWs in hex. */
export async function personalizeThroughIsd(card: Card, aid: string, blocks: readonly PersoBlock[], secret: (tag: number) => boolean = () => false): Promise<string[]> {
  const s = await isdSession(card);
  const out = [swOf(await s.transmit(installForPersoStep('test', aid).apdu))];
  for (const [i, b] of blocks.entries()) {
    const step = gpStoreDataStep(`block ${i}`, i, b.last ?? i === blocks.length - 1, b.recs, secret);
    out.push(swOf(await s.transmit(step.encode ? step.encode(s) : step.apdu)));
  }
  return out;
}

/** TLV records (one-byte tags, short lengths) as [tag, value] pairs. */
export function tlvRecords(tlv: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  for (let i = 0; i < tlv.length; ) {
    const len = tlv[i + 1]!;
    out.push([tlv[i]!, tlv.slice(i + 2, i + 2 + len)]);
    i += 2 + len;
  }
  return out;
}
