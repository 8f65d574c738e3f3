/**
 * host/store/inspect.ts on cards built in process: the e-wallet's purse (no profile in profiles/
 * has a wallet section, so the CLI tests do not reach it), and what is never in a view: the
 * wallet's private key, the SIM keys and PIN values (serialized JSON scanned).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SeededRng, VirtualClock, bytesToHex } from '../../card/runtime/index.js';
import { serializeImage } from '../../card/image/index.js';
import { loadProfileFile } from '../../host/profile/load.js';
import { personalizeCard } from '../../host/profile/personalize.js';
import { walletProfileSchema } from '../../host/profile/wallet.js';
import { inspectCard, renderImageView } from '../../host/store/inspect.js';
import { REPO } from '../cli/built-cli.js';
import { EUR, ISSUER, WALLET_ID } from '../applets/wallet/fixture.js';

describe('image view (inspectCard)', () => {
  it('a SIM + e-wallet card: the purse and its counters, the PINs; no private key, Ki, OPc or PIN value', async () => {
    const file = join(REPO, 'profiles/example-sim.yaml');
    const base = loadProfileFile(file);
    const wallet = walletProfileSchema.parse({ wallet_id: bytesToHex(WALLET_ID), currency: EUR, threshold: 300, max_balance: 2_000, initial_balance: 400, issuer_key: bytesToHex(ISSUER.publicKey) });
    const card = await personalizeCard({ ...base, wallet }, file, undefined, { rng: new SeededRng('inspect-wallet'), clock: new VirtualClock() });
    const view = inspectCard(card, { files: false });
    const w = view.applets.find((a) => a.type === 'cardforge.wallet')!.wallet!;
    expect(w).toMatchObject({ walletId: bytesToHex(WALLET_ID), currency: EUR, balance: 400, maxBalance: 2_000, threshold: 300, transactions: 0, loads: 0, receiptPending: false, last: null });
    expect(w.publicKey).toMatch(/^04[0-9a-f]{128}$/);
    const sim = view.applets.find((a) => a.sim)!.sim!;
    expect(sim.files).toBeNull();
    expect(sim.pins.map((p) => `${p.name} ${p.triesLeft}/${p.maxTries}`)).toEqual(['PIN1 (CHV1) 3/3', 'PUK1 (UNBLOCK CHV1) 10/10', 'PIN2 (CHV2) 3/3', 'PUK2 (UNBLOCK CHV2) 10/10', 'ADM1 3/3']);
    const text = renderImageView(view, 'w.json').join('\n');
    expect(text).toContain(`wallet ${bytesToHex(WALLET_ID)}, currency ${EUR}: purse 400 of max 2000 (pays up to 300)`);
    // Every secret cell of the image, by its value.
    const img = JSON.parse(serializeImage(card)) as { applets: { type: string; fields: Record<string, string> }[] };
    const walletFields = img.applets.find((a) => a.type === 'cardforge.wallet')!.fields;
    const simFields = img.applets.find((a) => a.type === 'cardforge.sim')!.fields;
    const secrets = [walletFields['privateKey']!, simFields['sim/ki']!, simFields['sim/opc']!, ...['chv1', 'chv2', 'puk1', 'puk2', 'adm1'].map((p) => simFields[`sim/${p}/value`]!.replace(/(ff)+$/, ''))];
    const all = JSON.stringify(inspectCard(card)) + renderImageView(inspectCard(card), 'w.json').join('\n');
    for (const s of secrets) expect(all.toLowerCase(), s.slice(0, 6)).not.toContain(s);
  });
});
