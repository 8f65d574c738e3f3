/**
 * GlobalPlatform answers in `trace show`, named field by field (host/gp/data.ts decodes them):
 * INITIALIZE UPDATE by its SCP — SCP02 (GP Card Spec §E.5.1.2: key diversification data, key
 * version, SCP identifier, sequence counter, card challenge, card cryptogram) or SCP03
 * (Amendment D §7.1.1.6: … SCP identifier, "i" parameter, card challenge, card cryptogram,
 * sequence counter) —, GET DATA of CPLC (9F7F), Card Data (66) and Key Information (E0), and
 * GET STATUS registry entries. Kept in host/trace (the GP command declarations in
 * apdu-specs/globalplatform.ts name the commands; this file explains their answers).
 */
import { bytesToHex } from '../../card/runtime/index.js';
import { decodeCardData, decodeCplc, decodeKeyInfo, parseStatusLegacy, parseStatusTlv, type RegistryKind } from '../gp/data.js';
import { GpError } from '../gp/errors.js';

const hx = (b: Uint8Array): string => bytesToHex(b).toUpperCase();
const byte = (n: number): string => n.toString(16).padStart(2, '0').toUpperCase();

/** SCP03 "i" (Amendment D §5.1): b5 pseudo-random card challenge, b6 R-MAC, b7 R-ENC support. */
function scp03I(i: number): string {
  const f = [i & 0x10 ? 'pseudo-random card challenge' : 'random card challenge', ...(i & 0x20 ? ['R-MAC'] : []), ...(i & 0x40 ? ['R-ENCRYPTION'] : [])];
  return `${byte(i)} (${f.join(', ')})`;
}

function initializeUpdate(d: Uint8Array): string[] | undefined {
  const head = [`key diversification data: ${hx(d.subarray(0, 10))}`, `key version number: ${byte(d[10]!)} (${d[10]})`];
  if (d.length === 28 && d[11] === 0x02) {
    return [...head, 'SCP identifier: 02 (SCP02)', `sequence counter: ${hx(d.subarray(12, 14))}`, `card challenge: ${hx(d.subarray(14, 20))}`, `card cryptogram: ${hx(d.subarray(20, 28))}`];
  }
  if ((d.length === 29 || d.length === 32) && d[11] === 0x03) {
    return [...head, 'SCP identifier: 03 (SCP03)', `i parameter: ${scp03I(d[12]!)}`, `card challenge: ${hx(d.subarray(13, 21))}`, `card cryptogram: ${hx(d.subarray(21, 29))}`, ...(d.length === 32 ? [`sequence counter: ${hx(d.subarray(29, 32))}`] : [])];
  }
  return undefined;
}

function getData(cmd: Uint8Array, d: Uint8Array): string[] | undefined {
  const tag = (cmd[2]! << 8) | cmd[3]!;
  if (tag === 0x9f7f) return ['CPLC:', ...decodeCplc(d).map((f) => `  ${f.name}: ${f.value.toUpperCase()}${f.date ? ` (${f.date})` : ''}`)];
  if (tag === 0x0066) {
    const c = decodeCardData(d);
    return ['Card Data:', ...(c.gpVersion ? [`  GP version: ${c.gpVersion}`] : []), ...c.scps.map((x) => `  SCP${byte(x.version)} i=${byte(x.i)}`), ...c.oids.map((o) => `  tag ${o.tag}: ${o.oid}`)];
  }
  if (tag === 0x00e0) return ['Key Information:', ...decodeKeyInfo(d).map((k) => `  key version ${byte(k.version)} id ${k.id}: ${k.type}, ${k.length} bytes`)];
  return undefined;
}

const KINDS: Record<number, RegistryKind> = { 0x80: 'isd', 0x40: 'app', 0x20: 'loadfile', 0x10: 'loadfile' };

function getStatus(cmd: Uint8Array, d: Uint8Array): string[] | undefined {
  const kind = KINDS[cmd[2]!];
  if (!kind) return undefined;
  const entries = cmd[3]! & 0x02 ? parseStatusTlv(kind, d) : parseStatusLegacy(kind, d);
  return entries.map((e) => `${e.aid.toUpperCase()} ${e.lifeCycleName}${e.privileges?.names.length ? ` privileges ${e.privileges.names.join(', ')}` : ''}${e.modules ? ` modules ${e.modules.join(', ').toUpperCase()}` : ''}`);
}

/** Named lines for the answer of the GP command `name`, or undefined when it has none to explain. */
export function gpResponseDetails(name: string, cmd: Uint8Array, data: Uint8Array): readonly string[] | undefined {
  try {
    if (name === 'INITIALIZE_UPDATE') return initializeUpdate(data);
    if (name === 'GP_GET_DATA') return getData(cmd, data);
    if (name === 'GET_STATUS') return getStatus(cmd, data);
  } catch (e) {
    if (e instanceof GpError) return [`${name}: cannot decode: ${e.message}`];
    throw e;
  }
  return undefined;
}

// PUT KEY is left out: its data is declared secret and shown starred, the C-MAC with it.
const GP_NAMES = new Set(['INITIALIZE_UPDATE', 'GP_GET_DATA', 'GET_STATUS', 'INSTALL', 'DELETE', 'LOAD', 'SET_STATUS', 'STORE_DATA']);

/**
 * A GP command sent under secure messaging (CLA b3 set; EXTERNAL AUTHENTICATE names its own
 * fields): its last 8 data bytes are the C-MAC (SCP02 §E.4.4, SCP03 S8 §6.2.4), and the data
 * before it is enciphered at C-DECRYPTION level — which the trace cannot tell, so it says so.
 */
export function gpCommandDetails(name: string, cmd: Uint8Array): readonly string[] | undefined {
  if (!GP_NAMES.has(name) || cmd.length < 13 || (cmd[0]! & 0x04) === 0 || (cmd[0]! & 0x40) !== 0) return undefined;
  const lc = cmd[4]!;
  if (lc < 8 || cmd.length < 5 + lc) return undefined;
  return [`C-MAC: ${hx(cmd.subarray(5 + lc - 8, 5 + lc))} (secure messaging: the data before it is as sent, enciphered at C-DECRYPTION level)`];
}
