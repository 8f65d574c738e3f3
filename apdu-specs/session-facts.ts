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
  /**
   * Set by the SIM/USIM applet with SUBSCRIBER_AUTHENTICATED (issue 18, SFR seed): the RAND of the
   * last successful authentication, 32 hex digits. The payment applet signs it in the purchase
   * record so the payment server can ask the AuC whether it issued and verified that RAND.
   */
  AUTHENTICATION_RAND: sessionFact<string>(SIM_APPLET_TYPE_NAME, 'subscriber.rand'),
  /**
   * Set by the SIM/USIM applet with SUBSCRIBER_AUTHENTICATED: SHA-256 of the IMSI's digits as
   * ASCII (card/protocol/payment.ts imsiHash), read from EF_IMSI at that authentication; 64 hex digits.
   */
  SUBSCRIBER_IMSI_HASH: sessionFact<string>(SIM_APPLET_TYPE_NAME, 'subscriber.imsi-hash'),
  /**
   * Set by the SIM/USIM applet to true when CHV1/PIN1 was verified in this session, and to false as
   * soon as a CHV1/PIN1 presentation (VERIFY, CHANGE, DISABLE, ENABLE) starts — OwnerPin clears its
   * validated state before comparing, and the fact follows it (issue 18): a wrong CHV1 clears it.
   */
  CARDHOLDER_VERIFIED: sessionFact<boolean>(SIM_APPLET_TYPE_NAME, 'cardholder.verified'),
  /**
   * Set by the SIM/USIM applet when ADM1 was verified in this session (false again as soon as an
   * ADM1 presentation starts): the issuer's authorisation that the payment and ledger applets'
   * PERSO_STORE_DATA requires (issue 8).
   */
  ADM1_VERIFIED: sessionFact<boolean>(SIM_APPLET_TYPE_NAME, 'adm1.verified'),
} as const;
