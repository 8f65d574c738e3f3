/**
 * The steps that personalize the payment, ledger and wallet applets through the card's Issuer
 * Security Domain (issue 21), as a personalization bureau does with a pre-issued card: SELECT the
 * ISD, open its secure channel with the profile's ISD keys (host/gp openSecureChannel, the same
 * SCP02/SCP03 code as `cardforge gp`; security level C-MAC), then per applet INSTALL [for
 * personalization] of its instance and its STORE DATA blocks in DGI format
 * (apdu-specs/personalization.ts PERSO_DGI): a block holding a secret record (code, credential,
 * symmetric key) goes as one "encrypted data" command (P1 b7b6 = 11) whose DGI values are
 * encrypted with the key set's DEK at run time; the others go in clear under the C-MAC. The dry
 * run shows the DGI headers with secret values masked.
 */
import { GP_STORE_DATA_P1, PERSO_DGI } from '../../../apdu-specs/index.js';
import { OPEN_PLATFORM_ISD_AID } from '../../../apdu-specs/aids.js';
import { bytesToHex, concat, hexToBytes } from '../../../card/runtime/index.js';
import type { Transport } from '../../transport/types.js';
import { openSecureChannel, type GpSession } from '../../gp/session.js';
import type { IsdAccess } from '../isd.js';
import type { Step } from './script.js';

export interface GpOpenStep extends Step {
  readonly kind: 'gp-open';
  /** INITIALIZE UPDATE + EXTERNAL AUTHENTICATE with the profile's keys (kept in this closure). */
  readonly open: (t: Transport) => Promise<GpSession>;
  readonly access: Pick<IsdAccess, 'scp' | 'kvn' | 'defaultTestKeys'>;
}

export function isGpOpen(s: Step): s is GpOpenStep {
  return s.kind === 'gp-open';
}

/**
 * The logical channel the ISD session runs on (UICC personalities): channel 1, opened before the
 * SIM script so that wrong ISD keys stop the run before anything is written, and kept beside the
 * SIM's work on channel 0 (selecting the SIM there does not end it). Classic (GSM 11.11) cards have
 * no logical channels: their session runs on channel 0 after the SIM script.
 */
export const ISD_CHANNEL = 1;

const plain = (label: string, apdu: Uint8Array): Step => ({ kind: 'command', label, apdu, masked: bytesToHex(apdu).toUpperCase() });

export function openChannelStep(): Step {
  return plain(`MANAGE CHANNEL open logical channel ${ISD_CHANNEL} (for the ISD session)`, Uint8Array.of(0x00, 0x70, 0x00, ISD_CHANNEL, 0x00));
}

export function closeChannelStep(): Step {
  return plain(`MANAGE CHANNEL close logical channel ${ISD_CHANNEL} (ends the ISD session)`, Uint8Array.of(ISD_CHANNEL, 0x70, 0x80, ISD_CHANNEL));
}

/** The ISD where SIMs keep it (A000000003000000, apdu-specs/aids.ts): profile-built and blank SIMs have it there. */
export function selectIsdStep(channel = 0): Step {
  const a = hexToBytes(OPEN_PLATFORM_ISD_AID);
  return plain(`SELECT Issuer Security Domain by AID${channel ? ` on logical channel ${channel}` : ''}`, Uint8Array.of(channel, 0xa4, 0x04, 0x00, a.length, ...a, 0x00));
}

export function gpOpenStep(a: IsdAccess, channel = 0): GpOpenStep {
  const apdu = Uint8Array.of(0x80 | channel, 0x50, a.kvn, 0x00, 0x08);
  const keys = a.defaultTestKeys ? 'the well-known test keys 404142…4F: the profile has no isd: section' : 'the profile\'s isd: keys';
  return {
    kind: 'gp-open',
    label: `INITIALIZE UPDATE + EXTERNAL AUTHENTICATE: SCP${a.scp}, key version ${a.kvn.toString(16).padStart(2, '0')}, C-MAC (${keys})`,
    apdu,
    // The host challenge is drawn when the step runs.
    masked: `${bytesToHex(apdu).toUpperCase()}${'*'.repeat(16)}`,
    access: { scp: a.scp, kvn: a.kvn, defaultTestKeys: a.defaultTestKeys },
    open: (t) => openSecureChannel(t, { keys: a.keys, kvn: a.kvn, scp: a.scp, level: 'mac', channel }),
  };
}

const lv = (b: Uint8Array): Uint8Array => concat(Uint8Array.of(b.length), b);

/** INSTALL [for personalization] (GP CS §11.5.2.3.3): 00 00 ‖ Lapp ‖ AID ‖ 00 00 00. */
export function installForPersoStep(name: string, aid: string, channel = 0): Step {
  const data = concat(Uint8Array.of(0x00, 0x00), lv(hexToBytes(aid)), Uint8Array.of(0x00, 0x00, 0x00));
  const apdu = concat(Uint8Array.of(0x80 | channel, 0xe6, 0x20, 0x00, data.length), data, Uint8Array.of(0x00));
  return { kind: 'gp', label: `INSTALL [for personalization] ${name} (${aid})`, apdu, masked: bytesToHex(apdu).toUpperCase() };
}

function dgiHeader(dgi: number, len: number): Uint8Array {
  return len < 0xff ? Uint8Array.of(dgi >> 8, dgi & 0xff, len) : Uint8Array.of(dgi >> 8, dgi & 0xff, 0xff, len >> 8, len & 0xff);
}

/**
 * One personalization block as a GP STORE DATA (80 E2, P1 = last | encryption | DGI, P2 = block):
 * record T as DGI 01T, a secret one as 81T; with any secret record the command is "encrypted data"
 * and every value is encrypted with the DEK when the step is sent (`encode`); the dry run shows
 * the public values of such a command in clear, though the card receives them encrypted too.
 */
export function gpStoreDataStep(label: string, block: number, last: boolean, recs: readonly [number, Uint8Array][], secret: (tag: number) => boolean, scp: '02' | '03' = '03', channel = 0): Step {
  const encrypted = recs.some(([t]) => secret(t));
  const p1 = (last ? GP_STORE_DATA_P1.LAST_BLOCK : 0) | (encrypted ? GP_STORE_DATA_P1.ENCRYPTED : 0) | GP_STORE_DATA_P1.DGI;
  const dgiOf = (t: number): number => ((secret(t) ? PERSO_DGI.SECRET : PERSO_DGI.CLEAR) << 8) | t;
  const build = (value: (v: Uint8Array) => Uint8Array): Uint8Array => {
    const data = concat(...recs.map(([t, v]) => {
      const x = value(v);
      return concat(dgiHeader(dgiOf(t), x.length), x);
    }));
    if (data.length > 255) throw new Error(`STORE DATA ${label}: ${data.length} bytes of DGIs, more than one short APDU holds`);
    return concat(Uint8Array.of(0x80 | channel, 0xe2, p1, block, data.length), data);
  };
  const apdu = build((v) => v);
  // The dry run: lengths as they go on the wire (an encrypted value padded to the DEK's block), secret values as '*'.
  const bs = scp === '03' ? 16 : 8;
  const wire = (v: Uint8Array): number => (encrypted ? (Math.floor(v.length / bs) + 1) * bs : v.length);
  const lc = recs.reduce((n, [t, v]) => n + dgiHeader(dgiOf(t), wire(v)).length + wire(v), 0);
  let masked = bytesToHex(Uint8Array.of(0x80 | channel, 0xe2, p1, block, lc)).toUpperCase();
  for (const [t, v] of recs) masked += bytesToHex(dgiHeader(dgiOf(t), wire(v))).toUpperCase() + (secret(t) ? '*'.repeat(2 * wire(v)) : bytesToHex(v).toUpperCase());
  const note = encrypted ? ' [values encrypted with the DEK]' : '';
  return { kind: 'gp', label: `${label}${note}`, apdu, masked, ...(encrypted ? { encode: (s: GpSession) => build((v) => s.encryptData(v)) } : {}) };
}
