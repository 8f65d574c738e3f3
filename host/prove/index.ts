/** host/prove: protocol suites against any Transport. Public face; re-exports only. */
export * from './types.js';
export * from './runner.js';
export * from './report.js';
export * from './suites/index.js';
