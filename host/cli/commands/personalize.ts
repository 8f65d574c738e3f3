/**
 * `cardforge personalize PROFILE.yaml -o IMAGE`: validate a profile and write the card image it
 * describes (atomically; an existing image is replaced only with --force). Profile problems are
 * reported as file:line: field: expected form.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { loadProfileFile } from '../../profile/load.js';
import { personalizeCard } from '../../profile/personalize.js';
import { actorsFrom, demoSecrets, loadBackendKeys, randomSecrets, saveBackendKeys, type BackendActors } from '../../backend/actors.js';
import { saveImageFile } from '../../store/index.js';
import { bytesToHex } from '../../../card/runtime/index.js';

interface PersonalizeOptions {
  output?: string;
  force?: boolean;
  backendKeys?: string;
}

/** The issuers for payment/ledger sections: "demo" (fixed public keys), or a keys file (created when missing). */
function backendActors(spec: string | undefined, out: (l: string) => void): BackendActors | undefined {
  if (spec === undefined) return undefined;
  if (spec === 'demo') return actorsFrom(demoSecrets());
  if (!existsSync(spec)) {
    saveBackendKeys(spec, randomSecrets());
    out(`created ${spec}: new back-end keys (issuers, editor root, payment server) — keep this file secret`);
  }
  return actorsFrom(loadBackendKeys(spec));
}

export function registerPersonalize(program: Command, ctx: CliContext): void {
  program
    .command('personalize')
    .description('Personalize a card from a profile (YAML): write the emulator card image it describes')
    .argument('<profile>', 'profile file (see profiles/example-sim.yaml)')
    .option('-o, --output <image>', 'card image file to write')
    .option('--force', 'replace an existing image file')
    .option('--backend-keys <file|demo>', 'keys of the issuers that certify the payment/ledger applets (created when missing; "demo" = the fixed demo keys)')
    .addHelpText('after', '\nExamples:\n  cardforge personalize profiles/example-sim.yaml -o card.json\n  cardforge personalize profiles/example-seeds.yaml --backend-keys demo -o card.json')
    .action(async (file: string, opts: PersonalizeOptions) => {
      if (!opts.output) throw new CliError('USAGE', 'say where to write the card image: -o IMAGE', EXIT.USAGE);
      if (existsSync(opts.output) && !opts.force) throw new CliError('USAGE', `${opts.output} exists; use --force to replace it`, EXIT.USAGE);
      const profile = loadProfileFile(file);
      const card = await personalizeCard(profile, file, backendActors(opts.backendKeys, ctx.out));
      saveImageFile(opts.output, card);
      const extra = [profile.payment ? 'payment' : '', profile.ledger ? `${profile.ledger.mode} ledger` : ''].filter(Boolean);
      ctx.out(`wrote ${opts.output}: ${profile.personality} SIM, IMSI ${profile.imsi}, ${profile.auth.algorithm}/${profile.auth.gsm_algorithm}${extra.length ? ` + ${extra.join(' + ')}` : ''}, ATR ${bytesToHex(card.atr).toUpperCase()} (${card.protocol})`);
    });
}
