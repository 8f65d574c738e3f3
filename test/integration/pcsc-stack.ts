/**
 * Test helper: a private pcscd with a vpcd reader (scripts/pcsc/stack.ts) and emulator endpoints
 * served into its slots. Decides, once per test file, whether the PC/SC suite runs: with CI=true
 * it always runs (a missing stack fails the tests, with the reason); locally it is skipped with
 * the reason in the suite title, never silently.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Card, buildAtr } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { listReaders, VpcdEndpoint, type VpcdCard, type VpcdEndpointOptions } from '../../host/transport/index.js';
import { missingRequirements, startPcscStack, type PcscStack, type StartOptions } from '../../scripts/pcsc/stack.js';

function smartcardMissing(): string | undefined {
  try {
    // smartcard's "exports" hide package.json: resolve the entry (dist/lib/index.js) and walk up.
    const root = dirname(dirname(dirname(createRequire(import.meta.url).resolve('smartcard'))));
    if (!existsSync(join(root, 'build/Release/smartcard_napi.node'))) return 'the smartcard addon is not built (npm rebuild smartcard)';
    return undefined;
  } catch {
    return 'the optional dependency smartcard is not installed (needs libpcsclite-dev at npm ci)';
  }
}

function whyUnavailable(): string | undefined {
  const missing = missingRequirements().map((r) => `${r.what} (${r.debianPackage})`);
  const sc = smartcardMissing();
  if (sc) missing.push(sc);
  return missing.length ? `missing: ${missing.join(', ')}` : undefined;
}

const reason = whyUnavailable();
const mandatory = process.env['CI'] === 'true';
/** True when the PC/SC suites must be skipped (only outside CI). */
export const skipPcsc = reason !== undefined && !mandatory;
/** Suffix for suite titles: says why a suite is skipped. */
export const pcscSuiteNote = skipPcsc ? ` [SKIPPED: PC/SC stack unavailable — ${reason}; CI=true makes this mandatory]` : '';

/** Start the stack; PC/SC calls in this process are pointed at it (libpcsclite reads the socket
 * name once per process, so one stack per test file). */
export async function startStack(opts: StartOptions = {}): Promise<PcscStack> {
  // Missing Debian packages are installed by the stack script when root; a missing addon is fatal.
  const sc = smartcardMissing();
  if (sc) throw new Error(`PC/SC integration tests are mandatory with CI=true, but ${sc}`);
  const stack = await startPcscStack(opts);
  process.env['PCSCLITE_CSOCK_NAME'] = stack.socket;
  return stack;
}

export function loopbackCard(protocol: 0 | 1 = 1): Card {
  const card = new Card({ atr: buildAtr([protocol], new TextEncoder().encode('cardforge')) });
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  return card;
}

/** Serve `card` in a slot and wait until pcscd reports the card present. */
export async function serve(stack: PcscStack, card: VpcdCard, slot = 0, opts: VpcdEndpointOptions = {}): Promise<VpcdEndpoint> {
  const ep = new VpcdEndpoint(card, { port: stack.port + slot, backoffMs: 50, maxBackoffMs: 200, ...opts });
  await ep.start();
  await waitForCard(stack.readerName(slot), true);
  return ep;
}

/** Wait until the reader shows (or no longer shows) a card; pcscd polls vpcd every 400 ms. */
export async function waitForCard(reader: string, present: boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = (await listReaders()).find((x) => x.name === reader);
    if (r && r.cardPresent === present && !r.mute) return;
    if (Date.now() > deadline) throw new Error(`reader "${reader}" did not ${present ? 'show a card' : 'become empty'} within ${timeoutMs} ms (state: ${JSON.stringify(r)})`);
    await new Promise((res) => setTimeout(res, 50));
  }
}
