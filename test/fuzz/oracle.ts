/** The fuzz oracle now ships with cardforge/testing (host/testing/oracle.ts); re-exported for the suites here. */
export * from '../../host/testing/oracle.js';
