/**
 * What an import or a dump needs to know from a raw select response, in the host's terms (FIDs and
 * AIDs as upper-case hex, pySim's structure names). The reading itself is card/fs/fcp.ts's — the
 * one strict reader of FCP templates (TS 102.221 §11.1.1.3) and GSM responses (TS 51.011 §9.2.1)
 * that the emulated file system serves from — so an export is refused for exactly what the card
 * could not serve, before anything is written, and the parser turns its RangeError into file:line.
 */
import type { FsNodeKind } from '../../card/fs/data.js';
import { parseGsmResponse, parseUiccFcp, fcpObjects as cardFcpObjects, type FcpInfo } from '../../card/fs/fcp.js';
import { bytesToHex, encodeTlv, readTlvsStrict as strict, type Tlv } from '../../card/runtime/index.js';

export type EfStructure = 'transparent' | 'linear_fixed' | 'cyclic' | 'ber_tlv';

export interface FcpFacts {
  readonly kind: FsNodeKind;
  /** 4 upper-case hex digits; absent for an ADF whose FCP has no tag 83. */
  readonly fid?: string;
  /** ADF: the DF name (tag 84), upper-case hex. */
  readonly aid?: string;
  /** EF only. */
  readonly structure?: EfStructure;
  /** EF: bytes (transparent) or records × record length. */
  readonly size: number;
  readonly recordLength: number;
  readonly records: number;
  /** UICC EF: undefined = tag 88 absent (SFI from the FID), null = 88 00 (no SFI), else the SFI. */
  readonly sfi?: number | null;
}

export type { Tlv };

/** BER-TLV objects filling `b` exactly (card/runtime's strict reader). */
export const readTlvsStrict = (b: Uint8Array, what: string): Tlv[] => strict(b, what);

/** One BER-TLV object: a 1- or 2-byte tag, short or 81 length form. */
export const tlv = encodeTlv;

/** The inner data objects of a '62' FCP template. */
export const fcpObjects = (b: Uint8Array): Tlv[] => cardFcpObjects(b);

const STRUCTURE: { readonly [k: string]: EfStructure } = { transparent: 'transparent', 'linear-fixed': 'linear_fixed', cyclic: 'cyclic' };

function facts(i: FcpInfo, classic: boolean): FcpFacts {
  const fid = i.fid === undefined ? undefined : i.fid.toString(16).toUpperCase().padStart(4, '0');
  const structure = i.kind !== 'EF' ? undefined : i.berTlv ? 'ber_tlv' : STRUCTURE[i.structure!];
  return {
    kind: i.kind, ...(fid !== undefined ? { fid } : {}), ...(i.aid ? { aid: bytesToHex(i.aid).toUpperCase() } : {}), ...(structure ? { structure } : {}),
    size: i.size, recordLength: i.recordLength, records: i.records, ...(!classic && i.kind === 'EF' && i.sfi !== undefined ? { sfi: i.sfi } : {}),
  };
}

/** TS 102.221 §11.1.1.3 / §11.1.1.4. */
export function readUiccFcp(b: Uint8Array): FcpFacts {
  return facts(parseUiccFcp(b), false);
}

/** TS 51.011 §9.2.1 (DF/MF and EF layouts). */
export function readClassicResponse(b: Uint8Array): FcpFacts {
  return facts(parseGsmResponse(b), true);
}
