/**
 * Lazy loader for the optional `smartcard` addon (N-API bindings to PC/SC, built by node-gyp
 * against libpcsclite-dev). It is an optionalDependency: `npm ci`, the emulator and every non-PC/SC
 * command work on a machine without PC/SC headers; only PC/SC commands load it, and when it is
 * missing they say exactly what to install. The types below are the subset we use, declared here
 * so that type-checking never depends on the optional package being present.
 */
import { TransportError } from './errors.js';

export interface ScCard {
  readonly protocol: number;
  readonly atr: Buffer | null;
  transmit(command: Buffer, options?: { maxRecvLength?: number }): Promise<Buffer>;
  getStatus(): { state: number; protocol: number; atr: Buffer };
  disconnect(disposition?: number): void;
  reconnect(shareMode?: number, protocol?: number, initialization?: number): Promise<number>;
}

export interface ScReader {
  readonly name: string;
  readonly state: number;
  readonly atr: Buffer | null;
  connect(shareMode?: number, protocol?: number): Promise<ScCard>;
}

export interface ScReaderState {
  name: string;
  state: number;
  changed: boolean;
  atr: Buffer | null;
}

export interface ScContext {
  readonly isValid: boolean;
  listReaders(): ScReader[];
  waitForChange(readers?: ScReader[] | ScReaderState[], timeout?: number): Promise<ScReaderState[] | null>;
  cancel(): void;
  close(): void;
}

export interface SmartcardModule {
  Context: new () => ScContext;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_SHARE_SHARED: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_EMPTY: number;
  SCARD_STATE_MUTE: number;
  SCARD_STATE_INUSE: number;
  SCARD_STATE_EXCLUSIVE: number;
}

export const PCSC_INSTALL_HINT =
  'install the PC/SC development files and a C++ toolchain — Debian/Ubuntu: apt-get install --no-install-recommends pcscd libpcsclite-dev build-essential python3; ' +
  'Fedora: dnf install pcsc-lite pcsc-lite-devel gcc-c++ make python3 — then run npm ci again (or npm rebuild smartcard when the package is present but unbuilt)';

let cached: Promise<SmartcardModule> | undefined;

/** Load `smartcard` once; rejects with TransportError PCSC_UNAVAILABLE and the install hint. */
export function loadSmartcard(): Promise<SmartcardModule> {
  cached ??= importSmartcard();
  return cached;
}

async function importSmartcard(): Promise<SmartcardModule> {
  // A computed specifier keeps TypeScript from resolving the optional package at compile time.
  const specifier = ['smart', 'card'].join('');
  try {
    const mod = (await import(specifier)) as { default?: SmartcardModule } & Partial<SmartcardModule>;
    const lib = (mod.Context ? mod : mod.default) as SmartcardModule | undefined;
    if (!lib?.Context) throw new Error('the module has no Context export');
    return lib;
  } catch (e) {
    cached = undefined;
    const msg = (e as Error).message ?? String(e);
    let why: string;
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && msg.includes(`'${specifier}'`)) {
      why = 'PC/SC support is not installed (the optional dependency "smartcard" is missing — its native build failed or was skipped)';
    } else if (msg.includes('smartcard_napi.node')) {
      why = 'PC/SC support is not built (the "smartcard" addon has no compiled binary; its install script did not run — npm 11 runs it only when package.json allowScripts lists smartcard)';
    } else if (msg.includes('libpcsclite')) {
      why = `PC/SC support cannot load libpcsclite (${msg.split('\n')[0]})`;
    } else {
      why = `PC/SC support failed to load (${msg.split('\n')[0]})`;
    }
    throw new TransportError('PCSC_UNAVAILABLE', `${why}; ${PCSC_INSTALL_HINT}`, { cause: e });
  }
}
