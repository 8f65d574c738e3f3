/**
 * Shared set-up of the payment suites: a deterministic card (seeded RNG, virtual clock) with the
 * test SIM-fact applet and the payment applet personalized from a profile section, certified by
 * the issuer CA through the Transport interface, and a recorder of every response the card gives,
 * so each suite ends by scanning them for the secrets (private key, MAC key, codes, credentials).
 */
import { expect } from 'vitest';
import { PaymentApplet } from '../../../card/applets/payment/index.js';
import { Card, SeededRng, VirtualClock, hexToBytes } from '../../../card/runtime/index.js';
import { EmulatorTransport } from '../../../host/transport/emulator.js';
import { IssuerCA, AuthenticationServer } from '../../../host/backend/payment/index.js';
import { PaymentCardClient, apdu } from '../../../host/backend/payment/card-client.js';
import { certifyPaymentCard, paymentParams, paymentPersonalization, paymentProfileSchema } from '../../../host/profile/payment.js';
import { sha256 } from '../../../card/algorithms/sha256.js';
import { SimFactApplet, SIM_FACT_AID } from './sim-fact-applet.js';
import { PAYMENT_AID, type TransactionFields } from '../../../card/protocol/index.js';

export const SECTION = {
  card_id: '0102030405060708',
  payment_code: '1234',
  unblock_code: '87654321',
  mac_key: '2b7e151628aed2a6abf7158809cf4f3c',
  device_id: 'handset-42',
  users: [{ user_id: 'alice', credential: 'opensesame' }, { user_id: 'bob', credential: 'hunter22' }],
  token_lifetime_seconds: 600,
  card_number: '4970123456789012',
  card_number_key: '000102030405060708090a0b0c0d0e0f',
};

/** Every response the card gave in this process (data ‖ SW), for the secrets scan. */
export const RESPONSES: Uint8Array[] = [];
/** The secrets of every card made by makeRig in this process. */
export const SECRETS: Uint8Array[] = [];

export interface Rig {
  card: Card;
  clock: VirtualClock;
  transport: EmulatorTransport;
  client: PaymentCardClient;
  issuer: IssuerCA;
  auth: AuthenticationServer;
  certificate: Uint8Array;
  cardId: Uint8Array;
}

const ISSUER_KEY = sha256(new TextEncoder().encode('cardforge test issuer'));
const AUTH_KEY = sha256(new TextEncoder().encode('cardforge test auth server'));

export async function makeRig(overrides: Record<string, unknown> = {}, seed = 'payment-tests'): Promise<Rig> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 15, 12));
  const card = new Card({ rng: new SeededRng(seed), clock });
  const now = (): number => clock.now();
  const issuer = new IssuerCA({ secretKey: ISSUER_KEY, now });
  const auth = new AuthenticationServer({ issuerPublicKey: issuer.publicKey, secretKey: AUTH_KEY, now });
  const section = paymentProfileSchema.parse({ ...SECTION, ...overrides });
  card.install(SimFactApplet, { aid: SIM_FACT_AID });
  card.install(PaymentApplet, { aid: PAYMENT_AID, params: { ...paymentParams(section) }, personalization: paymentPersonalization(section, issuer, auth) });
  const transport = new EmulatorTransport(card);
  transport.on('exchange', (_c, r) => RESPONSES.push(r.slice()));
  await transport.connect();
  const { certificate, cardId } = await certifyPaymentCard(transport, issuer);
  const client = new PaymentCardClient(transport);
  SECRETS.push(...secretsOf(card));
  return { card, clock, transport, client, issuer, auth, certificate, cardId };
}

/** Direct card.transmit that records the response too (tear sweeps bypass the transport). */
export function transmit(card: Card, cmd: Uint8Array): Uint8Array {
  const r = card.transmit(cmd);
  RESPONSES.push(r.slice());
  return r;
}

export function selectCmd(): Uint8Array {
  return apdu(0x00, 0xa4, 0x04, 0x00, hexToBytes(PAYMENT_AID));
}

export function fakeAuthCmd(kind: 1 | 2 | 3 = 1, rand?: Uint8Array): Uint8Array {
  return rand === undefined ? apdu(0x80, 0x88, kind, 0x00) : apdu(0x80, 0x88, kind, 0x00, rand);
}

export function selectSimCmd(): Uint8Array {
  return apdu(0x00, 0xa4, 0x04, 0x00, hexToBytes(SIM_FACT_AID));
}

export function order(over: Partial<TransactionFields> = {}): Omit<TransactionFields, 'challenge'> {
  return {
    merchantId: new TextEncoder().encode('shop-7'),
    amount: 12_345,
    currency: 978,
    dateTime: new Date(Date.UTC(2026, 0, 15, 12, 0, 5)),
    orderHash: sha256(new TextEncoder().encode('order #1: 1 book')),
    ...over,
  };
}

export function sw(r: Uint8Array): number {
  return (r[r.length - 2]! << 8) | r[r.length - 1]!;
}

/** The secrets the card holds, read from its memory the way only a test can. */
export function secretsOf(card: Card): Uint8Array[] {
  const aid = PAYMENT_AID;
  const priv = card.memory.cells.get(`${aid}/ecdsa.private`)!;
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  return [priv.slice(), hexToBytes(SECTION.mac_key), enc(SECTION.payment_code), enc(SECTION.unblock_code), enc(SECTION.card_number), hexToBytes(SECTION.card_number_key), ...SECTION.users.map((u) => enc(u.credential))];
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Guards "no command returns private keys, the symmetric key, PIN or payment code values". */
export function expectNoSecretsIn(responses: readonly Uint8Array[], secrets: readonly Uint8Array[]): void {
  expect(responses.length).toBeGreaterThan(0);
  for (const s of secrets) {
    expect(s.length).toBeGreaterThanOrEqual(4);
    const hit = responses.findIndex((r) => contains(r, s));
    expect(hit, `secret ${Buffer.from(s).toString('hex')} found in response #${hit}`).toBe(-1);
  }
}
