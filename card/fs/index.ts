/** card/fs: the declared file system (public face; re-exports only). */
export * from './types.js';
export * from './codecs.js';
export * from './tree.js';
export * from './store.js';
export * from './responses.js';
export * from './services.js';
export { DF_GSM, DF_GSM_FILES, DF_TELECOM, GSM_MANDATORY } from './ts51011.js';
export { ADF_USIM_FILES, DF_GSM_ACCESS, EF_ARR_USIM, USIM_MANDATORY, adfUsim } from './ts31102.js';
export { EF_ARR, EF_DIR, EF_ICCID, EF_PL, EF_UMPC, MF_MANDATORY, UICC_ONLY_EFS, masterFile } from './ts102221.js';
export * from './data.js';
export * from './fcp.js';
export * from './security.js';
export { EF_CODECS, codecOf, keyName, type EfCodec, type EfCodecName } from './ef-codecs.js';
