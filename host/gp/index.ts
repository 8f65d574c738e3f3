/** host/gp: the host side of GlobalPlatform (SCP02/SCP03 on node:crypto, card management commands). Public face; re-exports only. */
export * from './errors.js';
export * from './keys.js';
export * from './session.js';
export { Scp02Channel, parseScp02InitResponse, scp02SessionKeys } from './scp02.js';
export { Scp03Channel, parseScp03InitResponse, scp03SessionKeys, scp03Kdf } from './scp03.js';
export * from './data.js';
export * from './commands.js';
export * from './info.js';
