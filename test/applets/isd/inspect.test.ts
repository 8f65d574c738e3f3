/**
 * `image show` of a card with the ISD (host/store/inspect.ts): card life cycle, authentication
 * tries, the SCP counters and the key versions — never a key value — in text and in JSON that
 * matches the documented schema (IMAGE_SHOW_JSON).
 */
import { describe, expect, it } from 'vitest';
import { inspectCard, renderImageView } from '../../../host/store/inspect.js';
import { IMAGE_SHOW_JSON } from '../../../host/cli/json/outputs.js';
import { hex, openSession, sendWrapped } from './host.js';
import { TEST_KEYS, isdCard } from './fixture.js';

describe('image show of the ISD', () => {
  it('life cycle, tries, counters and key versions; no key value', () => {
    const { card } = isdCard({ counters: { scp02: 5 }, keyDiversificationData: Uint8Array.from({ length: 10 }, (_, i) => i) });
    const s = openSession(card, TEST_KEYS, 0x03, 0x30);
    expect(sendWrapped(card, s, '80e29000', '420400010203').sw).toBe(0x9000);
    const view = inspectCard(card);
    const isd = view.applets.find((a) => a.type === 'cardforge.isd')!.isd!;
    expect(isd).toEqual({
      lifeCycle: 'SECURED',
      authTriesLeft: 10,
      authTries: 10,
      scp02SequenceCounter: 5,
      scp03Counter: 1,
      keys: [1, 2, 3].map((kid) => ({ kvn: 0x30, kid, type: 'AES', length: 16 })).concat([1, 2, 3].map((kid) => ({ kvn: 0x20, kid, type: 'DES', length: 16 }))),
      iin: '00010203',
      cin: null,
      keyDiversificationData: '00010203040506070809',
    });
    const text = renderImageView(view, 'card.json').join('\n');
    expect(text).toContain('issuer security domain: card SECURED; authentication tries 10/10; SCP02 sequence counter 5, SCP03 card challenge counter 1');
    expect(text).toContain('keys (values never shown): 30/1 AES-128, 30/2 AES-128, 30/3 AES-128, 20/1 DES-128');
    const json = JSON.stringify({ image: 'card.json', encrypted: false, ...view });
    expect(json.toLowerCase()).not.toContain(hex(TEST_KEYS.enc));
    expect(text.toLowerCase()).not.toContain(hex(TEST_KEYS.enc));
    expect(IMAGE_SHOW_JSON.schema.safeParse(JSON.parse(json)).success).toBe(true);
  });
});
