/**
 * `cardforge personalize PROFILE.yaml -o IMAGE`: validate a profile and write the card image it
 * describes (atomically; an existing image is replaced only with --force), or write it to a card
 * over APDUs (--reader / --card BLANK), or print that script (--dry-run). Profile problems are
 * reported as file:line: field: expected form.
 *
 * --backend-keys FILE that does not exist yet: the back end's keys are made in memory, and the
 * file is written only when personalization succeeded (offline: just before the image; over
 * APDUs: before the first applet block reaches the card, removed again if the run stops at or before
 * that). A refused run leaves no keys file behind.
 */
import { existsSync, unlinkSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { loadProfileFile } from '../../profile/load.js';
import { personalizeCard } from '../../profile/personalize.js';
import { saveImageFile, withImageLock } from '../../store/index.js';
import { bytesToHex } from '../../../card/runtime/index.js';
import { addTargetOptions, openTarget, type TargetOptions } from '../target.js';
import { PersonalizeError, personalizationScript, personalizeOverApdu, renderScript } from '../../profile/apdu/run.js';
import { certificationNote } from '../../profile/apdu/applets.js';
import { ADAPTERS, adapterByName } from '../../profile/adapters/index.js';
import type { Profile } from '../../profile/schema.js';
import { emitJson } from '../json/convention.js';
import { PERSONALIZE_JSON } from '../json/outputs.js';
import { backendChoice, type BackendChoice } from '../backend-keys.js';
import { registerProfile } from './profile.js';

interface PersonalizeOptions extends TargetOptions {
  output?: string;
  force?: boolean;
  backendKeys?: string;
  adm?: string;
  dryRun?: boolean;
  adapter?: string;
  json?: boolean;
}

function appletNames(profile: Profile): string[] {
  return [profile.wallet ? 'e-wallet' : '', profile.payment ? 'payment' : '', profile.ledger ? `${profile.ledger.mode} ledger` : ''].filter(Boolean);
}

function backendJson(b: BackendChoice): { source: 'demo' | 'file'; file: string | null; created: boolean } | null {
  if (!b.spec || !b.actors) return null;
  return b.spec === 'demo' ? { source: 'demo', file: null, created: false } : { source: 'file', file: b.spec, created: b.pending !== undefined };
}

/** Removes a keys file this run wrote (the run failed before a card depended on it). */
function dropKeys(b: BackendChoice, written: boolean, err: (l: string) => void): void {
  if (!b.pending || !written) return;
  try {
    unlinkSync(b.pending.file);
    err(`removed ${b.pending.file}: personalization failed before any card held its keys`);
  } catch {
    /* gone already */
  }
}

/**
 * The refused ADM: how to present the key by hand (the APDU with a placeholder, never the key), so
 * an engineer can check the key against the card's answer before spending another try here.
 */
export function admByHandHint(profile: Profile, opts: Pick<TargetOptions, 'card' | 'reader'>): string {
  const target = opts.card !== undefined ? `--card ${JSON.stringify(opts.card)}` : `--reader ${JSON.stringify(opts.reader ?? 'READER')}`;
  const cla = profile.personality === 'classic' ? 'A0' : '00';
  return `to present ADM1 by hand: cardforge send ${target} "${cla} 20 00 0A 08 <ADM1 as 16 hex digits: an 8-digit key in ASCII, digit d → 3d>" (9000 = right key, 63Cx = wrong with x tries left), then rerun with --adm KEY`;
}

/** Over APDUs (issue 8): --reader / --card of a blank card, or --dry-run to print the script. */
async function personalizeOverCard(ctx: CliContext, file: string, opts: PersonalizeOptions): Promise<void> {
  const adapter = adapterByName(opts.adapter ?? 'cardforge');
  if (!adapter) throw new CliError('USAGE', `unknown adapter "${opts.adapter}"; adapters are: ${ADAPTERS.map((a) => a.name).join(', ')}`, EXIT.USAGE);
  if (opts.adm !== undefined && !/^(\d{8}|[0-9a-fA-F]{16})$/.test(opts.adm)) throw new CliError('USAGE', '--adm expected 8 digits or 16 hex digits', EXIT.USAGE);
  const profile = loadProfileFile(file);
  const backend = backendChoice(opts.backendKeys, profile);
  const actors = backend.actors;
  const o = { adapter, file, ...(opts.adm !== undefined ? { adm: opts.adm } : {}), ...(actors ? { actors } : {}) };
  for (const u of adapter.unsupported(profile)) ctx.err(`note: ${adapter.name} does not write ${u}`);
  if (opts.dryRun) {
    const script = personalizationScript(profile, o);
    if (backend.pending) ctx.err(`note: ${backend.pending.file} does not exist: the script shows the public keys of fresh back-end keys that were NOT saved (a dry run writes nothing)`);
    if (opts.json) {
      emitJson(ctx, PERSONALIZE_JSON, { mode: 'dry-run', adapter: adapter.name, steps: script.map((s) => ({ command: s.masked.toLowerCase(), label: s.label })), notes: certificationNote(profile).map((l) => l.replace(/^# /, '')) });
      return;
    }
    ctx.out(`# ${adapter.name}: ${adapter.description}\n# secrets are masked (**)`);
    ctx.out(renderScript(script));
    for (const l of certificationNote(profile)) ctx.out(l);
    return;
  }
  const steps = personalizationScript(profile, o);
  // The first block that puts the issuers' keys on the card: the applets' first STORE DATA through the ISD.
  const firstApplet = steps.findIndex((s) => s.kind === 'gp' && s.label.startsWith('STORE DATA'));
  let reached = -1;
  let keysWritten = false;
  const transport = openTarget(opts);
  try {
    await transport.connect();
    const r = await personalizeOverApdu(transport, profile, {
      ...o,
      onStep: (i, n, s) => {
        if (backend.pending && !keysWritten && i === firstApplet) {
          // The card is about to hold the issuers' keys: they must exist on disk from now on.
          backend.commit(ctx.err);
          keysWritten = true;
        }
        reached = i;
        ctx.err(`[${i + 1}/${n}] ${s.label}`);
      },
    });
    const applets = appletNames(profile);
    if (opts.json) {
      emitJson(ctx, PERSONALIZE_JSON, { mode: 'card', target: transport.name, adapter: r.adapter, steps: r.steps, imsi: profile.imsi, applets, admTriesLeft: r.admTriesLeft ?? null, isd: r.isd ?? null, backendKeys: backendJson(backend) });
      return;
    }
    const extra = [profile.wallet ? ' + e-wallet' : '', profile.payment ? ' + payment' : '', profile.ledger ? ` + ${profile.ledger.mode} ledger (keys generated on the card, certified)` : ''].join('');
    const isd = r.isd ? `; applets personalized through the ISD (SCP${r.isd.scp}, key version ${r.isd.kvn.toString(16).padStart(2, '0')}${r.isd.defaultTestKeys ? ', the well-known test keys 404142…4F: the profile has no isd: section' : ''})` : '';
    ctx.out(`personalized ${transport.name}: ${r.steps} steps (${r.adapter}), IMSI ${profile.imsi}${extra}${r.admTriesLeft !== undefined ? `, ADM1 tries left ${r.admTriesLeft}` : ''}${isd}`);
  } catch (e) {
    // Stopped at or before the first applet block: the card refused it or never saw it, so it holds none of these keys.
    if (reached <= firstApplet) dropKeys(backend, keysWritten, ctx.err);
    if (e instanceof PersonalizeError && (e.code === 'ADM_WRONG' || e.code === 'ADM_LAST_TRY' || (e.code === 'CARD_REFUSED' && e.step === 'VERIFY ADM1'))) {
      throw new PersonalizeError(e.code, `${e.message}${e.message.endsWith('.') ? ' T' : '; t'}${admByHandHint(profile, opts).slice(1)}`, e.triesLeft, e.step);
    }
    throw e;
  } finally {
    await transport.close();
  }
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
    .option('--backend-keys <file|demo>', 'keys of the issuers that certify the payment/ledger applets (a missing FILE is created with fresh keys once personalization succeeded; "demo" = the fixed demo keys); `cardforge profile keys` prints their public keys')
    .option('--json', 'print the result as JSON (docs/json.md)')
    .addHelpText(
      'after',
      "\nExamples:\n  cardforge personalize profiles/example-sim.yaml -o card.json\n  cardforge personalize profiles/example-seeds.yaml --backend-keys demo -o card.json\n  cardforge personalize profiles/example-seeds.yaml --backend-keys keys.json -o card.json   (keys.json created when missing; keep it secret)\n  cardforge profile keys profiles/example-seeds.yaml --backend-keys keys.json                (the public keys the profile needs)\n  cardforge image new --sim-blank --adm 12345678 -o blank.json && cardforge personalize profiles/example-sim.yaml --card blank.json\n  cardforge personalize profiles/example-sim.yaml --reader 'Virtual PCD 00 00' --dry-run",
    )
    .action(async (file: string, opts: PersonalizeOptions) => {
      if (opts.reader || opts.card || opts.dryRun) {
        if (opts.output) throw new CliError('USAGE', '-o writes an image offline; drop it when writing to a card (--reader/--card) or with --dry-run', EXIT.USAGE);
        return personalizeOverCard(ctx, file, opts);
      }
      if (!opts.output) throw new CliError('USAGE', 'say where to write the card image: -o IMAGE (or write to a card over APDUs: --reader NAME, --card BLANK_IMAGE)', EXIT.USAGE);
      const output = opts.output;
      if (existsSync(output) && !opts.force) throw new CliError('USAGE', `${output} exists; use --force to replace it`, EXIT.USAGE);
      const profile = loadProfileFile(file);
      const backend = backendChoice(opts.backendKeys, profile);
      // Everything that can be refused (profile keys vs back end, certification) is done before a byte is written.
      const card = await personalizeCard(profile, file, backend.actors);
      // Locked: an image being served (emulate) or used by another command is not replaced under it.
      withImageLock(output, 'cardforge personalize', () => {
        const wrote = backend.pending ? (backend.commit(ctx.err), true) : false;
        try {
          saveImageFile(output, card);
        } catch (e) {
          dropKeys(backend, wrote, ctx.err);
          throw e;
        }
      });
      const extra = appletNames(profile);
      if (opts.json) {
        emitJson(ctx, PERSONALIZE_JSON, { mode: 'image', image: output, personality: profile.personality, imsi: profile.imsi, algorithm: profile.auth.algorithm, gsmAlgorithm: profile.auth.gsm_algorithm, applets: extra, atr: bytesToHex(card.atr), protocol: card.protocol, backendKeys: backendJson(backend) });
        return;
      }
      ctx.out(`wrote ${output}: ${profile.personality} SIM, IMSI ${profile.imsi}, ${profile.auth.algorithm}/${profile.auth.gsm_algorithm}${extra.length ? ` + ${extra.join(' + ')}` : ''}, ATR ${bytesToHex(card.atr).toUpperCase()} (${card.protocol})`);
    });
  // `profile keys` explains personalize's --backend-keys: registered with it (one entry in COMMANDS).
  registerProfile(program, ctx);
}
