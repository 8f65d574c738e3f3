/**
 * GlobalPlatform secure-channel cryptography, card side: SCP02 (GP Card Specification 2.3.1
 * Appendix E, with the MACs of Appendix B.1) and SCP03 (GP Card Specification Amendment D
 * v1.1.1 / v1.2). Pure functions over bytes; the ISD applet owns the session state (counters, MAC
 * chaining values, security level) and the host side (host/gp) is a separate implementation on
 * node:crypto — the two check each other in the tests, and each is checked against published
 * real-card vectors (osmocom pySim's unit tests).
 */
import { aesEncryptBlock, aesKeyOf } from './aes.js';
import { aesCmac } from './aes-cmac.js';
import { bytesBetween, bytesOf, intBetween } from './check.js';
import { desEncryptBlock, fullTdesMac, pad80, tdesEncryptCbc, tdesEncryptEcb } from './des.js';

// ---------------------------------------------------------------------------------------------
// Keys

/** GP CS 2.3.1 Table 11-16 key types of the secure channels: DES (TDEA) and AES. */
export const GP_KEY_TYPE = Object.freeze({ DES: 0x80, AES: 0x88 } as const);

/**
 * The key check value of PUT KEY responses and key information: a DES/TDEA key encrypts eight 00
 * bytes (GP CS 2.3.1 §B.6), an AES key one block of sixteen 01 bytes (Amendment D §7.2.2); the
 * three leftmost bytes.
 */
export function gpKeyCheckValue(keyType: number, key: Uint8Array): Uint8Array {
  if (keyType === GP_KEY_TYPE.DES) return tdesEncryptEcb(key, new Uint8Array(8)).slice(0, 3);
  if (keyType === GP_KEY_TYPE.AES) return aesEncryptBlock(aesKeyOf('key', key), new Uint8Array(16).fill(1)).slice(0, 3);
  throw new RangeError(`"keyType" expected 0x80 (DES) or 0x88 (AES), got ${String(keyType)}`);
}

// ---------------------------------------------------------------------------------------------
// SCP02

/** GP CS 2.3.1 Table E-1: the derivation constants of the SCP02 session keys. */
export const SCP02_DERIVATION = Object.freeze({
  C_MAC: 0x0101,
  R_MAC: 0x0102,
  DEK: 0x0181,
  S_ENC: 0x0182,
} as const);

/**
 * GP CS 2.3.1 E.4.1: a session key is TDEA-CBC (zero ICV) under the static key over
 * constant(2) ‖ sequence counter(2) ‖ twelve 00 bytes. `constant` is one of SCP02_DERIVATION.
 */
export function scp02SessionKey(staticKey16: Uint8Array, constant: number, sequenceCounter2: Uint8Array): Uint8Array {
  bytesOf('staticKey', staticKey16, 16);
  intBetween('constant', constant, 0, 0xffff);
  bytesOf('sequenceCounter', sequenceCounter2, 2);
  const data = new Uint8Array(16);
  data[0] = constant >> 8;
  data[1] = constant & 0xff;
  data.set(sequenceCounter2, 2);
  return tdesEncryptCbc(staticKey16, new Uint8Array(8), data);
}

/**
 * GP CS 2.3.1 E.4.2.1: the card cryptogram, full triple-DES MAC (B.1.2.1, zero ICV) under S-ENC over
 * host challenge(8) ‖ sequence counter(2) ‖ card challenge(6), padded with 80 00….
 */
export function scp02CardCryptogram(
  sEnc: Uint8Array,
  hostChallenge8: Uint8Array,
  seqCounter2: Uint8Array,
  cardChallenge6: Uint8Array,
): Uint8Array {
  bytesOf('sEnc', sEnc, 16);
  bytesOf('hostChallenge', hostChallenge8, 8);
  bytesOf('sequenceCounter', seqCounter2, 2);
  bytesOf('cardChallenge', cardChallenge6, 6);
  const data = new Uint8Array(16);
  data.set(hostChallenge8, 0);
  data.set(seqCounter2, 8);
  data.set(cardChallenge6, 10);
  return fullTdesMac(sEnc, pad80(data, 8));
}

/**
 * GP CS 2.3.1 E.4.2.2: the host cryptogram, the same MAC over
 * sequence counter(2) ‖ card challenge(6) ‖ host challenge(8), padded.
 */
export function scp02HostCryptogram(
  sEnc: Uint8Array,
  seqCounter2: Uint8Array,
  cardChallenge6: Uint8Array,
  hostChallenge8: Uint8Array,
): Uint8Array {
  bytesOf('sEnc', sEnc, 16);
  bytesOf('sequenceCounter', seqCounter2, 2);
  bytesOf('cardChallenge', cardChallenge6, 6);
  bytesOf('hostChallenge', hostChallenge8, 8);
  const data = new Uint8Array(16);
  data.set(seqCounter2, 0);
  data.set(cardChallenge6, 2);
  data.set(hostChallenge8, 8);
  return fullTdesMac(sEnc, pad80(data, 8));
}

/**
 * GP CS 2.3.1 E.3.4 (i = 15/55, "ICV encryption for C-MAC session"): the ICV of the next C-MAC is
 * the previous C-MAC encrypted with single DES under the first 8 bytes of the C-MAC session key.
 */
export function scp02IcvEncrypt(cMacKey16: Uint8Array, icv8: Uint8Array): Uint8Array {
  bytesOf('cMacKey', cMacKey16, 16);
  bytesOf('icv', icv8, 8);
  return desEncryptBlock(cMacKey16.subarray(0, 8), icv8);
}

// ---------------------------------------------------------------------------------------------
// SCP03

/** Amendment D §4.1.5 Table 4-1: derivation constants of the SCP03 data derivation scheme. */
export const SCP03_DERIVATION = Object.freeze({
  CARD_CRYPTOGRAM: 0x00,
  HOST_CRYPTOGRAM: 0x01,
  CARD_CHALLENGE: 0x02,
  S_ENC: 0x04,
  S_MAC: 0x06,
  S_RMAC: 0x07,
} as const);

/**
 * NIST SP 800-108 §5.1 KDF in counter mode with AES-CMAC (SP 800-38B) as the PRF, the counter of
 * `counterBytes` (1..4) bytes between two fixed parts (CAVP's CTRLOCATION=MIDDLE_FIXED; an empty
 * `before` is BEFORE_FIXED, an empty `after` AFTER_FIXED). Returns `lengthBits / 8` bytes.
 */
export function kdfCounterAesCmac(
  key: Uint8Array,
  before: Uint8Array,
  after: Uint8Array,
  lengthBits: number,
  counterBytes = 1,
): Uint8Array {
  aesKeyOf('key', key);
  if (!(before instanceof Uint8Array)) bytesOf('before', before, 0);
  if (!(after instanceof Uint8Array)) bytesOf('after', after, 0);
  intBetween('counterBytes', counterBytes, 1, 4);
  intBetween('lengthBits', lengthBits, 8, 0xffffffff);
  if (lengthBits % 8 !== 0) throw new RangeError(`"lengthBits" expected a multiple of 8, got ${lengthBits}`);
  const blocks = Math.ceil(lengthBits / 128);
  if (blocks > 2 ** (8 * counterBytes) - 1) {
    throw new RangeError(`"lengthBits" expected at most ${(2 ** (8 * counterBytes) - 1) * 128} for a ${counterBytes}-byte counter, got ${lengthBits}`);
  }
  const input = new Uint8Array(before.length + counterBytes + after.length);
  input.set(before, 0);
  input.set(after, before.length + counterBytes);
  const out = new Uint8Array(blocks * 16);
  for (let i = 1; i <= blocks; i++) {
    for (let b = 0; b < counterBytes; b++) input[before.length + b] = (i >>> (8 * (counterBytes - 1 - b))) & 0xff;
    out.set(aesCmac(key, input), (i - 1) * 16);
  }
  return out.slice(0, lengthBits / 8);
}

/**
 * Amendment D §4.1.5: the SCP03 data derivation, SP 800-108 counter mode with AES-CMAC over
 * label (eleven 00 ‖ constant) ‖ 00 ‖ L (2 bytes, bits) ‖ i (1 byte) ‖ context.
 * `lengthBits`: 64 (challenges, S8 cryptograms), 128 (S16, AES-128 keys), 192, 256.
 */
export function scp03Kdf(key: Uint8Array, derivationConstant: number, context: Uint8Array, lengthBits: number): Uint8Array {
  intBetween('derivationConstant', derivationConstant, 0, 0xff);
  intBetween('lengthBits', lengthBits, 8, 0xffff);
  const before = new Uint8Array(15);
  before[11] = derivationConstant;
  before[13] = lengthBits >> 8;
  before[14] = lengthBits & 0xff;
  if (!(context instanceof Uint8Array)) bytesOf('context', context, 0);
  return kdfCounterAesCmac(key, before, context, lengthBits, 1);
}

export interface Scp03SessionKeys {
  readonly sEnc: Uint8Array;
  readonly sMac: Uint8Array;
  readonly sRmac: Uint8Array;
}

/**
 * Amendment D §6.2.1: S-ENC from Key-ENC, S-MAC and S-RMAC from Key-MAC, each as long as its
 * static key, context = host challenge ‖ card challenge (8 bytes each; 16 each in S16 mode).
 */
export function scp03SessionKeys(
  enc: Uint8Array,
  mac: Uint8Array,
  hostChallenge: Uint8Array,
  cardChallenge: Uint8Array,
): Scp03SessionKeys {
  aesKeyOf('enc', enc);
  aesKeyOf('mac', mac);
  const context = challengeContext(hostChallenge, cardChallenge);
  return {
    sEnc: scp03Kdf(enc, SCP03_DERIVATION.S_ENC, context, enc.length * 8),
    sMac: scp03Kdf(mac, SCP03_DERIVATION.S_MAC, context, mac.length * 8),
    sRmac: scp03Kdf(mac, SCP03_DERIVATION.S_RMAC, context, mac.length * 8),
  };
}

function challengeContext(hostChallenge: Uint8Array, cardChallenge: Uint8Array): Uint8Array {
  bytesBetween('hostChallenge', hostChallenge, 8, 16);
  bytesOf('cardChallenge', cardChallenge, hostChallenge.length);
  const context = new Uint8Array(hostChallenge.length * 2);
  context.set(hostChallenge, 0);
  context.set(cardChallenge, hostChallenge.length);
  return context;
}

/**
 * Amendment D §6.2.2.2/§6.2.2.3: the card (constant 00) or host (constant 01) authentication
 * cryptogram under S-MAC, context = host challenge ‖ card challenge; as long as the challenges
 * (8 bytes, the 64-bit form; 16 in S16 mode).
 */
export function scp03Cryptogram(
  sMac: Uint8Array,
  constant: number,
  hostChallenge: Uint8Array,
  cardChallenge: Uint8Array,
): Uint8Array {
  if (constant !== SCP03_DERIVATION.CARD_CRYPTOGRAM && constant !== SCP03_DERIVATION.HOST_CRYPTOGRAM) {
    throw new RangeError(`"constant" expected 0 (card cryptogram) or 1 (host cryptogram), got ${constant}`);
  }
  const context = challengeContext(hostChallenge, cardChallenge);
  return scp03Kdf(sMac, constant, context, hostChallenge.length * 8);
}

/**
 * Amendment D §6.2.2.1: a pseudo-random card challenge (8 bytes) under the static Key-ENC,
 * context = sequence counter (3 bytes, already incremented by the INITIALIZE UPDATE) ‖ the AID of
 * the security domain (5..16 bytes).
 */
export function scp03PseudoRandomCardChallenge(enc: Uint8Array, counter3: Uint8Array, aid: Uint8Array): Uint8Array {
  aesKeyOf('enc', enc);
  bytesOf('counter', counter3, 3);
  bytesBetween('aid', aid, 5, 16);
  const context = new Uint8Array(3 + aid.length);
  context.set(counter3, 0);
  context.set(aid, 3);
  return scp03Kdf(enc, SCP03_DERIVATION.CARD_CHALLENGE, context, 64);
}

function counterBlock(counter: number): Uint8Array {
  intBetween('counter', counter, 0, Number.MAX_SAFE_INTEGER);
  const block = new Uint8Array(16);
  let v = counter;
  for (let i = 15; i >= 8 && v > 0; i--) {
    block[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return block;
}

/**
 * Amendment D §6.2.6: the ICV of C-DECRYPTION, E(S-ENC, encryption counter as a 16-byte big-endian
 * block). The counter starts at 1 for the first command after EXTERNAL AUTHENTICATE.
 */
export function scp03CommandIcv(sEnc: Uint8Array, counter: number): Uint8Array {
  aesKeyOf('sEnc', sEnc);
  return aesEncryptBlock(sEnc, counterBlock(counter));
}

/** Amendment D §6.2.7: the ICV of R-ENCRYPTION, the same counter block with its first byte set to 80. */
export function scp03ResponseIcv(sEnc: Uint8Array, counter: number): Uint8Array {
  aesKeyOf('sEnc', sEnc);
  const block = counterBlock(counter);
  block[0] = 0x80;
  return aesEncryptBlock(sEnc, block);
}

/**
 * Amendment D §6.2.4: the full 16-byte C-MAC, AES-CMAC under S-MAC over the MAC chaining value ‖
 * the modified command (header with Lc incremented by the MAC length, CLA with the secure-messaging
 * bit, data after encryption). The first 8 bytes go on the wire (S8); the whole 16 become the
 * next chaining value.
 */
export function scp03CMac(sMac: Uint8Array, chainingValue16: Uint8Array, command: Uint8Array): Uint8Array {
  aesKeyOf('sMac', sMac);
  bytesOf('chainingValue', chainingValue16, 16);
  if (!(command instanceof Uint8Array)) bytesOf('command', command, 0);
  const input = new Uint8Array(16 + command.length);
  input.set(chainingValue16, 0);
  input.set(command, 16);
  return aesCmac(sMac, input);
}

/**
 * Amendment D §6.2.5: the full 16-byte R-MAC, AES-CMAC under S-RMAC over the chaining value (the
 * C-MAC of the command it answers) ‖ response data (after encryption) ‖ SW1 SW2.
 */
export function scp03RMac(sRmac: Uint8Array, chainingValue16: Uint8Array, responseAndSw: Uint8Array): Uint8Array {
  return scp03CMac(sRmac, chainingValue16, responseAndSw);
}
