/** card/algorithms: pure authentication algorithms of the SIM and USIM (public face; re-exports only). */

export type { AkaFunctions, AkaOutput, F1Output, F2345Output, GsmAuthOutput } from './types.js';
export { aes128Encrypt, aes128EncryptInto, aes128EncryptWords, aes128ExpandKey, aes128KeyCached, type Aes128Key } from './aes128.js';
export { aesCmac, cmacSubkeys } from './aes-cmac.js';
export { aes128Ctr } from './aes-ctr.js';
export { aesDecryptBlock, aesDecryptCbc, aesEncryptBlock, aesEncryptCbc, aesExpandKey, type AesKey } from './aes.js';
export {
  desDecryptBlock,
  desEncryptBlock,
  fullTdesMac,
  pad80,
  retailMac,
  tdesDecryptCbc,
  tdesDecryptEcb,
  tdesEncryptCbc,
  tdesEncryptEcb,
  unpad80,
} from './des.js';
export {
  GP_KEY_TYPE,
  SCP02_DERIVATION,
  SCP03_DERIVATION,
  gpKeyCheckValue,
  kdfCounterAesCmac,
  scp02CardCryptogram,
  scp02HostCryptogram,
  scp02IcvEncrypt,
  scp02SessionKey,
  scp03CMac,
  scp03CommandIcv,
  scp03Cryptogram,
  scp03Kdf,
  scp03PseudoRandomCardChallenge,
  scp03RMac,
  scp03ResponseIcv,
  scp03SessionKeys,
  type Scp03SessionKeys,
} from './gp-scp.js';
export {
  computeOpc,
  f1,
  f1star,
  f2,
  f2345,
  f3,
  f4,
  f5,
  f5star,
  AUTN_SCRATCH,
  kernelF1,
  kernelF2345,
  kernelOpenAutnAt,
  kernelOpenAutnInto,
  kernelF5star,
  kernelMilenage,
  kernelTemp,
  milenage,
  milenageAka,
  milenageKernel,
  resolveOpc,
  type MilenageKernel,
  type MilenageOutput,
  type OperatorVariant,
} from './milenage.js';
export { c2, c3, c4, c5 } from './conversion.js';
export { gsmMilenage, type SresDerivation } from './gsm-milenage.js';
export { comp128v1 } from './comp128v1.js';
export { comp128v2, comp128v3 } from './comp128v23.js';
export { xor2g } from './xor-2g.js';
export { xor3g, xor3gAka, xor3gF1, xor3gF2345 } from './xor-3g.js';
export { AUTN_LENGTH, generateAuthVector, openAutn, type AuthVector, type OpenedAutn } from './aka.js';
export { AUTS_LENGTH, buildAuts, openAuts, type OpenedAuts } from './auts.js';
export {
  SQN_BITS,
  SQN_DEFAULT_PARAMS,
  SQN_REJECT,
  checkPackedSqn,
  decidePackedSqn,
  packedSqnMs,
  checkSqnFreshness,
  checkSqnParams,
  sqnFromBytes,
  sqnInitialState,
  sqnJoin,
  sqnMs,
  sqnSplit,
  sqnToBytes,
  type SqnParams,
  type SqnRejectReason,
  type SqnState,
  type SqnVerdict,
  type PackedSqnVerdict,
} from './sqn.js';
export * from './sha256.js';
export {
  P256_ORDER,
  PUBLIC_KEY_LENGTH,
  SECRET_KEY_LENGTH,
  SIGNATURE_LENGTH,
  bigToBytes,
  bytesToBig,
  isValidPublicKey,
  keygen as p256Keygen,
  publicKeyOf,
  scalarFromSeed,
  sharedSecret,
  sign as p256Sign,
  signDigest,
  signDigestWith,
  type SignOps,
  verify as p256Verify,
  verifyDigest,
} from './p256.js';
export { PURE_CRYPTO, cryptoOf } from './provider.js';
