/**
 * Vendor adapters (issue 8): how a profile becomes APDUs on one kind of card. An adapter is a
 * declaration — which commands exist on the card, where it keeps its keys — plus a script
 * builder; the runner (../apdu/run.ts) owns the safety rules (ADM1 retry query, stop before the
 * last try, stop at the first refused step). The default adapter is cardforge's own card.
 */
import type { Profile } from '../schema.js';
import type { Step } from '../apdu/script.js';

export interface ScriptOptions {
  /** ADM1 to present (default: the profile's pins.adm1). */
  readonly adm: string;
  readonly file: string;
}

export interface CardAdapter {
  readonly name: string;
  /** One line: what card it is for, and the source of its facts. */
  readonly description: string;
  /** Whether the card answers the empty VERIFY (retry query, TS 102.221 §11.1.9) for ADM1. */
  readonly admRetryQuery: boolean;
  /** Profile parts this card cannot take (listed by the CLI, never silently dropped). */
  unsupported(profile: Profile): string[];
  script(profile: Profile, opts: ScriptOptions): Step[];
}
