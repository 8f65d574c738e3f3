/** apdu-specs: the declarations of every command and status word. Data only. */
export * from './types.js';
export * from './status-words.js';
export * from './iso7816.js';
export * from './loopback.js';
