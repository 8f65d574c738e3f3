/**
 * The backend-keys file: saved with mode 0600 and loaded back to the same issuers; a missing,
 * foreign or damaged file is a BackendKeysError naming the file and the field, and saying how
 * such a file comes to exist.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actorsFrom, actorsFromOption, BackendKeysError, loadBackendKeys, randomSecrets, saveBackendKeys, demoSecrets } from '../../host/backend/actors.js';
import { bytesToHex } from '../../card/runtime/bytes.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('cf-keys-');

function errorOf(file: string): BackendKeysError {
  try {
    loadBackendKeys(file);
  } catch (e) {
    expect(e).toBeInstanceOf(BackendKeysError);
    return e as BackendKeysError;
  }
  throw new Error('expected an error');
}

describe('backend keys file', () => {
  it('round trip: the same issuers, file readable by its owner only', () => {
    const file = join(dir, 'keys.json');
    const secrets = randomSecrets();
    saveBackendKeys(file, secrets);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const back = actorsFrom(loadBackendKeys(file));
    expect(bytesToHex(back.ledgerIssuer.publicKey)).toBe(bytesToHex(actorsFrom(secrets).ledgerIssuer.publicKey));
    expect(bytesToHex(back.paymentIssuer.publicKey)).toBe(bytesToHex(actorsFrom(secrets).paymentIssuer.publicKey));
    expect(bytesToHex(actorsFrom(demoSecrets()).editorRoot.publicKey)).not.toBe(bytesToHex(back.editorRoot.publicKey));
  });

  it('the wallet issuer (issue 18): saved and loaded back; a file written before it has none (the actor is absent, the file still loads); a damaged one is named', () => {
    const file = join(dir, 'with-wallet.json');
    const secrets = randomSecrets();
    saveBackendKeys(file, secrets);
    expect(bytesToHex(actorsFrom(loadBackendKeys(file)).walletIssuer!.publicKey)).toBe(bytesToHex(actorsFrom(secrets).walletIssuer!.publicKey));
    expect(bytesToHex(actorsFrom(demoSecrets()).walletIssuer!.publicKey)).not.toBe(bytesToHex(actorsFrom(secrets).walletIssuer!.publicKey));
    const old = join(dir, 'before-wallet.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete json['wallet_issuer'];
    writeFileSync(old, JSON.stringify(json));
    const back = actorsFrom(loadBackendKeys(old));
    expect(back.walletIssuer).toBeUndefined();
    expect(bytesToHex(back.ledgerIssuer.publicKey)).toBe(bytesToHex(actorsFrom(secrets).ledgerIssuer.publicKey));
    writeFileSync(old, JSON.stringify({ ...json, wallet_issuer: 'xyz' }));
    expect(errorOf(old).message).toMatch(/before-wallet\.json: field wallet_issuer: expected 64 hex digits/);
  });

  it('missing, foreign and damaged files name the file, the field and the way out', () => {
    expect(errorOf(join(dir, 'none.json')).message).toMatch(/none\.json: no such backend-keys file .*"demo"\)\. A backend-keys file is written by "cardforge personalize PROFILE --backend-keys FILE"/);
    const foreign = join(dir, 'foreign.json');
    writeFileSync(foreign, '{}');
    expect(errorOf(foreign).message).toMatch(/foreign\.json: field format: expected "cardforge-backend-keys"/);
    const broken = join(dir, 'broken.json');
    saveBackendKeys(broken, randomSecrets());
    writeFileSync(broken, readFileSync(broken, 'utf8').replace(/"ledger_issuer": "[0-9a-f]+"/, '"ledger_issuer": "abc"'));
    expect(errorOf(broken).message).toMatch(/broken\.json: field ledger_issuer: expected 64 hex digits/);
    const garbled = join(dir, 'garbled.json');
    writeFileSync(garbled, '{"format":');
    expect(errorOf(garbled).message).toMatch(/garbled\.json: not valid JSON/);
  });

  it('a file in a missing directory, or a directory, is a BackendKeysError naming the backend-keys file and the way out', () => {
    const missing = join(dir, 'no-such-dir', 'keys.json');
    let err: unknown;
    try {
      actorsFromOption(missing, { create: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BackendKeysError);
    expect((err as Error).message).toBe(`${missing}: cannot create the backend-keys file: its directory ${join(dir, 'no-such-dir')} does not exist. Create the directory first, or pass --backend-keys a file path in an existing directory (it is created there), or "demo"`);
    expect(existsSync(missing)).toBe(false);
    const sub = join(dir, 'a-dir');
    mkdirSync(sub);
    const m = errorOf(sub).message;
    expect(m).toBe(`${sub}: is a directory, not a backend-keys file. Pass --backend-keys the path of the JSON file (e.g. ${sub}/backend-keys.json, created when missing), or "demo"`);
    expect(m).not.toMatch(/JSON \(|EISDIR|card image/);
    expect(() => actorsFromOption(sub, { create: true })).toThrow(/a-dir: is a directory, not a backend-keys file/);
  });
});
