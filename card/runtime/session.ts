/**
 * Card-wide session facts (apdu-specs/session-facts.ts): one map per card, cleared at power-up
 * and reset, and one view of it per installed applet that reads any fact and writes only the facts
 * its applet type owns (a write to another type's fact throws SessionFactOwnerError, before any
 * change: the command answers 6F00).
 */
import type { SessionFact, SessionValue } from '../../apdu-specs/session-facts.js';
import { SessionFactOwnerError } from './errors.js';

/** An applet's view of the session facts (AppletContext.session). */
export interface SessionFacts {
  get<T extends SessionValue>(fact: SessionFact<T>): T | undefined;
  /** Only the fact's owner applet type may set it; anyone else gets SessionFactOwnerError. */
  set<T extends SessionValue>(fact: SessionFact<T>, value: NoInfer<T>): void;
  has(fact: SessionFact<SessionValue>): boolean;
}

/** The card's session map, keyed by SessionFact.key. */
export class SessionState {
  readonly map = new Map<string, SessionValue>();

  clear(): void {
    this.map.clear();
  }

  /** The view given to an applet of type `appletType`. */
  viewFor(appletType: string): SessionFacts {
    const map = this.map;
    return {
      get: <T extends SessionValue>(fact: SessionFact<T>): T | undefined => map.get(fact.key) as T | undefined,
      set: <T extends SessionValue>(fact: SessionFact<T>, value: T): void => {
        if (fact.owner !== appletType) throw new SessionFactOwnerError(fact.key, fact.owner, appletType);
        map.set(fact.key, value);
      },
      has: (fact: SessionFact<SessionValue>): boolean => map.has(fact.key),
    };
  }
}
