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

export function registerImage(program: Command, ctx: CliContext): void {
  const image = program.command('image').description('Create and inspect card images');
  image
    .command('new')
    .description('Write a new card image with the loopback applet selected by default')
    .requiredOption('-o, --output <file>', 'image file to write')
    .option('--t0', 'ATR announcing T=0 only (default: T=1 only)')
    .option('--force', 'overwrite an existing file')
    .action((opts: { output: string; t0?: boolean; force?: boolean }) => {
      if (existsSync(opts.output) && !opts.force) throw new CliError('IMAGE_EXISTS', `${opts.output} already exists; pass --force to overwrite it`);
      const card = new Card({ atr: buildAtr([opts.t0 ? 0 : 1], new TextEncoder().encode('cardforge')) });
      card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
      saveImageFile(opts.output, card);
      ctx.out(`wrote ${opts.output}: ATR ${bytesToHex(card.atr).toUpperCase()} (${card.protocol}), loopback applet ${LOOPBACK_AID.toUpperCase()} (default)`);
    });
}
