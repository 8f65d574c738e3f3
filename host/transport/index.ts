/** host/transport: one Transport interface over the emulator, PC/SC readers and vpcd. Public face; re-exports only. */
export * from './types.js';
export * from './errors.js';
export * from './emulator.js';
export * from './t0.js';
export * from './command.js';
export * from './vpcd-framing.js';
export * from './vpcd-endpoint.js';
export * from './pcsc-loader.js';
export * from './pcsc.js';
