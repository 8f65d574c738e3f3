/**
 * `cardforge gp`: GlobalPlatform card management, on an emulated card image (--card, saved after
 * each change like `send`) or a card in a PC/SC reader (--reader). `gp info` reads what the
 * security domain tells without a secure channel; list / install / delete / lock / unlock /
 * put-key / store-data open SCP02 or SCP03 (host/gp, node:crypto) with --key or --enc/--mac/--dek
 * (the well-known test key 404142…4F is the only default), --kvn, --scp, --level, --diversify.
 * Keys are secrets: no output, JSON or message of this command carries their bytes; put-key
 * prints the new keys' check values only.
 */
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { addTargetOptions, openTarget, type TargetOptions } from '../target.js';
import { emitJson } from '../json/convention.js';
import { GP_CHANGE_JSON, GP_INFO_JSON, GP_LIST_JSON } from '../json/outputs.js';
import type { Transport } from '../../transport/index.js';
import { RecordingTransport, TraceRecorder } from '../../trace/record.js';
import {
  DEFAULT_TEST_KEY_HEX,
  DIVERSIFICATIONS,
  GpError,
  SECURITY_LEVELS,
  aidBytes,
  deleteAid,
  getStatus,
  gpInfo,
  hexArg,
  install,
  openSecureChannel,
  parseKeyHex,
  parseLevel,
  parseScp,
  privilegesFromNames,
  putKeySet,
  renderInfo,
  selectIsd,
  setLocked,
  storeData,
  STORE_DATA_FORMATS,
  type Diversification,
  type GpSession,
  type RegistryEntry,
  type RegistryKind,
  type SecureChannelOptions,
  type StaticKeys,
  type StoreDataFormat,
} from '../../gp/index.js';

interface GpOptions extends TargetOptions {
  key?: string;
  enc?: string;
  mac?: string;
  dek?: string;
  kvn?: string;
  scp?: string;
  level?: string;
  diversify?: string;
  isd?: string;
  json?: boolean;
  record?: string;
}

/** Option problems are usage errors (exit 2), named by the option. */
function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GpError && (e.code === 'GP_BAD_KEY' || e.code === 'GP_BAD_OPTION')) throw new CliError('USAGE', e.message, EXIT.USAGE);
    throw e;
  }
}

function byteOption(v: string | undefined, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError('USAGE', `${name}: expected a number ${min}..${max} (decimal, or hex as 0x20), got "${v}"`, EXIT.USAGE);
  return n;
}

function staticKeys(o: { key?: string; enc?: string; mac?: string; dek?: string }, prefix: string, err: (l: string) => void, allowDefault: boolean): StaticKeys {
  const split = [o.enc, o.mac, o.dek];
  if (split.some((k) => k !== undefined)) {
    const base = o.key !== undefined ? parseKeyHex(o.key, `${prefix}key`) : undefined;
    const one = (k: string | undefined, n: string): Uint8Array => {
      if (k !== undefined) return parseKeyHex(k, `${prefix}${n}`);
      if (base) return base;
      throw new GpError('GP_BAD_OPTION', `${prefix}${n} is missing: give ${prefix}enc, ${prefix}mac and ${prefix}dek together, or ${prefix}key for the ones not given`);
    };
    const keys = { enc: one(o.enc, 'enc'), mac: one(o.mac, 'mac'), dek: one(o.dek, 'dek') };
    if (keys.enc.length !== keys.mac.length || keys.mac.length !== keys.dek.length) throw new GpError('GP_BAD_KEY', `${prefix}enc, ${prefix}mac and ${prefix}dek must have the same length (got ${keys.enc.length}, ${keys.mac.length}, ${keys.dek.length} bytes)`);
    return keys;
  }
  if (o.key !== undefined) {
    const k = parseKeyHex(o.key, `${prefix}key`);
    return { enc: k, mac: k, dek: k };
  }
  if (!allowDefault) throw new GpError('GP_BAD_OPTION', `give the new keys: ${prefix}key (one key for ENC, MAC and DEK) or ${prefix}enc, ${prefix}mac and ${prefix}dek`);
  err('no --key given: using the well-known GlobalPlatform test key (404142…4F)');
  const k = parseKeyHex(DEFAULT_TEST_KEY_HEX, '--key');
  return { enc: k, mac: k, dek: k };
}

/** The secure-channel options from the command line, all checked before the card is touched. */
function channelOptions(o: GpOptions, err: (l: string) => void): SecureChannelOptions {
  return usage(() => {
    const div = (o.diversify ?? 'none') as Diversification;
    if (!DIVERSIFICATIONS.includes(div)) throw new GpError('GP_BAD_OPTION', `--diversify: expected one of ${DIVERSIFICATIONS.join(', ')}, got "${o.diversify}"`);
    const level = parseLevel(o.level ?? 'mac');
    const scp = parseScp(o.scp ?? 'auto');
    const kvn = byteOption(o.kvn, '--kvn', 0, 0, 127);
    if (div !== 'none') {
      if (o.enc !== undefined || o.mac !== undefined || o.dek !== undefined) throw new GpError('GP_BAD_OPTION', `--diversify ${div} derives ENC, MAC and DEK from one master key: give --key MASTER, not --enc/--mac/--dek`);
      const master = o.key !== undefined ? parseKeyHex(o.key, '--key') : (err('no --key given: diversifying the well-known GlobalPlatform test key (404142…4F)'), parseKeyHex(DEFAULT_TEST_KEY_HEX, '--key'));
      return { keys: { master, diversify: div }, kvn, scp, level };
    }
    return { keys: staticKeys(o, '--', err, true), kvn, scp, level };
  });
}

function addKeyOptions(cmd: Command): Command {
  return addTargetOptions(cmd)
    .option('--key <hex>', 'one static key for ENC, MAC and DEK (16 bytes for SCP02; 16, 24 or 32 for SCP03); default: the well-known test key 404142…4F')
    .option('--enc <hex>', 'the static ENC key (with --mac and --dek)')
    .option('--mac <hex>', 'the static MAC key')
    .option('--dek <hex>', 'the static DEK key')
    .option('--kvn <n>', 'key version number for INITIALIZE UPDATE (0: the card\'s default key set)', '0')
    .addOption(new Option('--scp <version>', 'secure channel protocol: 02, 03, or auto (what the card answers)').default('auto'))
    .addOption(new Option('--level <level>', `security level: ${Object.keys(SECURITY_LEVELS).join(', ')}`).default('mac'))
    .addOption(new Option('--diversify <scheme>', 'derive the card\'s keys from --key as master key: none, emv (EMV CPS 1.1), visa2').default('none'))
    .option('--isd <aid>', 'the security domain to select (default: A000000151000000, then A0000001510000, A000000003000000)')
    .option('--json', 'print the result as JSON (docs/json.md)')
    .option('--record <file>', 'record the session as a cardforge trace (JSON Lines; `cardforge trace show` names the GP commands and fields)');
}

async function withCard<T>(o: GpOptions, f: (t: Transport) => Promise<T>): Promise<T> {
  const target = openTarget(o);
  // The trace holds the wire bytes: wrapped commands, cryptograms, PUT KEY's key data encrypted
  // under the DEK — never a static or session key in clear. trace show stars PUT KEY's data.
  const t = o.record ? new RecordingTransport(target, TraceRecorder.toFile(o.record, { target: target.name })) : target;
  try {
    await t.connect();
    return await f(t);
  } finally {
    await t.close();
  }
}

interface Opened {
  readonly isd: string;
  readonly s: GpSession;
}

/** Validates the options, then SELECT ISD + INITIALIZE UPDATE + EXTERNAL AUTHENTICATE, then `f`. */
async function withSession<T>(o: GpOptions, ctx: CliContext, f: (x: Opened) => Promise<T>): Promise<T> {
  const opts = channelOptions(o, ctx.err);
  if (o.isd !== undefined) usage(() => aidBytes(o.isd!, '--isd'));
  return withCard(o, async (t) => {
    const { aid } = await selectIsd(t, o.isd);
    const s = await openSecureChannel(t, opts);
    return f({ isd: aid, s });
  });
}

function sessionJson(x: Opened): { isd: string; scp: '02' | '03'; level: GpSession['level']; kvn: number } {
  return { isd: x.isd, scp: x.s.scp, level: x.s.level, kvn: x.s.kvn };
}

function renderEntry(e: RegistryEntry): string {
  const head = { isd: 'ISD', app: 'APP', loadfile: 'PKG' }[e.kind];
  const parts = [`${head}: ${e.aid.toUpperCase()} (${e.lifeCycleName})`];
  if (e.privileges && e.privileges.names.length) parts.push(`     Privs: ${e.privileges.names.join(', ')}`);
  if (e.loadFile) parts.push(`     Load file: ${e.loadFile.toUpperCase()}`);
  if (e.version) parts.push(`     Version: ${e.version}`);
  for (const m of e.modules ?? []) parts.push(`     Applet class: ${m.toUpperCase()}`);
  return parts.join('\n');
}

export function registerGp(program: Command, ctx: CliContext): void {
  const gp = program
    .command('gp')
    .description('GlobalPlatform card management (SCP02/SCP03): info, list, install, delete, lock/unlock, put-key, store-data')
    .addHelpText('after', ['', 'Examples:', '  cardforge gp info --reader 0', '  cardforge gp list --card card.json --scp 03 --level mac+enc', '  cardforge gp install --card card.json --package F06361726466 --applet-class F0636172646601 --instance F063617264660101', '  cardforge gp put-key --reader 0 --new-kvn 0x31 --new-key 000102030405060708090A0B0C0D0E0F'].join('\n'));

  addTargetOptions(gp.command('info').description('Read CPLC, card data, key information, IIN and CIN (GET DATA, no secure channel)'))
    .option('--isd <aid>', 'the security domain to select (default: A000000151000000, then A0000001510000, A000000003000000)')
    .option('--json', 'print the result as JSON (docs/json.md)')
    .option('--record <file>', 'record the session as a cardforge trace (JSON Lines)')
    .action(async (o: GpOptions) => {
      if (o.isd !== undefined) usage(() => aidBytes(o.isd!, '--isd'));
      const info = await withCard(o, (t) => gpInfo(t, o.isd));
      if (o.json) emitJson(ctx, GP_INFO_JSON, info);
      else for (const l of renderInfo(info)) ctx.out(l);
    });

  addKeyOptions(gp.command('list').description('List the ISD, applications and load files with life cycle and privileges (GET STATUS)')).action(async (o: GpOptions) => {
    const r = await withSession(o, ctx, async (x) => {
      const entries: RegistryEntry[] = [];
      const notListed: { kind: RegistryKind; sw: string }[] = [];
      for (const kind of ['isd', 'app', 'loadfile'] as const) {
        try {
          entries.push(...(await getStatus(x.s, kind)));
        } catch (e) {
          // A subset the card does not support (6A81, 6D00 …) is reported; a broken session is not swallowed.
          if (!(e instanceof GpError) || e.code !== 'GP_CARD_REFUSED' || e.sw === undefined) throw e;
          notListed.push({ kind, sw: e.sw });
        }
      }
      return { ...sessionJson(x), entries, notListed };
    });
    if (o.json) emitJson(ctx, GP_LIST_JSON, r);
    else {
      for (const e of r.entries) ctx.out(renderEntry(e));
      for (const n of r.notListed) ctx.err(`GET STATUS (${n.kind}): not listed, the card answered ${n.sw}`);
    }
  });

  addKeyOptions(gp.command('install').description('Install an applet instance from a load file and make it selectable (INSTALL [for install and make selectable])'))
    .requiredOption('--package <aid>', 'the executable load file AID')
    .requiredOption('--applet-class <aid>', 'the executable module (applet class) AID in that load file')
    .requiredOption('--instance <aid>', 'the AID of the new instance')
    .option('--params <hex>', 'application install parameters (the C9 value)', '')
    .option('--privileges <names>', 'comma-separated privilege names (e.g. CardReset,CVMManagement)', '')
    .action(async (o: GpOptions & { package: string; appletClass: string; instance: string; params: string; privileges: string }) => {
      const req = usage(() => ({
        loadFile: aidBytes(o.package, '--package'),
        module: aidBytes(o.appletClass, '--applet-class'),
        instance: aidBytes(o.instance, '--instance'),
        params: hexArg(o.params, '--params', 200),
        privileges: privilegesFromNames(o.privileges.split(',').map((p) => p.trim()).filter(Boolean)).slice(0, 1),
      }));
      const r = await withSession(o, ctx, async (x) => (await install(x.s, req), sessionJson(x)));
      if (o.json) emitJson(ctx, GP_CHANGE_JSON, { ...r, action: 'install', aid: o.instance.toLowerCase() });
      else ctx.out(`installed ${o.instance.toUpperCase()} (SCP${r.scp}, ${r.level})`);
    });

  addKeyOptions(gp.command('delete').description('Delete an application instance or a load file (DELETE)').argument('<aid>', 'the AID to delete'))
    .option('--related', 'also delete related objects (a load file with its instances)')
    .action(async (aid: string, o: GpOptions & { related?: boolean }) => {
      const b = usage(() => aidBytes(aid, 'AID'));
      const r = await withSession(o, ctx, async (x) => (await deleteAid(x.s, b, o.related === true), sessionJson(x)));
      if (o.json) emitJson(ctx, GP_CHANGE_JSON, { ...r, action: 'delete', aid: aid.toLowerCase() });
      else ctx.out(`deleted ${aid.toUpperCase()}${o.related ? ' and its related objects' : ''}`);
    });

  for (const [name, locked] of [['lock', true], ['unlock', false]] as const) {
    addKeyOptions(gp.command(name).description(`${locked ? 'Lock' : 'Unlock'} an application (SET STATUS)`).argument('<aid>', 'the application AID')).action(async (aid: string, o: GpOptions) => {
      const b = usage(() => aidBytes(aid, 'AID'));
      const r = await withSession(o, ctx, async (x) => (await setLocked(x.s, b, locked), sessionJson(x)));
      if (o.json) emitJson(ctx, GP_CHANGE_JSON, { ...r, action: name, aid: aid.toLowerCase() });
      else ctx.out(`${name}ed ${aid.toUpperCase()}`);
    });
  }

  addKeyOptions(gp.command('put-key').description('Add or replace a key set: ENC, MAC, DEK (PUT KEY, keys encrypted with the DEK, check values verified)'))
    .requiredOption('--new-kvn <n>', 'key version number of the new key set (1..127)')
    .option('--replace-kvn <n>', 'the key version to replace (default 0: add a new key set)', '0')
    .option('--new-key <hex>', 'one new key for ENC, MAC and DEK')
    .option('--new-enc <hex>', 'the new ENC key (with --new-mac and --new-dek)')
    .option('--new-mac <hex>', 'the new MAC key')
    .option('--new-dek <hex>', 'the new DEK key')
    .action(async (o: GpOptions & { newKvn: string; replaceKvn: string; newKey?: string; newEnc?: string; newMac?: string; newDek?: string }) => {
      const newKvn = byteOption(o.newKvn, '--new-kvn', 0, 1, 127);
      const replace = byteOption(o.replaceKvn, '--replace-kvn', 0, 0, 127);
      const keys = usage(() => staticKeys({ ...(o.newKey !== undefined ? { key: o.newKey } : {}), ...(o.newEnc !== undefined ? { enc: o.newEnc } : {}), ...(o.newMac !== undefined ? { mac: o.newMac } : {}), ...(o.newDek !== undefined ? { dek: o.newDek } : {}) }, '--new-', ctx.err, false));
      const r = await withSession(o, ctx, async (x) => {
        if (x.s.scp === '02' && keys.enc.length !== 16) throw new CliError('USAGE', `SCP02 cards take 16-byte DES keys; --new-key/--new-enc… are ${keys.enc.length} bytes`, EXIT.USAGE);
        return { ...sessionJson(x), kcv: await putKeySet(x.s, newKvn, replace, keys) };
      });
      if (o.json) emitJson(ctx, GP_CHANGE_JSON, { ...r, action: 'put-key', newKvn });
      else ctx.out(`key set ${newKvn} written (ENC, MAC, DEK check values ${r.kcv.join(' ')})`);
    });

  addKeyOptions(gp.command('store-data').description('Personalize an application: INSTALL [for personalization] then STORE DATA').argument('<aid>', 'the application AID').argument('<data>', 'the data in hex (split into blocks of 200 bytes)'))
    .addOption(new Option('--format <format>', 'the data format in P1: dgi, ber, none').default('dgi'))
    .action(async (aid: string, data: string, o: GpOptions & { format: string }) => {
      const b = usage(() => aidBytes(aid, 'AID'));
      const d = usage(() => hexArg(data, 'DATA', 256 * 200));
      if (d.length === 0) throw new CliError('USAGE', 'DATA: give at least one byte to store', EXIT.USAGE);
      if (!Object.hasOwn(STORE_DATA_FORMATS, o.format)) throw new CliError('USAGE', `--format: expected one of ${Object.keys(STORE_DATA_FORMATS).join(', ')}, got "${o.format}"`, EXIT.USAGE);
      const r = await withSession(o, ctx, async (x) => ({ ...sessionJson(x), blocks: await storeData(x.s, b, d, o.format as StoreDataFormat, x.isd === aid.toLowerCase()) }));
      if (o.json) emitJson(ctx, GP_CHANGE_JSON, { ...r, action: 'store-data', aid: aid.toLowerCase() });
      else ctx.out(`stored ${d.length} bytes in ${r.blocks} STORE DATA block(s) to ${aid.toUpperCase()}`);
    });

  for (const c of gp.commands) c.exitOverride().configureOutput(program.configureOutput());
}
