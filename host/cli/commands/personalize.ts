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
import { actorsFromOption, type BackendActors } from '../../backend/actors.js';
import { saveImageFile, withImageLock } from '../../store/index.js';
import { bytesToHex } from '../../../card/runtime/index.js';
import { addTargetOptions, openTarget, type TargetOptions } from '../target.js';
import { personalizationScript, personalizeOverApdu, renderScript } from '../../profile/apdu/run.js';
import { certificationNote } from '../../profile/apdu/applets.js';
import { ADAPTERS, adapterByName } from '../../profile/adapters/index.js';

interface PersonalizeOptions extends TargetOptions {
  output?: string;
  force?: boolean;
  backendKeys?: string;
  adm?: string;
  dryRun?: boolean;
  adapter?: string;
}

/** Over APDUs (issue 8): --reader / --card of a blank card, or --dry-run to print the script. */
async function personalizeOverCard(ctx: CliContext, file: string, opts: PersonalizeOptions): Promise<void> {
  const adapter = adapterByName(opts.adapter ?? 'cardforge');
  if (!adapter) throw new CliError('USAGE', `unknown adapter "${opts.adapter}"; adapters are: ${ADAPTERS.map((a) => a.name).join(', ')}`, EXIT.USAGE);
  if (opts.adm !== undefined && !/^(\d{8}|[0-9a-fA-F]{16})$/.test(opts.adm)) throw new CliError('USAGE', '--adm expected 8 digits or 16 hex digits', EXIT.USAGE);
  const profile = loadProfileFile(file);
  const actors = backendActors(opts.backendKeys, ctx.err);
  const o = { adapter, file, ...(opts.adm !== undefined ? { adm: opts.adm } : {}), ...(actors ? { actors } : {}) };
  for (const u of adapter.unsupported(profile)) ctx.err(`note: ${adapter.name} does not write ${u}`);
  if (opts.dryRun) {
    const script = personalizationScript(profile, o);
    ctx.out(`# ${adapter.name}: ${adapter.description}\n# secrets are masked (**)`);
    ctx.out(renderScript(script));
    for (const l of certificationNote(profile)) ctx.out(l);
    return;
  }
  const transport = openTarget(opts);
  try {
    await transport.connect();
    const r = await personalizeOverApdu(transport, profile, { ...o, onStep: (i, n, s) => ctx.err(`[${i + 1}/${n}] ${s.label}`) });
    const extra = [profile.wallet ? ' + e-wallet' : '', profile.payment ? ' + payment' : '', profile.ledger ? ` + ${profile.ledger.mode} ledger (keys generated on the card, certified)` : ''].join('');
    ctx.out(`personalized ${transport.name}: ${r.steps} steps (${r.adapter}), IMSI ${profile.imsi}${extra}${r.admTriesLeft !== undefined ? `, ADM1 tries left ${r.admTriesLeft}` : ''}`);
  } finally {
    await transport.close();
  }
}

/** The issuers for payment/ledger sections: "demo" (fixed public keys), or a keys file (created when missing). */
function backendActors(spec: string | undefined, out: (l: string) => void): BackendActors | undefined {
  return actorsFromOption(spec, { create: true, onCreate: (f) => out(`created ${f}: new back-end keys (issuers, editor root, payment server, wallet issuer) — keep this file secret`) });
}

export function registerPersonalize(program: Command, ctx: CliContext): void {
  addTargetOptions(
    program
      .command('personalize')
      .description('Personalize a card from a profile (YAML): write the emulator card image it describes (-o), or write it to a card over APDUs (--reader, or --card of a blank image)')
      .argument('<profile>', 'profile file (see profiles/example-sim.yaml)'),
  )
    .option('-o, --output <image>', 'card image file to write')
    .option('--adm <key>', "with --reader/--card: ADM1 to present (8 digits or 16 hex digits; default: the profile's pins.adm1)")
    .option('--dry-run', 'print the APDU script (secrets masked) and send nothing')
    .option('--adapter <name>', `with --reader/--card/--dry-run: card adapter (${ADAPTERS.map((a) => a.name).join(', ')})`, 'cardforge')
    .option('--force', 'replace an existing image file')
    .option('--backend-keys <file|demo>', 'keys of the issuers that certify the payment/ledger applets (created when missing; "demo" = the fixed demo keys)')
    .addHelpText('after', '\nExamples:\n  cardforge personalize profiles/example-sim.yaml -o card.json\n  cardforge personalize profiles/example-seeds.yaml --backend-keys demo -o card.json\n  cardforge image new --sim-blank --adm 12345678 -o blank.json && cardforge personalize profiles/example-sim.yaml --card blank.json\n  cardforge personalize profiles/example-sim.yaml --reader \'Virtual PCD 00 00\' --dry-run')
    .action(async (file: string, opts: PersonalizeOptions) => {
      if (opts.reader || opts.card || opts.dryRun) {
        if (opts.output) throw new CliError('USAGE', '-o writes an image offline; drop it when writing to a card (--reader/--card) or with --dry-run', EXIT.USAGE);
        return personalizeOverCard(ctx, file, opts);
      }
      if (!opts.output) throw new CliError('USAGE', 'say where to write the card image: -o IMAGE (or write to a card over APDUs: --reader NAME, --card BLANK_IMAGE)', EXIT.USAGE);
      if (existsSync(opts.output) && !opts.force) throw new CliError('USAGE', `${opts.output} exists; use --force to replace it`, EXIT.USAGE);
      const profile = loadProfileFile(file);
      const card = await personalizeCard(profile, file, backendActors(opts.backendKeys, ctx.out));
      // Locked: an image being served (emulate) or used by another command is not replaced under it.
      withImageLock(opts.output, 'cardforge personalize', () => saveImageFile(opts.output!, card));
      const extra = [profile.wallet ? 'e-wallet' : '', profile.payment ? 'payment' : '', profile.ledger ? `${profile.ledger.mode} ledger` : ''].filter(Boolean);
      ctx.out(`wrote ${opts.output}: ${profile.personality} SIM, IMSI ${profile.imsi}, ${profile.auth.algorithm}/${profile.auth.gsm_algorithm}${extra.length ? ` + ${extra.join(' + ')}` : ''}, ATR ${bytesToHex(card.atr).toUpperCase()} (${card.protocol})`);
    });
}
