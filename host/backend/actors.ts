/**
 * The back-end actors of a card programme and their keys: the payment issuer CA and the
 * authentication server (payment applet), the ledger issuer, the software editors' root key, the
 * ledger payment server and the e-wallet issuer (seed 000: signs the wallet's reloads). Their secrets live in a backend-keys file (JSON, mode 0600), never in
 * a profile or a card image; personalization needs the issuers to certify the keys cards generate.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { sha256 } from '../../card/algorithms/index.js';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { IssuerCA, AuthenticationServer } from './payment/index.js';
import { LedgerIssuer, OfferSigner, SigningKey } from './ledger/index.js';
import { WalletIssuer } from './wallet/index.js';
import { writeFileAtomic } from '../store/index.js';
import { CardforgeError } from '../errors.js';

const NAMES = ['payment_ca', 'auth_server', 'ledger_issuer', 'editor_root', 'ledger_server'] as const;
/**
 * Keys added after the first files were written (issue 18: the e-wallet issuer): new files always
 * carry them; a file from before has none, and the actor is then absent (the wallet's LOAD checks
 * say so) rather than the whole file refused.
 */
const LATER_NAMES = ['wallet_issuer'] as const;
type KeyName = (typeof NAMES)[number];
export type BackendSecrets = Record<KeyName, Uint8Array> & Partial<Record<(typeof LATER_NAMES)[number], Uint8Array>>;

export interface BackendActors {
  readonly paymentIssuer: IssuerCA;
  readonly authServer: AuthenticationServer;
  readonly ledgerIssuer: LedgerIssuer;
  readonly editorRoot: OfferSigner;
  readonly ledgerServerKey: SigningKey;
  /** Signs the e-wallet's reloads; absent with a backend-keys file written before it existed. */
  readonly walletIssuer?: WalletIssuer;
}

export class BackendKeysError extends CardforgeError<'BACKEND_KEYS_INVALID'> {
  constructor(
    readonly file: string,
    message: string,
    hint = 'A backend-keys file is written by "cardforge personalize PROFILE --backend-keys FILE" when FILE does not exist yet; restore this one from its backup (the cards it certified need the same issuers)',
  ) {
    super('BACKEND_KEYS_INVALID', `${file}: ${message}. ${hint}`);
    this.name = 'BackendKeysError';
  }
}

export function actorsFrom(secrets: BackendSecrets, now: () => number = Date.now): BackendActors {
  const paymentIssuer = new IssuerCA({ secretKey: secrets.payment_ca, now });
  return {
    paymentIssuer,
    authServer: new AuthenticationServer({ issuerPublicKey: paymentIssuer.publicKey, secretKey: secrets.auth_server, encryptionKey: sha256(secrets.auth_server), now }),
    ledgerIssuer: new LedgerIssuer(SigningKey.fromSecret(secrets.ledger_issuer)),
    editorRoot: new OfferSigner(SigningKey.fromSecret(secrets.editor_root)),
    ledgerServerKey: SigningKey.fromSecret(secrets.ledger_server),
    ...(secrets.wallet_issuer ? { walletIssuer: new WalletIssuer(SigningKey.fromSecret(secrets.wallet_issuer)) } : {}),
  };
}

/** Fixed, public demo keys (the demo and the bundled example profile): never for real cards. */
export function demoSecrets(): BackendSecrets {
  const s = {} as BackendSecrets;
  for (const n of [...NAMES, ...LATER_NAMES]) s[n] = sha256(new TextEncoder().encode(`cardforge demo ${n}`));
  return s;
}

export function randomSecrets(): BackendSecrets {
  const s = {} as BackendSecrets;
  for (const n of [...NAMES, ...LATER_NAMES]) s[n] = globalThis.crypto.getRandomValues(new Uint8Array(32));
  return s;
}

export function saveBackendKeys(file: string, secrets: BackendSecrets): void {
  const json = { format: 'cardforge-backend-keys', version: 1, ...Object.fromEntries([...NAMES, ...LATER_NAMES].flatMap((n) => (secrets[n] ? [[n, bytesToHex(secrets[n])]] : []))) };
  const dir = dirname(file);
  const where = isDirectory(dir) ? undefined : `its directory ${dir} does not exist`;
  const hint = `Create the directory first, or pass --backend-keys a file path in an existing directory (it is created there), or "demo"`;
  if (where) throw new BackendKeysError(file, `cannot create the backend-keys file: ${where}`, hint);
  try {
    writeFileAtomic(file, JSON.stringify(json, null, 2) + '\n');
  } catch (e) {
    throw new BackendKeysError(file, `cannot create the backend-keys file (${(e as { code?: string }).code ?? (e as Error).message})`, 'Check that its directory is writable, or pass --backend-keys another file path, or "demo"');
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function loadBackendKeys(file: string): BackendSecrets {
  if (!existsSync(file)) throw new BackendKeysError(file, 'no such backend-keys file (prove needs the file personalize used, or "demo")');
  if (isDirectory(file)) throw new BackendKeysError(file, 'is a directory, not a backend-keys file', `Pass --backend-keys the path of the JSON file (e.g. ${file.replace(/\/+$/, '')}/backend-keys.json, created when missing), or "demo"`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BackendKeysError(file, `not valid JSON (${(e as Error).message})`);
  }
  if (raw.format !== 'cardforge-backend-keys') throw new BackendKeysError(file, 'field format: expected "cardforge-backend-keys"');
  const s = {} as BackendSecrets;
  for (const n of NAMES) {
    const v = raw[n];
    if (typeof v !== 'string' || !/^[0-9a-fA-F]{64}$/.test(v)) throw new BackendKeysError(file, `field ${n}: expected 64 hex digits (a 32-byte P-256 secret)`);
    s[n] = hexToBytes(v);
  }
  for (const n of LATER_NAMES) {
    const v = raw[n];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !/^[0-9a-fA-F]{64}$/.test(v)) throw new BackendKeysError(file, `field ${n}: expected 64 hex digits (a 32-byte P-256 secret)`);
    s[n] = hexToBytes(v);
  }
  return s;
}

/**
 * The actors a `--backend-keys FILE|demo` option names: "demo" for the fixed demo keys, else the
 * file; with `create`, a missing file is made with fresh keys (`onCreate` is told).
 */
export function actorsFromOption(spec: string | undefined, opts: { create?: boolean; onCreate?: (file: string) => void } = {}): BackendActors | undefined {
  if (spec === undefined) return undefined;
  if (spec === 'demo') return actorsFrom(demoSecrets());
  if (opts.create && !existsSync(spec)) {
    saveBackendKeys(spec, randomSecrets());
    opts.onCreate?.(spec);
  }
  return actorsFrom(loadBackendKeys(spec));
}
