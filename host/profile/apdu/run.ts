/**
 * Running a personalization script against any Transport (issue 8) with the ADM1 safety rules:
 * - before VERIFY ADM1, the empty VERIFY retry query (TS 102.221 §11.1.9) when the adapter says
 *   the card has it: blocked (6983) or one try left → stop WITHOUT presenting the key (the last
 *   try is never spent by a tool); a card that is already ADM-verified (9000) skips the VERIFY;
 * - a wrong ADM1 (63Cx, or 9804 on a classic card) stops at once with the tries left;
 * - any other step answering an unexpected SW stops the run (PersonalizeError, with the step).
 * The steps' masked texts are what progress callbacks see; secret bytes go only to the card.
 */
import { describeSw } from '../../../apdu-specs/index.js';
import { responseSw } from '../../../card/runtime/index.js';
import type { Transport } from '../../transport/types.js';
import type { Profile } from '../schema.js';
import { cardforgeAdapter, type CardAdapter } from '../adapters/index.js';
import type { Step } from './script.js';
import type { BackendActors } from '../../backend/actors.js';
import { appletSteps, certifyApplets, isdPreludeSteps } from './applets.js';
import { CardforgeError } from '../../errors.js';
import { GpError } from '../../gp/errors.js';
import type { GpSession } from '../../gp/session.js';
import { isGpOpen } from './gp-steps.js';

export type PersonalizeErrorCode = 'ADM_WRONG' | 'ADM_LAST_TRY' | 'ADM_BLOCKED' | 'CARD_REFUSED' | 'ALREADY_PERSONALIZED' | 'BACKEND_KEYS_NEEDED' | 'ADAPTER_NO_APPLETS' | 'ISD_SESSION' | 'NO_INSTANCE';

export class PersonalizeError extends CardforgeError<PersonalizeErrorCode> {
  constructor(
    code: PersonalizeErrorCode,
    message: string,
    readonly triesLeft?: number,
    readonly step?: string,
  ) {
    super(code, message);
    this.name = 'PersonalizeError';
  }
}

export interface PersonalizeOptions {
  /** ADM1 to present; default the profile's pins.adm1. */
  readonly adm?: string;
  readonly adapter?: CardAdapter;
  readonly file?: string;
  /** The issuers of the payment / ledger sections (their keys go into the blocks; they certify the card). */
  readonly actors?: BackendActors;
  /** Called before each step is sent (index, count, step). */
  readonly onStep?: (i: number, n: number, step: Step) => void;
}

export interface PersonalizeResult {
  readonly adapter: string;
  readonly steps: number;
  /** ADM1 tries left after the run (when the card answers the retry query). */
  readonly admTriesLeft?: number;
  /** The ISD session the applets were personalized through, when there was one. */
  readonly isd?: { readonly scp: '02' | '03'; readonly kvn: number; readonly defaultTestKeys: boolean };
}

const swOf = responseSw;
const hex = (sw: number): string => sw.toString(16).toUpperCase().padStart(4, '0');
const ok = (sw: number): boolean => sw === 0x9000 || (sw & 0xff00) === 0x9f00 || (sw & 0xff00) === 0x6100 || (sw & 0xff00) === 0x9100;

/** The steps a profile becomes on this adapter's card (for --dry-run and for run). */
export function personalizationScript(profile: Profile, opts: Pick<PersonalizeOptions, 'adm' | 'adapter' | 'file' | 'actors'> = {}): Step[] {
  const adapter = opts.adapter ?? cardforgeAdapter;
  const sim = adapter.script(profile, { adm: opts.adm ?? profile.pins.adm1, file: opts.file ?? 'profile' });
  if (!profile.payment && !profile.ledger && !profile.wallet) return sim;
  // The wallet / payment / ledger applets are cardforge's own (issue 8): other adapters' cards lack them.
  if (adapter !== cardforgeAdapter) throw new PersonalizeError('ADAPTER_NO_APPLETS', `the ${adapter.name} card has no cardforge wallet / payment / ledger applets: remove those sections, or use the cardforge adapter`);
  if (!opts.actors && (profile.payment || profile.ledger)) throw new PersonalizeError('BACKEND_KEYS_NEEDED', `the ${profile.payment ? 'payment' : 'ledger'} section needs the issuers that certify the card: pass --backend-keys FILE or --backend-keys demo`);
  const applets = appletSteps(profile, opts.actors, opts.file ?? 'profile');
  return [...isdPreludeSteps(profile), ...sim, ...applets];
}

/** Empty VERIFY ADM1: tries left, 'verified', or undefined when the card has no retry query. */
async function admStatus(t: Transport, verify: Uint8Array): Promise<number | 'verified' | undefined> {
  const sw = swOf(await t.transmit(verify.subarray(0, 4)));
  if (sw === 0x9000) return 'verified';
  if ((sw & 0xfff0) === 0x63c0) return sw & 0x0f;
  if (sw === 0x6983) return 0;
  return undefined;
}

async function presentAdm(t: Transport, step: Step, adapter: CardAdapter): Promise<void> {
  const classic = step.apdu[0] === 0xa0;
  const before = adapter.admRetryQuery && !classic ? await admStatus(t, step.apdu) : undefined;
  if (before === 'verified') return;
  if (before === 0) throw new PersonalizeError('ADM_BLOCKED', 'ADM1 is blocked on this card (6983): nothing was sent; only the card vendor can recover it', 0);
  if (before === 1) {
    throw new PersonalizeError('ADM_LAST_TRY', 'ADM1 has 1 try left: cardforge will not spend the last try (a wrong key would block the card for good). Check the key, then present it yourself if you are sure.', 1);
  }
  const sw = swOf(await t.transmit(step.apdu));
  if (sw === 0x9000) return;
  if ((sw & 0xfff0) === 0x63c0) {
    const left = sw & 0x0f;
    throw new PersonalizeError('ADM_WRONG', `wrong ADM1 key (${hex(sw)}): ${left} ${left === 1 ? 'try' : 'tries'} left; stopped before blocking, nothing was written`, left);
  }
  if (sw === 0x9804 || sw === 0x9840) {
    const left = typeof before === 'number' ? before - 1 : undefined;
    throw new PersonalizeError('ADM_WRONG', `wrong ADM1 key (${hex(sw)}${sw === 0x9840 ? ': blocked' : ''})${left !== undefined ? `: ${left} tries left` : ''}; stopped, nothing was written`, sw === 0x9840 ? 0 : left);
  }
  throw new PersonalizeError('CARD_REFUSED', `VERIFY ADM1 answered ${hex(sw)} (${describeSw(sw)?.description ?? 'unknown status word'})`, undefined, step.label);
}

/** Write a profile to the card behind `t` (connects it when needed). */
export async function personalizeOverApdu(t: Transport, profile: Profile, opts: PersonalizeOptions = {}): Promise<PersonalizeResult> {
  const adapter = opts.adapter ?? cardforgeAdapter;
  const steps = personalizationScript(profile, opts);
  if (t.atr === undefined) await t.connect();
  let session: GpSession | undefined;
  let isd: PersonalizeResult['isd'];
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    opts.onStep?.(i, steps.length, s);
    if (s.kind === 'verify-adm') {
      await presentAdm(t, s, adapter);
      continue;
    }
    if (isGpOpen(s)) {
      try {
        session = await s.open(t);
      } catch (e) {
        if (e instanceof GpError) throw new PersonalizeError('ISD_SESSION', `step ${i + 1}/${steps.length} "${s.label}": ${e.message}; nothing was written to the payment, ledger or wallet applets (give the card's ISD keys in the profile's isd: section)`, undefined, s.label);
        throw e;
      }
      isd = s.access;
      continue;
    }
    let sw: number;
    if (s.kind === 'gp') {
      if (!session) throw new PersonalizeError('ISD_SESSION', `step ${i + 1}/${steps.length} "${s.label}" needs the ISD's secure channel, which no earlier step opened`, undefined, s.label);
      sw = swOf(await session.transmit(s.encode ? s.encode(session) : s.apdu));
    } else sw = swOf(await t.transmit(s.apdu));
    if (ok(sw)) continue;
    if (sw === 0x6985 && (s.label.startsWith('PERSO_STORE_DATA') || s.label.startsWith('STORE DATA'))) throw new PersonalizeError('ALREADY_PERSONALIZED', `the card is already personalized (${s.label.split(' ')[0] === 'STORE' ? 'STORE DATA' : 'PERSO_STORE_DATA'} answered 6985): a card is personalized once`, undefined, s.label);
    if (sw === 0x6a88 && s.label.startsWith('INSTALL [for personalization]')) {
      throw new PersonalizeError('NO_INSTANCE', `step ${i + 1}/${steps.length} "${s.label}" answered 6A88: the card has no such instance. Personalization expects a pre-issued card with its applets installed (cardforge image new --sim-blank --with …, or cardforge gp install); stopped`, undefined, s.label);
    }
    throw new PersonalizeError('CARD_REFUSED', `step ${i + 1}/${steps.length} "${s.label}" answered ${hex(sw)} (${describeSw(sw)?.description ?? 'unknown status word'}); stopped`, undefined, s.label);
  }
  // The card generated its keys at the last blocks; the issuers certify them over APDUs.
  if (opts.actors && (profile.payment || profile.ledger)) await certifyApplets(t, profile, opts.actors);
  const verifyAdm = steps.find((s) => s.kind === 'verify-adm');
  const after = adapter.admRetryQuery && verifyAdm && verifyAdm.apdu[0] !== 0xa0 ? await admStatus(t, verifyAdm.apdu) : undefined;
  return { adapter: adapter.name, steps: steps.length, ...(typeof after === 'number' ? { admTriesLeft: after } : {}), ...(isd ? { isd } : {}) };
}

/** The dry-run text: one line per step, secrets masked. */
export function renderScript(steps: readonly Step[]): string {
  return steps.map((s, i) => `${String(i + 1).padStart(3)}  ${s.masked}  ${s.label}`).join('\n');
}
