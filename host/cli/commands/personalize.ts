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
import { buildCard } from '../../profile/build.js';
import { saveImageFile } from '../../store/index.js';
import { bytesToHex } from '../../../card/runtime/index.js';

interface PersonalizeOptions {
  output?: string;
  force?: boolean;
}

export function registerPersonalize(program: Command, ctx: CliContext): void {
  program
    .command('personalize')
    .description('Personalize a card from a profile (YAML): write the emulator card image it describes')
    .argument('<profile>', 'profile file (see profiles/example-sim.yaml)')
    .option('-o, --output <image>', 'card image file to write')
    .option('--force', 'replace an existing image file')
    .addHelpText('after', '\nExample:\n  cardforge personalize profiles/example-sim.yaml -o card.json')
    .action((file: string, opts: PersonalizeOptions) => {
      if (!opts.output) throw new CliError('USAGE', 'say where to write the card image: -o IMAGE', EXIT.USAGE);
      if (existsSync(opts.output) && !opts.force) throw new CliError('USAGE', `${opts.output} exists; use --force to replace it`, EXIT.USAGE);
      const profile = loadProfileFile(file);
      const card = buildCard(profile, file);
      saveImageFile(opts.output, card);
      ctx.out(`wrote ${opts.output}: ${profile.personality} SIM, IMSI ${profile.imsi}, ${profile.auth.algorithm}/${profile.auth.gsm_algorithm}, ATR ${bytesToHex(card.atr).toUpperCase()} (${card.protocol})`);
    });
}
