/**
 * `cardforge profile keys [PROFILE] --backend-keys FILE|demo`: the back end's public keys a
 * profile's payment / ledger sections take, as profile lines to paste (pinning the profile to that
 * back end) — or, with PROFILE, whether the keys it pins match. Only public keys are printed.
 * Registered beside `personalize` (registerPersonalize), whose --backend-keys it explains.
 */
import type { Command } from 'commander';
import { bytesToHex } from '../../../card/runtime/index.js';
import { loadProfileFile } from '../../profile/load.js';
import { LEDGER_KEY_FIELDS, ledgerKeysOf } from '../../profile/ledger.js';
import type { Profile } from '../../profile/schema.js';
import type { BackendActors } from '../../backend/actors.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { emitJson } from '../json/convention.js';
import { PROFILE_KEYS_JSON } from '../json/outputs.js';
import { backendChoice } from '../backend-keys.js';

interface KeyLine {
  section: 'ledger' | 'payment' | 'wallet';
  /** The profile key, or undefined for a key no profile field holds. */
  key?: string;
  who: string;
  publicKey: Uint8Array;
  /** What the profile has, when one was given and the key is a profile field. */
  profile: 'matches' | 'differs' | 'absent' | null;
}

function keyLines(actors: BackendActors, profile: Profile | undefined): KeyLine[] {
  const out: KeyLine[] = [];
  const state = (v: string | undefined, pub: Uint8Array): KeyLine['profile'] => (profile === undefined ? null : v === undefined ? 'absent' : v.toLowerCase() === bytesToHex(pub) ? 'matches' : 'differs');
  if (!profile || profile.ledger) {
    const keys = ledgerKeysOf(actors);
    for (const f of LEDGER_KEY_FIELDS) out.push({ section: 'ledger', key: f.field, who: f.who, publicKey: keys[f.key], profile: state(profile?.ledger?.[f.field], keys[f.key]) });
  }
  if (!profile || profile.payment) {
    out.push({ section: 'payment', key: 'auth_server_public_key', who: 'the authentication server', publicKey: actors.authServer.publicKey, profile: state(profile?.payment?.auth_server_public_key, actors.authServer.publicKey) });
    out.push({ section: 'payment', who: 'the payment issuer CA (no profile field: written to the card from --backend-keys)', publicKey: actors.paymentIssuer.publicKey, profile: null });
  }
  if ((!profile || profile.wallet) && actors.walletIssuer) {
    const pub = actors.walletIssuer.publicKey;
    out.push({ section: 'wallet', key: 'issuer_key', who: 'the wallet issuer', publicKey: pub, profile: state(profile?.wallet?.issuer_key, pub) });
  }
  return out;
}

export function registerProfile(program: Command, ctx: CliContext): void {
  const profile = program.command('profile').description('Work with personalization profiles (YAML)');
  profile
    .command('keys')
    .description("Print the back end's public keys a profile's payment/ledger/wallet sections take, as profile lines (no secret); with PROFILE, say whether the keys it pins match")
    .argument('[profile]', 'profile file: only its sections, and whether its pinned keys match')
    .option('--backend-keys <file|demo>', 'the back end: a backend-keys file (as personalize writes it) or "demo"')
    .option('--create', 'create the backend-keys file with fresh keys when it does not exist')
    .option('--json', 'print the keys as JSON (docs/json.md)')
    .addHelpText('after', '\nExamples:\n  cardforge profile keys --backend-keys demo\n  cardforge profile keys profiles/example-seeds.yaml --backend-keys keys.json')
    .action((file: string | undefined, opts: { backendKeys?: string; create?: boolean; json?: boolean }) => {
      if (opts.backendKeys === undefined) throw new CliError('USAGE', 'say which back end: --backend-keys FILE (the file personalize used or will use) or --backend-keys demo', EXIT.USAGE);
      const p = file !== undefined ? loadProfileFile(file) : undefined;
      const choice = backendChoice(opts.backendKeys);
      if (choice.pending && !opts.create) {
        throw new CliError('USAGE', `${opts.backendKeys}: no such backend-keys file; personalize creates it (--backend-keys ${opts.backendKeys}), or pass --create to make it now`, EXIT.USAGE);
      }
      choice.commit(ctx.err);
      const lines = keyLines(choice.actors!, p);
      if (opts.json) {
        emitJson(ctx, PROFILE_KEYS_JSON, { backendKeys: opts.backendKeys, keys: lines.map((l) => ({ field: l.key ? `${l.section}.${l.key}` : `(${l.section} issuer CA)`, who: l.who, publicKey: bytesToHex(l.publicKey), profile: l.profile })) });
        return;
      }
      if (p && lines.length === 0) {
        ctx.out(`# ${file} has no payment, ledger or wallet section: it needs no back-end keys`);
        return;
      }
      ctx.out(`# public keys of the back end ${opts.backendKeys === 'demo' ? '"demo" (fixed, public demo keys)' : opts.backendKeys}${file ? ` for ${file}` : ''}; profile lines to pin them (optional: absent keys are taken from --backend-keys)`);
      for (const section of ['ledger', 'payment', 'wallet'] as const) {
        const ls = lines.filter((l) => l.section === section);
        if (!ls.length) continue;
        ctx.out(`${section}:`);
        for (const l of ls) {
          const note = l.profile === 'matches' ? '   # the profile has this' : l.profile === 'differs' ? '   # the profile has ANOTHER key: personalize with this back end refuses it' : l.profile === 'absent' ? '   # not in the profile: taken from --backend-keys' : '';
          ctx.out(l.key ? `  ${l.key}: "${bytesToHex(l.publicKey)}"${note}` : `  # ${l.who}: ${bytesToHex(l.publicKey)}`);
        }
      }
    });
}
