/**
 * `cardforge emulate`: serve a card image to pcscd through vsmartcard's vpcd reader until
 * stopped; every PC/SC program then sees the card in "Virtual PCD 00 0N". The image is saved after
 * each command that changed it, and once more on SIGINT/SIGTERM before exiting.
 * Fails fast instead of waiting forever: a --vpcd host that does not resolve, and a slot that
 * already serves a card (vpcd takes one per slot; the second connection is never spoken to).
 * -v logs exchanges and power events, but pcscd's idle presence polls (a GET ATR every 400 ms)
 * only once per idle stretch, with their count when something else happens. --json prints one
 * JSON object per event (docs/json.md), commands starred when secret.
 */
import { lookup } from 'node:dns/promises';
import type { Command } from 'commander';
import { SeededRng, VirtualClock, bytesToHex } from '../../../card/runtime/index.js';
import { TraceRecorder, recordVpcdEndpoint } from '../../trace/record.js';
import { CRASH_POINT_ENV, openPersistentCard, parseCrashPoint, type CrashPoint } from '../../store/index.js';
import { VPCD_DEFAULT_PORT, VpcdEndpoint } from '../../transport/index.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { formatDecoded } from '../format.js';
import { ExchangeDecoder, defaultAppletSpecs } from '../../trace/decode.js';
import { emitJsonLine } from '../json/convention.js';
import { EMULATE_JSON } from '../json/outputs.js';

/** How long vpcd may stay silent on a new connection before the slot counts as served by another card (pcscd polls every 400 ms). */
export const VPCD_SILENCE_MS = 4000;

interface EmulateOptions {
  card: string;
  vpcd: string;
  slot: string;
  verbose?: boolean;
  record?: string;
  deterministic?: string;
  acceptPlain?: boolean;
  json?: boolean;
}

/** Resolve --vpcd's host now: a name that does not resolve fails at once, not in an endless retry. */
async function checkHost(host: string, port: number): Promise<void> {
  try {
    await lookup(host);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new CliError('VPCD_UNREACHABLE', `--vpcd: host "${host}" not found (${code}); give the host where pcscd runs the vpcd reader, e.g. --vpcd 127.0.0.1:${port}`);
  }
}

export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(s);
  const port = m?.[3] === undefined ? VPCD_DEFAULT_PORT : Number(m[3]);
  if (!m || port < 1 || port > 65535) throw new CliError('USAGE', `--vpcd expected HOST[:PORT] (e.g. 127.0.0.1:${VPCD_DEFAULT_PORT}), got "${s}"`, EXIT.USAGE);
  return { host: m[1] ?? m[2]!, port };
}

export function registerEmulate(program: Command, ctx: CliContext): void {
  program
    .command('emulate')
    .description('Serve a card image to pcscd through the vsmartcard vpcd reader until stopped (Ctrl-C)')
    .requiredOption('--card <image>', 'card image file; updated after each command that changes the card')
    .option('--vpcd <host:port>', 'where vpcd listens for slot 0 (slot N is PORT+N)', `127.0.0.1:${VPCD_DEFAULT_PORT}`)
    .option('--slot <n>', 'vpcd slot: 0 → reader "Virtual PCD 00 00", 1 → "Virtual PCD 00 01"', '0')
    .option('-v, --verbose', 'log every exchange and power event')
    .option('--record <file>', 'record every power event and exchange pcscd sends as a cardforge trace (JSON Lines)')
    .option('--accept-plain', 'with an image passphrase set: serve a plain (unencrypted) image anyway; it is saved encrypted')
    .option('--deterministic <seed>', 'seeded RNG and virtual clock (replay the recording byte-exact with trace replay --deterministic SEED)')
    .option('--json', 'print one JSON object per line and event: ready, inserted, power, apdu, removed, error, stopped (docs/json.md)')
    .addHelpText('after', '\nThen, in another shell: opensc-tool -r "Virtual PCD 00 00" -s 00A4040000')
    .action(async (opts: EmulateOptions) => {
      const { host, port } = parseHostPort(opts.vpcd);
      const slot = Number(opts.slot);
      if (slot !== 0 && slot !== 1) throw new CliError('USAGE', `--slot expected 0 or 1, got "${opts.slot}"`, EXIT.USAGE);
      let crashPoint: CrashPoint | undefined;
      try {
        crashPoint = parseCrashPoint(process.env[CRASH_POINT_ENV]);
      } catch (e) {
        throw new CliError('USAGE', (e as Error).message, EXIT.USAGE);
      }
      await checkHost(host, port + slot);
      const pc = openPersistentCard(opts.card, { command: 'cardforge emulate', acceptPlain: opts.acceptPlain === true, ...(opts.deterministic !== undefined ? { rng: new SeededRng(opts.deterministic), clock: new VirtualClock() } : {}), ...(crashPoint ? { crashPoint } : {}) });
      const card = pc.card;
      const log = (line: string): void => ctx.err(`cardforge emulate: ${line}`);
      const time = (): string => new Date().toISOString();
      const event = (e: Parameters<typeof emitJsonLine<(typeof EMULATE_JSON)['schema']>>[2]): void => {
        if (opts.json) emitJsonLine(ctx, EMULATE_JSON, e);
      };
      const reader = `Virtual PCD 00 0${slot}`;
      // The endpoint serves the PersistentCard: no answer leaves before its change is saved.
      const endpoint = new VpcdEndpoint(pc, {
        host,
        port: port + slot,
        silenceTimeoutMs: VPCD_SILENCE_MS,
        log: (level, msg) => {
          // 'debug' is the endpoint's line per vpcd control; -v logs controls below, idle polls collapsed.
          if (level === 'debug') return;
          log(msg);
          if (level === 'warn' || level === 'error') event({ event: 'error', time: time(), level, message: msg });
        },
      });
      const recorder = opts.record ? TraceRecorder.toFile(opts.record, { target: `emulate ${opts.card}`, protocol: card.protocol }) : undefined;
      if (recorder) recordVpcdEndpoint(endpoint, recorder, () => card.atr);
      // One decoder for the session, as the card sees it: an applet selected on a channel names
      // the commands that follow (the payment applet's 00 20 is its VERIFY, not the SIM's);
      // power-on and reset select the default applet again (vpcd control 1, 2).
      const defaultAid = card.applets.find((a) => a.isDefault)?.aidHex ?? null;
      const decoder = new ExchangeDecoder(defaultAppletSpecs(defaultAid));
      // pcscd asks for the ATR every 400 ms while nothing else happens (its presence poll): -v logs
      // the first of a stretch and, when something else happens, how many followed.
      let idlePolls = -1;
      const activity = (): void => {
        if (idlePolls > 0 && opts.verbose) log(`vpcd: ${idlePolls} more presence ${idlePolls === 1 ? 'poll' : 'polls'} (get ATR) while idle`);
        idlePolls = -1;
      };
      endpoint.on('exchange', (c, r, ms) => {
        activity();
        if (!opts.verbose && !opts.json) return; // decoding costs time on every APDU: only when shown
        const d = decoder.decode(c, r);
        if (opts.verbose) log(formatDecoded(d.command, d.response).replace('\n', `  [${ms.toFixed(2)} ms]\n`));
        event({ event: 'apdu', time: time(), command: d.command.text.toLowerCase(), name: d.command.name, response: bytesToHex(r), sw: d.response.sw < 0 ? null : d.response.swHex, ms: Math.round(ms * 1000) / 1000 });
      });
      endpoint.on('control', (code) => {
        if (code === 4) {
          if (idlePolls >= 0) idlePolls++;
          else {
            idlePolls = 0;
            if (opts.verbose) log('vpcd: get ATR (pcscd\'s presence poll; repeats while idle are counted, not logged)');
          }
          return;
        }
        activity();
        if (code === 1 || code === 2) decoder.reset();
        if (code === 1 && opts.verbose) log(`power on, ATR ${bytesToHex(card.atr).toUpperCase()}`);
        else if (opts.verbose && (code === 0 || code === 2)) log(`vpcd: ${code === 0 ? 'power off' : 'reset'}`);
        if (code === 0 || code === 1 || code === 2) event({ event: 'power', time: time(), action: code === 0 ? 'off' : code === 1 ? 'on' : 'reset', ...(code === 1 ? { atr: bytesToHex(card.atr) } : {}) });
      });
      let connections = 0;
      endpoint.on('connected', () => event({ event: 'inserted', time: time(), vpcd: `${host}:${port + slot}`, reconnected: connections++ > 0 }));
      endpoint.on('disconnected', (reason) => event({ event: 'removed', time: time(), reason }));
      log(`serving ${opts.card} (ATR ${bytesToHex(card.atr).toUpperCase()}, ${card.protocol}) to vpcd at ${host}:${port + slot} — reader "${reader}"; Ctrl-C to stop`);
      event({ event: 'ready', time: time(), card: opts.card, atr: bytesToHex(card.atr), protocol: card.protocol, vpcd: `${host}:${port + slot}`, reader });
      try {
        await new Promise<void>((resolve, reject) => {
          const off = (): void => {
            process.off('SIGINT', onInt);
            process.off('SIGTERM', onTerm);
          };
          const stop = (signal: string): void => {
            off();
            endpoint
              .stop()
              .then(() => {
                pc.saveNow();
                recorder?.close();
                log(`${signal}: stopped; image saved to ${opts.card}`);
                event({ event: 'stopped', time: time(), signal, saved: opts.card });
                resolve();
              })
              .catch(reject);
          };
          const onInt = (): void => stop('SIGINT');
          const onTerm = (): void => stop('SIGTERM');
          process.on('SIGINT', onInt);
          process.on('SIGTERM', onTerm);
          // A failed save: the endpoint already withheld the answer and removed the card; exit 1.
          endpoint.once('fatal', (e) => {
            off();
            recorder?.close();
            reject(new CliError('IMAGE_NOT_SAVED', `${opts.card}: stopped serving: ${e.message}`));
          });
          endpoint.once('busy', (msg) => {
            off();
            recorder?.close();
            reject(new CliError('VPCD_SLOT_BUSY', msg));
          });
          void endpoint.start();
        });
      } finally {
        pc.close();
      }
    });
}
