/**
 * A personalized, certified payment card survives the card image (serializeImage → parseImage with
 * APPLET_REGISTRY): same key, certificate, counter and code state; the image holds no plaintext
 * the card would not hold. Guards: applet state kept in plain JS fields (lost on reload) or params
 * carrying secrets.
 */
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { PAYMENT_DATA_OBJECTS as DO } from '../../../apdu-specs/payment.js';
import { APPLET_REGISTRY } from '../../../card/applets/index.js';
import { readU32 } from '../../../card/runtime/index.js';
import { parseImage, serializeImage } from '../../../card/image/index.js';
import { EmulatorTransport } from '../../../host/transport/emulator.js';
import { PaymentCardClient } from '../../../host/backend/payment/card-client.js';
import { makeRig, order } from './fixture.js';
import { SimFactApplet } from './sim-fact-applet.js';
import { buildRecord, encodeSignFields } from '../../../card/protocol/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('payment applet in a card image', () => {
  it('reloads with key, certificate, counter and a spent code try; params hold no secrets', async () => {
    const rig = await makeRig();
    await rig.client.verifyCode(enc('1234'));
    await rig.client.sign({ ...order(), challenge: new Uint8Array(16) });
    await rig.client.verifyCode(enc('0000'));
    const pub = await rig.client.publicKey();
    const text = serializeImage(rig.card);
    // Image v3: each applet entry holds its params beside its fields (the cells, which hold the codes as the card does).
    const params = JSON.stringify((JSON.parse(text) as { applets: { params: unknown }[] }).applets.map((a) => a.params));
    expect(params).toContain('"maxUsers"');
    for (const secret of ['1234', '87654321', 'opensesame']) expect(params.includes(secret) || params.includes(Buffer.from(secret).toString('hex'))).toBe(false);
    const card = parseImage(text, { registry: new Map([...APPLET_REGISTRY, [SimFactApplet.type, SimFactApplet]]) });
    const t = new EmulatorTransport(card);
    await t.connect();
    const c = new PaymentCardClient(t);
    expect((await c.select()).sw).toBe(0x9000);
    expect(await c.publicKey()).toEqual(pub);
    expect(await c.certificate()).toEqual(rig.certificate);
    expect(readU32((await c.getData(DO.COUNTER)).data)).toBe(1);
    expect((await c.getData(DO.STATUS)).data[0]).toBe(2);
    expect((await c.verifyCode(enc('1234'))).sw).toBe(0x9000);
    const f = { ...order(), challenge: new Uint8Array(16).fill(9) };
    const r = await c.sign(f);
    expect(readU32(r.data)).toBe(2);
    expect(p256.verify(r.data.slice(4), buildRecord(rig.cardId, 2, encodeSignFields(f), 1, 0), pub)).toBe(true);
  });
});
