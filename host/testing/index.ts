/**
 * cardforge/testing: what a team needs to test its own applets with the emulator in process —
 * withCard (a powered, deterministic card with hex in and out), tearSweep (every persistent write
 * of a command torn), fuzz (the oracle over random and guided sessions), and golden transcripts.
 */
export { tearSweep, type TearPoint, type TearSweepResult } from '../../card/runtime/index.js';
export { fuzz, type FuzzOptions, type FuzzReport } from './fuzz.js';
export { SessionChecker, FuzzViolation, isErrorSw, type Violation } from './oracle.js';
export { parseTranscript, formatTranscript, runTranscript, type Exchange, type TranscriptMismatch } from './transcript.js';
export { withCard, type TestCard, type WithCardOptions } from './with-card.js';
