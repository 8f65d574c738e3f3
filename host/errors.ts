/**
 * The one base of the errors a user of cardforge's host side can meet (bad profile, missing reader,
 * corrupt image, unreadable trace …): a stable `code` from the ErrorCode union and a message that
 * says what to do. Every host error class extends CardforgeError, so a caller (the CLI first of
 * all, host/cli/errors.ts) recognises a user error by class — never by the shape of its `code`,
 * which a raw Node error (ENOENT) or a dependency's error would also pass.
 *
 * card/ never imports host/, so the card's own errors (an image that does not parse, a card that
 * is not powered, …) keep their classes; their codes are part of ErrorCode below and the CLI
 * recognises those classes one by one. The codes of each area stay declared beside its error
 * class; this file only collects them, with type-only imports (no runtime cycle with the classes).
 */
import type { CliErrorCode } from './cli/errors.js';
import type { TraceErrorCode } from './trace/errors.js';
import type { ExportErrorCode } from './fs/errors.js';
import type { DumpErrorCode } from './fs/dump.js';
import type { CloneError } from './fs/import.js';
import type { ProfileError } from './profile/load.js';
import type { CertifyErrorCode } from './profile/payment.js';
import type { PersonalizeErrorCode } from './profile/apdu/run.js';
import type { ImageFileErrorCode } from './store/image-file.js';
import type { ImageCryptoErrorCode } from './store/encryption.js';
import type { ImageLockedError } from './store/lock.js';
import type { CardNotSavedError } from './store/persistent-card.js';
import type { TransportErrorCode } from './transport/errors.js';
import type { PcscStackErrorCode } from './pcsc/stack.js';
import type { BackendKeysError } from './backend/actors.js';
import type { AucError } from './backend/auc.js';
import type { PaymentErrorCode } from './backend/payment/errors.js';
import type { CardCommandError } from './backend/payment/card-client.js';
import type { LedgerBackendErrorCode } from './backend/ledger/errors.js';
import type { LedgerCardError } from './backend/ledger/card-client.js';
import type { WalletCardError } from './backend/wallet/card-client.js';
import type { ShellUsageError } from './shell/aliases.js';
import type { FuzzViolation } from './testing/oracle.js';
import type { GpErrorCode } from './gp/errors.js';
import type { ImageErrorCode } from '../card/image/index.js';
import type { AramFormatError } from '../card/applets/aram/index.js';
import type { SimConfigError } from '../card/applets/sim/index.js';
import type { FsLayoutError } from '../card/fs/index.js';
import type { CardNotPoweredError, CardPowerLostError } from '../card/runtime/index.js';
import type { TlvError } from '../card/protocol/index.js';

/** Codes of the `cardforge` command itself (usage, arguments, files it reads for a command). */
export type CliAreaErrorCode = CliErrorCode;
/** Trace files: reading, writing, converting, replaying. */
export type TraceAreaErrorCode = TraceErrorCode;
/** File systems: pySim exports (import), dumps of a real card, clones. */
export type FsAreaErrorCode = ExportErrorCode | DumpErrorCode | CloneError['code'];
/** Personalization profiles and personalizing a card (offline or over APDUs). */
export type ProfileAreaErrorCode = ProfileError['code'] | CertifyErrorCode | PersonalizeErrorCode;
/** Card image files: load, save, encryption, locking. */
export type StoreAreaErrorCode = ImageFileErrorCode | ImageCryptoErrorCode | ImageLockedError['code'] | CardNotSavedError['code'];
/** Transports: PC/SC readers, the emulator, vpcd; the private pcscd stack (`cardforge pcscd`). */
export type TransportAreaErrorCode = TransportErrorCode | PcscStackErrorCode;
/** Back ends: keys file, AuC, payment actors and card client, ledger back end and card client, wallet card client. */
export type BackendAreaErrorCode = BackendKeysError['code'] | AucError['code'] | PaymentErrorCode | CardCommandError['code'] | LedgerBackendErrorCode | LedgerCardError['code'] | WalletCardError['code'];
/** The interactive shell and the testing helpers (fuzz oracle). */
export type ToolsAreaErrorCode = ShellUsageError['code'] | FuzzViolation['code'];
/** GlobalPlatform from the host: keys, secure channels, card management (host/gp). */
export type GpAreaErrorCode = GpErrorCode;
/** card/ errors a host user meets (not CardforgeError subclasses: card/ never imports host/). */
export type CardAreaErrorCode =
  | ImageErrorCode
  | CardPowerLostError['code']
  | CardNotPoweredError['code']
  | SimConfigError['code']
  | FsLayoutError['code']
  | TlvError['code']
  | AramFormatError['code'];

/** Every error code cardforge uses, by area. A code names a situation; messages may change, codes do not. */
export type ErrorCode =
  | CliAreaErrorCode
  | TraceAreaErrorCode
  | FsAreaErrorCode
  | ProfileAreaErrorCode
  | StoreAreaErrorCode
  | TransportAreaErrorCode
  | BackendAreaErrorCode
  | ToolsAreaErrorCode
  | GpAreaErrorCode
  | CardAreaErrorCode;

/** Base of every host error a user can meet; `code` is stable (tests and scripts match it). */
export abstract class CardforgeError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = 'CardforgeError';
  }
}
