/**
 * Opening the target of a command: `--card IMAGE` (the emulator in process, image saved after
 * every change unless --no-save) or `--reader NAME|INDEX` (a card in a PC/SC reader; resolved by
 * pickReader in host/transport: exact name, index as `cardforge readers` prints it, unique part). Every command
 * that talks to a card (send, prove, shell, trace replay) uses this one function and the same
 * option set, so they behave alike. A --card image that is saved is locked (host/store/lock.ts)
 * from load until the transport is closed: a second writer — another `send --card`, or the
 * `cardforge emulate` serving it — is refused and changes nothing.
 */
import { Option, type Command } from 'commander';
import { openPersistentCard } from '../store/index.js';
import { EmulatorTransport, PcscTransport, type Transport } from '../transport/index.js';
import type { Clock, Rng } from '../../card/runtime/index.js';
import { CliError, EXIT } from './errors.js';

export interface TargetOptions {
  card?: string;
  reader?: string;
  t0?: boolean;
  save?: boolean;
  wait?: string;
  exclusive?: boolean;
  acceptPlain?: boolean;
  /** T=0: no automatic GET RESPONSE after 61xx/9Fxx, no re-send on 6Cxx (addRawOption). */
  raw?: boolean;
}

/** What --raw means, for every command that offers it (send, shell, trace replay; run's default). */
export const RAW_HELP =
  'show the answers as a T=0 reader gives them: 61xx/9Fxx stay for your own GET RESPONSE (A0 C0 / 00 C0), 6Cxx is shown, not re-sent with that Le. On a T=1 card or reader it changes nothing: T=1 answers whole and the host never fetches';

/** Adds --raw (see RAW_HELP) to a command that also has the target options. */
export function addRawOption(cmd: Command): Command {
  return cmd.option('--raw', RAW_HELP);
}

/** The command running now ("cardforge image dump"), for the lock's holder name. */
let running = 'cardforge';

function fullName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  names[0] = 'cardforge';
  return names.join(' ');
}

/** Adds --card/--reader/--t0/--no-save/--wait/--exclusive to a command. */
export function addTargetOptions(cmd: Command): Command {
  cmd.hook('preAction', (_self, action) => {
    running = fullName(action);
  });
  return cmd
    .addOption(new Option('--card <image>', 'card image file (the emulator, in process)').conflicts('reader'))
    .addOption(new Option('--reader <name|index>', 'PC/SC reader: its index in `cardforge readers` (0, 1, …), its exact name, or a unique part of it').conflicts('card'))
    .option('--t0', 'use T=0 (emulator: run the card as T=0; reader: connect with T=0 only)')
    .option('--no-save', 'with --card: do not write the updated image back')
    .option('--wait <ms>', 'with --reader: wait this long for a card (and for pcscd) before failing', '0')
    .option('--exclusive', 'with --reader: connect exclusively instead of shared')
    .option('--accept-plain', 'with --card and an image passphrase set: load a plain (unencrypted) image anyway; it is saved encrypted');
}

export function openTarget(opts: TargetOptions, deterministic?: { rng?: Rng; clock?: Clock }): Transport {
  if (!opts.card && !opts.reader) throw new CliError('USAGE', 'say which card to use: --card IMAGE or --reader NAME', EXIT.USAGE);
  const waitMs = Number(opts.wait ?? '0');
  if (!Number.isInteger(waitMs) || waitMs < 0) throw new CliError('USAGE', `--wait expected a whole number of milliseconds, got "${opts.wait}"`, EXIT.USAGE);
  if (opts.card) {
    // Saved before each answer is handed back (PersistentCard); --no-save only loads.
    const pc = openPersistentCard(opts.card, { save: opts.save !== false, command: running, acceptPlain: opts.acceptPlain === true, ...(deterministic?.rng ? { rng: deterministic.rng } : {}), ...(deterministic?.clock ? { clock: deterministic.clock } : {}) });
    if (opts.t0) pc.card.protocol = 'T=0';
    return new EmulatorTransport(pc, { name: `emulator ${opts.card}`, autoGetResponse: opts.raw !== true });
  }
  return new PcscTransport({ reader: opts.reader!, waitMs, share: opts.exclusive ? 'exclusive' : 'shared', autoGetResponse: opts.raw !== true, ...(opts.t0 ? { protocol: 'T=0' as const } : {}) });
}
