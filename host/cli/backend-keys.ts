/**
 * `--backend-keys FILE|demo` for personalize and `profile keys`: the back end whose issuers
 * certify the payment / ledger applets. A FILE that does not exist yet gets fresh keys made in
 * memory (`pending`); the caller writes it with commit() only once nothing can be refused any
 * more, so a failed personalization leaves no keys file behind.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { actorsFrom, actorsFromOption, BackendKeysError, randomSecrets, saveBackendKeys, type BackendActors, type BackendSecrets } from '../backend/actors.js';
import type { Profile } from '../profile/schema.js';

export interface BackendChoice {
  /** What --backend-keys said (undefined: not given). */
  readonly spec?: string;
  readonly actors?: BackendActors;
  /** A new keys file, not yet on disk. */
  readonly pending?: { readonly file: string; readonly secrets: BackendSecrets };
  /** Writes the pending file (mode 0600, atomic) and says so on `say`. */
  commit(say: (line: string) => void): void;
}

const NOTHING = (): void => undefined;

/**
 * The back end --backend-keys names. With `profile` given and no payment/ledger section in it,
 * a missing FILE is not created (nothing needs it).
 */
export function backendChoice(spec: string | undefined, profile?: Profile): BackendChoice {
  if (spec === undefined) return { commit: NOTHING };
  if (spec === 'demo' || existsSync(spec)) return { spec, actors: actorsFromOption(spec), commit: NOTHING };
  if (profile && !profile.payment && !profile.ledger) return { spec, commit: NOTHING };
  const dir = dirname(spec);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    /* missing */
  }
  if (!isDir) throw new BackendKeysError(spec, `cannot create the backend-keys file: its directory ${dir} does not exist`, 'Create the directory first, or pass --backend-keys a file path in an existing directory (it is created there), or "demo"');
  const secrets = randomSecrets();
  const pending = { file: spec, secrets };
  return {
    spec,
    actors: actorsFrom(secrets),
    pending,
    commit(say) {
      // Checked again: a file that appeared meanwhile is someone's keys, never replaced.
      if (existsSync(spec)) throw new BackendKeysError(spec, 'appeared while personalizing; nothing was written', 'Run the command again: it then uses that file');
      saveBackendKeys(spec, secrets);
      say(`created ${spec}: new back-end keys (issuers, editor root, payment server, wallet issuer) — keep this file secret`);
    },
  };
}
