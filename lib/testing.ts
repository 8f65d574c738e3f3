/** `cardforge/testing`: withCard, tearSweep, fuzz (with its oracle) and golden transcripts for your own tests. */
export * from '../host/testing/index.js';
