/**
 * `cardforge emulate`: serve a card image to pcscd through vsmartcard's vpcd reader until
 * stopped; every PC/SC program then sees the card in "Virtual PCD 00 0N". The image is saved after
 * each command that changed it, and once more on SIGINT/SIGTERM before exiting.
 */
import type { Command } from 'commander';
import { SeededRng, VirtualClock, bytesToHex } from '../../../card/runtime/index.js';
import { TraceRecorder, recordVpcdEndpoint } from '../../trace/record.js';
import { CRASH_POINT_ENV, openPersistentCard, parseCrashPoint, type CrashPoint } from '../../store/index.js';
import { VPCD_DEFAULT_PORT, VpcdEndpoint } from '../../transport/index.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { formatExchange } from '../format.js';
import { ExchangeDecoder, defaultAppletSpecs } from '../../trace/decode.js';

interface EmulateOptions {
  card: string;
  vpcd: string;
  slot: string;
  verbose?: boolean;
  record?: string;
  deterministic?: string;
  acceptPlain?: boolean;
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
      const pc = openPersistentCard(opts.card, { command: 'cardforge emulate', acceptPlain: opts.acceptPlain === true, ...(opts.deterministic !== undefined ? { rng: new SeededRng(opts.deterministic), clock: new VirtualClock() } : {}), ...(crashPoint ? { crashPoint } : {}) });
      const card = pc.card;
      const log = (line: string): void => ctx.err(`cardforge emulate: ${line}`);
      // The endpoint serves the PersistentCard: no answer leaves before its change is saved.
      const endpoint = new VpcdEndpoint(pc, {
        host,
        port: port + slot,
        log: (level, msg) => {
          if (level !== 'debug' || opts.verbose) log(msg);
        },
      });
      const recorder = opts.record ? TraceRecorder.toFile(opts.record, { target: `emulate ${opts.card}`, protocol: card.protocol }) : undefined;
      if (recorder) recordVpcdEndpoint(endpoint, recorder, () => card.atr);
      if (opts.verbose) {
        // One decoder for the session, as the card sees it: an applet selected on a channel names
        // the commands that follow (the payment applet's 00 20 is its VERIFY, not the SIM's);
        // power-on and reset select the default applet again (vpcd control 1, 2).
        const defaultAid = card.applets.find((a) => a.isDefault)?.aidHex ?? null;
        const decoder = new ExchangeDecoder(defaultAppletSpecs(defaultAid));
        endpoint.on('exchange', (c, r, ms) => log(`${formatExchange(c, r, decoder).replace('\n', `  [${ms.toFixed(2)} ms]\n`)}`));
        endpoint.on('control', (code) => {
          if (code === 1 || code === 2) decoder.reset();
          if (code === 1) log(`power on, ATR ${bytesToHex(card.atr).toUpperCase()}`);
        });
      }
      log(`serving ${opts.card} (ATR ${bytesToHex(card.atr).toUpperCase()}, ${card.protocol}) to vpcd at ${host}:${port + slot} — reader "Virtual PCD 00 0${slot}"; Ctrl-C to stop`);
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
          void endpoint.start();
        });
      } finally {
        pc.close();
      }
    });
}
