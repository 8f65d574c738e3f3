/**
 * Names of card-wide session facts (valid until the next reset). Applets never import each other;
 * one applet sets a fact through the runtime and another reads it, both naming it from here.
 */
export const SESSION_FACTS = {
  /** Set by the SIM/USIM applet after a successful RUN GSM ALGORITHM ('gsm') or AUTHENTICATE ('3g', 'gsm-context'). */
  SUBSCRIBER_AUTHENTICATED: 'subscriber.authenticated',
  /** Set by the SIM/USIM applet when CHV1/PIN1 was verified in this session ('1'). */
  CARDHOLDER_VERIFIED: 'cardholder.verified',
  /**
   * Set by the SIM/USIM applet when ADM1 was verified in this session ('1'): the issuer's
   * authorisation that the payment and ledger applets' PERSO_STORE_DATA requires (issue 8).
   */
  ADM1_VERIFIED: 'adm1.verified',
} as const;
