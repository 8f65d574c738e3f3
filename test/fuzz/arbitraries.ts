/** The APDU arbitraries now ship with cardforge/testing (host/testing/arbitraries.ts); re-exported for the suites here. */
export * from '../../host/testing/arbitraries.js';
