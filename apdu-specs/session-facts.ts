/**
 * Card-wide session facts (valid until the next reset), typed and owned — Java Card's shareable
 * interface idea: one applet type owns a fact and is the only one the runtime lets write it; any
 * applet may read it. Applets never import each other; the writer and its readers both name the
 * fact from here (a declaration is data), and the runtime refuses a write by any other applet
 * type (an Error: the command answers 6F00, as for any applet bug).
 */

/** What a session fact may hold: a primitive, so snapshots copy it by value. */
export type SessionValue = string | number | boolean;

export interface SessionFact<T extends SessionValue> {
  /** Unique name of the fact (its key in the card's session map and in snapshots). */
  readonly key: string;
  /** The applet type (AppletClass.type, e.g. 'cardforge.sim') that alone may set the fact. */
  readonly owner: string;
  /** Type carrier only: never set. */
  readonly __value?: T;
}

/** Declare a fact owned by the applet type `owner`. */
export function sessionFact<T extends SessionValue>(owner: string, key: string): SessionFact<T> {
  return Object.freeze({ key, owner });
}

/** The SIM/USIM applet's type name (card/applets/sim/types.ts SIM_APPLET_TYPE). */
export const SIM_APPLET_TYPE_NAME = 'cardforge.sim';

/** How the subscriber was authenticated in this session. */
export type SubscriberAuthentication = 'gsm' | '3g' | 'gsm-context';

export const SESSION_FACTS = {
  /** Set by the SIM/USIM applet after a successful RUN GSM ALGORITHM ('gsm') or AUTHENTICATE ('3g', 'gsm-context'). */
  SUBSCRIBER_AUTHENTICATED: sessionFact<SubscriberAuthentication>(SIM_APPLET_TYPE_NAME, 'subscriber.authenticated'),
  /** Set by the SIM/USIM applet when CHV1/PIN1 was verified in this session. */
  CARDHOLDER_VERIFIED: sessionFact<boolean>(SIM_APPLET_TYPE_NAME, 'cardholder.verified'),
  /**
   * Set by the SIM/USIM applet when ADM1 was verified in this session (false again as soon as an
   * ADM1 presentation starts): the issuer's authorisation that the payment and ledger applets'
   * PERSO_STORE_DATA requires (issue 8).
   */
  ADM1_VERIFIED: sessionFact<boolean>(SIM_APPLET_TYPE_NAME, 'adm1.verified'),
} as const;
