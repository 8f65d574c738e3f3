/**
 * `cardforge image new`: write a fresh card image with the loopback applet as the default applet,
 * so a card exists before profiles and personalization (which will add `cardforge personalize`).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { LOOPBACK_AID } from '../../../apdu-specs/loopback.js';
import { LoopbackApplet } from '../../../card/applets/index.js';
import { Card, buildAtr, bytesToHex } from '../../../card/runtime/index.js';
import { saveImageFile } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { blankSimCard } from '../../profile/apdu/blank.js';

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
    .action((opts: { output: string; t0?: boolean; force?: boolean; simBlank?: boolean; adm: string; personality: string }) => {
      if (existsSync(opts.output) && !opts.force) throw new CliError('IMAGE_EXISTS', `${opts.output} already exists; pass --force to overwrite it`);
      if (opts.simBlank) {
        if (!/^(\d{8}|[0-9a-fA-F]{16})$/.test(opts.adm)) throw new CliError('USAGE', '--adm expected 8 digits or 16 hex digits', 2);
        if (!['classic', 'uicc', 'both'].includes(opts.personality)) throw new CliError('USAGE', '--personality expected classic, uicc or both', 2);
        const blank = blankSimCard({ adm1: opts.adm, personality: opts.personality as 'classic' | 'uicc' | 'both' });
        saveImageFile(opts.output, blank);
        ctx.out(`wrote ${opts.output}: blank ${opts.personality} SIM (factory state, ADM1 set), ATR ${bytesToHex(blank.atr).toUpperCase()} (${blank.protocol})`);
        return;
      }
      const card = new Card({ atr: buildAtr([opts.t0 ? 0 : 1], new TextEncoder().encode('cardforge')) });
      card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
      saveImageFile(opts.output, card);
      ctx.out(`wrote ${opts.output}: ATR ${bytesToHex(card.atr).toUpperCase()} (${card.protocol}), loopback applet ${LOOPBACK_AID.toUpperCase()} (default)`);
    });
}
