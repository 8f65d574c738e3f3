/**
 * `cardforge image new | import | dump | show`: write a fresh card image (the loopback applet, or a
 * blank programmable SIM), clone a real card from its export or by walking it, and look into an
 * image (`show`: applets, PIN counters, SQN array, AoC meter, files decoded, balances, log,
 * tickets — never a secret; host/store/inspect.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { importPysimExport, parseImportProfile } from '../../fs/import.js';
import { dumpCard, terminalProgress } from '../../fs/dump.js';
import { writeFileAtomic } from '../../store/image-file.js';
import { addTargetOptions, openTarget, type TargetOptions } from '../target.js';
import type { Command } from 'commander';
import type { z } from 'zod';
import { LOOPBACK_AID } from '../../../apdu-specs/index.js';
import { APPLET_REGISTRY, LoopbackApplet } from '../../../card/applets/index.js';
import { installIsd, ISD_AID } from '../../../card/applets/isd/index.js';
import { Card, buildAtr, bytesToHex } from '../../../card/runtime/index.js';
import { isEncryptedImage, loadImageFile, saveImageFile, withImageLock } from '../../store/index.js';
import { inspectCard, renderImageView } from '../../store/inspect.js';
import { emitJson } from '../json/convention.js';
import { IMAGE_DUMP_JSON, IMAGE_IMPORT_JSON, IMAGE_NEW_JSON, IMAGE_SHOW_JSON } from '../json/outputs.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { readUserFile } from '../files.js';
import { blankCard, layoutOf, type BlankAppletsLayout } from '../../profile/apdu/applets.js';
import { loadProfileFile } from '../../profile/load.js';
import { paymentParams, paymentProfileSchema } from '../../profile/payment.js';
import { DEFAULT_LEDGER_PARAMS } from '../../../card/applets/ledger/index.js';

export function registerImage(program: Command, ctx: CliContext): void {
  const image = program.command('image').description('Create and inspect card images');
  image
    .command('new')
    .description('Write a new card image with the loopback applet selected by default')
    .requiredOption('-o, --output <file>', 'image file to write')
    .option('--t0', 'ATR announcing T=0 only (default: T=1 only)')
    .option('--force', 'overwrite an existing file')
    .option('--sim-blank', 'a blank programmable SIM instead (factory state: ADM1 set, nothing else; personalize it with `cardforge personalize --card`)')
    .option('--adm <key>', 'with --sim-blank: the ADM1 transport key (8 digits or 16 hex digits)', '12345678')
    .option('--personality <p>', 'with --sim-blank: classic, uicc or both', 'both')
    .option('--with <applets>', 'with --sim-blank: also the blank e-wallet, payment and/or ledger applets (comma-separated: wallet,payment,ledger)')
    .option('--layout <profile>', "with --with: take the applets' layout (user slots, store sizes, ledger mode and log size — no secrets) from this profile; default layout otherwise")
    .option('--json', 'print what was written as JSON (docs/json.md)')
    .action((opts: { output: string; t0?: boolean; force?: boolean; simBlank?: boolean; adm: string; personality: string; with?: string; layout?: string; json?: boolean }) => {
      if (existsSync(opts.output) && !opts.force) throw new CliError('IMAGE_EXISTS', `${opts.output} already exists; pass --force to overwrite it`);
      if (opts.simBlank) {
        if (!/^(\d{8}|[0-9a-fA-F]{16})$/.test(opts.adm)) throw new CliError('USAGE', '--adm expected 8 digits or 16 hex digits', 2);
        if (!['classic', 'uicc', 'both'].includes(opts.personality)) throw new CliError('USAGE', '--personality expected classic, uicc or both', 2);
        const applets = blankApplets(opts.with, opts.layout);
        const blank = blankCard({ adm1: opts.adm, personality: opts.personality as 'classic' | 'uicc' | 'both', applets });
        withImageLock(opts.output, 'cardforge image new', () => saveImageFile(opts.output, blank));
        const names = Object.keys(applets).map((a) => ` + blank ${a}`).join('');
        if (opts.json) return emitJson(ctx, IMAGE_NEW_JSON, { image: opts.output, kind: 'sim-blank', personality: opts.personality as 'classic' | 'uicc' | 'both', applets: Object.keys(applets), atr: bytesToHex(blank.atr), protocol: blank.protocol });
        ctx.out(`wrote ${opts.output}: blank ${opts.personality} SIM (factory state, ADM1 set)${names}, ATR ${bytesToHex(blank.atr).toUpperCase()} (${blank.protocol})`);
        return;
      }
      if (opts.with !== undefined || opts.layout !== undefined) throw new CliError('USAGE', '--with / --layout go with --sim-blank', 2);
      const card = new Card({ atr: buildAtr([opts.t0 ? 0 : 1], new TextEncoder().encode('cardforge')) });
      card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
      // The GlobalPlatform Issuer Security Domain, selectable by AID (issue 21).
      card.appletClasses = APPLET_REGISTRY;
      installIsd(card);
      withImageLock(opts.output, 'cardforge image new', () => saveImageFile(opts.output, card));
      if (opts.json) return emitJson(ctx, IMAGE_NEW_JSON, { image: opts.output, kind: 'loopback', personality: null, applets: ['loopback'], atr: bytesToHex(card.atr), protocol: card.protocol });
      ctx.out(`wrote ${opts.output}: ATR ${bytesToHex(card.atr).toUpperCase()} (${card.protocol}), loopback applet ${LOOPBACK_AID.toUpperCase()} (default), issuer security domain ${ISD_AID.toUpperCase()}`);
    });
  image
    .command('show')
    .description('Look into a card image: applets, PIN/PUK/ADM counters, SQN array, AoC meter, files decoded, purse/ledger balances, usage log, tickets, payment counters — never a key, PIN or other secret')
    .argument('<image>', 'card image file (encrypted: give its passphrase with --passphrase-file or CARDFORGE_IMAGE_PASSPHRASE)')
    .option('--no-files', 'leave out the file tree')
    .option('--applet <name>', 'only this applet: its type (sim, payment, ledger, wallet, or the full type) or AID (hex)')
    .option('--json', 'print the view as JSON (docs/json.md; stable: diff two images)')
    .addHelpText('after', '\nExamples:\n  cardforge image show card.json\n  cardforge image show card.json --applet ledger\n  cardforge image show a.json --json > a.view.json && cardforge image show b.json --json | diff a.view.json -')
    .action((file: string, opts: { files: boolean; applet?: string; json?: boolean }) => {
      // Read only: nothing is saved, so a plain image is shown even with a passphrase set (no laundering risk).
      const card = loadImageFile(file, { acceptPlain: true, onWarning: (m) => (/plain card image accepted/.test(m) ? undefined : ctx.err(`warning: ${m}`)) });
      const encrypted = isEncryptedImage(readFileSync(file, 'utf8'));
      const view = inspectCard(card, { files: opts.files, ...(opts.applet !== undefined ? { applet: opts.applet } : {}) });
      if (opts.applet !== undefined && view.applets.length === 0) {
        throw new CliError('USAGE', `${file} has no applet "${opts.applet}"; it has: ${card.applets.map((a) => `${a.type} (${a.aidHex})`).join(', ')}`, 2);
      }
      // The view's readonly arrays are what the schema describes; emitJson checks the value against it.
      if (opts.json) return emitJson(ctx, IMAGE_SHOW_JSON, { image: file, encrypted, ...view } as unknown as z.input<typeof IMAGE_SHOW_JSON.schema>);
      const lines = renderImageView(view, file);
      lines[0] = `${lines[0]}${encrypted ? ', encrypted' : ''}`;
      for (const l of lines) ctx.out(l);
    });
  image
    .command('import')
    .description("Clone a real card from its pySim-shell `export` script: the same files, FCPs, contents and access rules")
    .argument('<export>', 'pySim-shell export script (UICC or classic SIM)')
    .requiredOption('-o, --output <file>', 'image file to write')
    .option('--profile <file>', 'YAML with what no export holds: auth (Ki/OPc, algorithms, SQN), pins, and optionally personality and atr')
    .option('--atr <hex>', "the card's ATR (its logical channels follow it); default: the profile's, else cardforge's own")
    .option('--force', 'overwrite an existing file')
    .option('--json', 'print what was written as JSON (docs/json.md)')
    .addHelpText('after', '\nExample:\n  cardforge image import sja2-export.script --profile keys.yaml --atr 3B9F96801F878031E073FE211B674A4C753034054BA9 -o clone.json')
    .action((exportFile: string, opts: { output: string; profile?: string; atr?: string; force?: boolean; json?: boolean }) => {
      if (existsSync(opts.output) && !opts.force) throw new CliError('IMAGE_EXISTS', `${opts.output} already exists; pass --force to overwrite it`);
      const text = readUserFile(exportFile, 'the export', 'EXPORT_UNREADABLE');
      const profile = opts.profile !== undefined ? parseImportProfile(readProfileText(opts.profile), opts.profile) : undefined;
      const r = importPysimExport(text, exportFile, { ...(profile ? { profile, profileFile: opts.profile! } : {}), ...(opts.atr !== undefined ? { atr: opts.atr } : {}) });
      withImageLock(opts.output, 'cardforge image import', () => saveImageFile(opts.output, r.card));
      // Under --json the warnings are in the document.
      if (!opts.json) for (const w of r.warnings) ctx.err(`warning: ${w}`);
      if (opts.json) return emitJson(ctx, IMAGE_IMPORT_JSON, { image: opts.output, source: exportFile, personality: r.personality, files: r.files, contents: r.contents, atr: bytesToHex(r.card.atr), protocol: r.card.protocol, channels: r.card.channelLimit, warnings: [...r.warnings] });
      ctx.out(`wrote ${opts.output}: ${r.personality} SIM cloned from ${exportFile} (${r.files} files, ${r.contents} with contents), ATR ${bytesToHex(r.card.atr).toUpperCase()} (${r.card.protocol}, ${r.card.channelLimit} logical channels)`);
    });
  addTargetOptions(
    image
      .command('dump')
      .description('Walk a card (in a PC/SC reader, or an image) and write its files as a pySim-shell export (-o x.script), or clone it (-o x.json)'),
  )
    .requiredOption('-o, --output <file>', 'x.script: the export (what `image import` reads); x.json: a card image cloned from it')
    .option('--adm <key>', 'VERIFY ADM1 first (8 digits or 16 hex digits), so the files ADM protects are read too')
    .option('--no-scan', 'only the FIDs the specs name; no SELECT of every FID in the ranges below each DF')
    .option('--profile <file>', 'with -o x.json: auth and pins for the clone, as `image import` takes them')
    .option('--atr <hex>', "with -o x.json: the clone's ATR (default: the profile's, else the dumped card's)")
    .option('--force', 'overwrite an existing file')
    .option('--json', 'print what was written as JSON (docs/json.md)')
    .addHelpText('after', '\nExamples:\n  cardforge image dump --reader "Virtual PCD 00 00" --adm 12345678 -o card.script\n  cardforge image dump --reader 0 --adm 12345678 --profile keys.yaml -o clone.json')
    .action(async (opts: TargetOptions & { output: string; adm?: string; scan: boolean; profile?: string; atr?: string; force?: boolean; json?: boolean }) => {
      const json = /\.json$/i.test(opts.output);
      if (!json && !/\.script$/i.test(opts.output)) throw new CliError('USAGE', `-o expected a file ending .script (the export) or .json (a card image), got "${opts.output}"`, 2);
      if (!json && (opts.profile !== undefined || opts.atr !== undefined)) throw new CliError('USAGE', '--profile / --atr go with -o x.json (a clone); an export holds neither', 2);
      if (existsSync(opts.output) && !opts.force) throw new CliError('IMAGE_EXISTS', `${opts.output} already exists; pass --force to overwrite it`);
      const profile = opts.profile !== undefined ? parseImportProfile(readProfileText(opts.profile), opts.profile) : undefined;
      const target = openTarget(opts);
      const progress = opts.json ? undefined : terminalProgress(process.stderr);
      let d: Awaited<ReturnType<typeof dumpCard>>;
      try {
        await target.connect();
        d = await dumpCard(target, { ...(opts.adm !== undefined ? { adm: opts.adm } : {}), scan: opts.scan, ...(progress ? { onProgress: progress.onProgress } : {}) });
      } finally {
        progress?.stop();
        await target.close();
      }
      const summary = `${d.flavour === 'uicc' ? 'UICC' : 'classic SIM'} ${target.name}: ${d.files} files, ${d.contents} with contents, ${d.bad.length} unreadable; ${d.probes} SELECTs, ${d.commands} commands in ${(d.ms / 1000).toFixed(2)} s`;
      const dumped = { flavour: d.flavour, target: target.name, files: d.files, contents: d.contents, unreadable: d.bad.length, selects: d.probes, commands: d.commands, ms: Math.round(d.ms) };
      if (!json) {
        writeFileAtomic(opts.output, d.text);
        if (opts.json) return emitJson(ctx, IMAGE_DUMP_JSON, { output: opts.output, kind: 'export', dump: dumped, image: null });
        ctx.out(`wrote ${opts.output}: ${summary}`);
        return;
      }
      const atr = opts.atr ?? (profile?.atr === undefined && d.atr ? bytesToHex(d.atr) : undefined);
      const r = importPysimExport(d.text, `dump of ${target.name}`, { ...(profile ? { profile, profileFile: opts.profile! } : {}), ...(atr !== undefined ? { atr } : {}) });
      withImageLock(opts.output, 'cardforge image dump', () => saveImageFile(opts.output, r.card));
      // Under --json the warnings are in the document.
      if (!opts.json) for (const w of r.warnings) ctx.err(`warning: ${w}`);
      if (opts.json) return emitJson(ctx, IMAGE_DUMP_JSON, { output: opts.output, kind: 'image', dump: dumped, image: { personality: r.personality, atr: bytesToHex(r.card.atr), protocol: r.card.protocol, warnings: [...r.warnings] } });
      ctx.out(`wrote ${opts.output}: ${r.personality} SIM cloned from the ${summary}; ATR ${bytesToHex(r.card.atr).toUpperCase()} (${r.card.protocol})`);
    });
}

function readProfileText(file: string): string {
  return readUserFile(file, 'the profile', 'PROFILE_UNREADABLE');
}

/** --with wallet,payment,ledger [--layout PROFILE]: which blank applets, with which layout (params only; the wallet has none). */
function blankApplets(list: string | undefined, layout: string | undefined): BlankAppletsLayout {
  if (list === undefined) {
    if (layout !== undefined) throw new CliError('USAGE', '--layout goes with --with wallet,payment,ledger', 2);
    return {};
  }
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (n !== 'wallet' && n !== 'payment' && n !== 'ledger') throw new CliError('USAGE', `--with expected wallet, payment and/or ledger, got "${n}"`, 2);
  const fromProfile = layout !== undefined ? layoutOf(loadProfileFile(layout)) : undefined;
  const out: { wallet?: boolean; payment?: BlankAppletsLayout['payment']; ledger?: BlankAppletsLayout['ledger'] } = {};
  if (names.includes('wallet')) out.wallet = true;
  if (names.includes('payment')) {
    out.payment = fromProfile ? fromProfile.payment : paymentParams(paymentProfileSchema.parse({ card_id: '0000000000000000', payment_code: '0000', unblock_code: '00000000' }));
    if (!out.payment) throw new CliError('USAGE', `--layout ${layout} has no payment section`, 2);
  }
  if (names.includes('ledger')) {
    out.ledger = fromProfile ? fromProfile.ledger : { ...DEFAULT_LEDGER_PARAMS };
    if (!out.ledger) throw new CliError('USAGE', `--layout ${layout} has no ledger section`, 2);
  }
  return out;
}
