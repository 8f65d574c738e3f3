/**
 * Personalization of a whole card from a profile: the SIM/USIM applet (default), then the
 * payment and ledger applets when their sections are present. The card generates its own key
 * pairs; the issuers (BackendActors) certify them through the Transport interface, exactly as a
 * personalization bureau does with a real card. The result is a powered card ready to save.
 */
import { hexToBytes, type Card } from '../../card/runtime/index.js';
import { PaymentApplet } from '../../card/applets/payment/index.js';
import { LedgerApplet } from '../../card/applets/ledger/index.js';
import { WalletApplet } from '../../card/applets/wallet/index.js';
import { EmulatorTransport } from '../transport/index.js';
import type { BackendActors } from '../backend/actors.js';
import { buildCard, type BuildOptions } from './build.js';
import { ProfileError } from './load.js';
import { certifyPaymentCard, paymentParams, paymentPersonalization } from './payment.js';
import { certifyLedgerCard, ledgerKeysOf, ledgerParams, ledgerPersonalization } from './ledger.js';
import { checkLedgerKeys } from './apdu/applets.js';
import type { Profile } from './schema.js';
import { PAYMENT_AID, LEDGER_AID, WALLET_AID } from '../../card/protocol/index.js';
import { walletPersonalization } from './wallet.js';
import { checkWalletKey } from './apdu/applets.js';

export async function personalizeCard(profile: Profile, file: string, actors: BackendActors | undefined, opts: BuildOptions = {}): Promise<Card> {
  const card = buildCard(profile, file, opts);
  // The e-wallet (seed 000) needs no certification: its receipts are checked with its public key.
  // Installed first: the APDU path (apdu/applets.ts) personalizes it first too (same RNG draws).
  checkWalletKey(profile, file, actors);
  if (profile.wallet) card.install(WalletApplet, { aid: WALLET_AID, personalization: walletPersonalization(profile.wallet, profile.imsi, actors?.walletIssuer?.publicKey) });
  if (!profile.payment && !profile.ledger) return card;
  if (!actors) {
    throw new ProfileError(file, [{ path: profile.payment ? 'payment' : 'ledger', message: 'this section needs the issuers that certify the card: pass --backend-keys FILE (created when missing) or --backend-keys demo' }]);
  }
  checkLedgerKeys(profile, file, actors);
  if (profile.payment) {
    const s = profile.payment;
    card.install(PaymentApplet, { aid: PAYMENT_AID, params: { ...paymentParams(s) }, personalization: paymentPersonalization(s, actors.paymentIssuer, actors.authServer) });
  }
  if (profile.ledger) {
    const s = profile.ledger;
    card.install(LedgerApplet, { aid: LEDGER_AID, params: { ...ledgerParams(s) }, personalization: ledgerPersonalization(s, ledgerKeysOf(actors)) });
  }
  // Certification runs over APDUs, as it would against a real card in a reader.
  const transport = new EmulatorTransport(card);
  await transport.connect();
  if (profile.payment) await certifyPaymentCard(transport, actors.paymentIssuer);
  if (profile.ledger) await certifyLedgerCard(transport, actors.ledgerIssuer, hexToBytes(profile.ledger.card_id));
  card.reset();
  return card;
}
