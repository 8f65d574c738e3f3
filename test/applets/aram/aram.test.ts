/**
 * The ARA-M (GlobalPlatform SE Access Control) beside the SIM. Guards: the clone answering 6A82 to
 * the phone's `02 A4 04 00 09 A0 00 00 01 51 41 43 4C 00` (the real sysmoISIM-SJA2 answers 9000,
 * eight times in the capture); GET DATA [All] with no rules answering anything but FF40 00 9000
 * (Android telephony marks 6A88 as an error, pySim's export needs 9000); a refresh tag that does
 * not move when the rules do; STORE DATA changing anything when it is refused.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ARAM_AID, ARAM_RULES_CAPACITY, AramApplet, encodeRefArDo, installAram } from '../../../card/applets/aram/index.js';
import { APPLET_REGISTRY } from '../../../card/applets/index.js';
import { parseImage, serializeImage } from '../../../card/image/index.js';
import { Card, hexToBytes } from '../../../card/runtime/index.js';
import { readTraceFile } from '../../../host/trace/formats/index.js';
import { exchangesOf, swOf } from '../../../host/trace/events.js';
import { ExchangeDecoder } from '../../../host/trace/decode.js';
import { bytesToHex } from '../../../card/runtime/index.js';
import { aramCard, aramState, ask, carrierRule, cla80, getData, gpRule, len, openAram, SELECT_ARAM, storeData, tx } from './helpers.js';

const FX = new URL('../../../../shared/fixtures/real-cards/', import.meta.url);
const EMPTY_ALL = 'ff40009000';

describe('ARA-M selection', () => {
  it('answers the real phone session: MANAGE CHANNEL then SELECT by AID on channel 2 → 9000, no data, beside the SIM', () => {
    const card = aramCard();
    // the phone holds the USIM on channel 1 (capture frame 23), then opens 2 for the ARA-M (frame 450)
    expect(tx(card, '0070000001')).toBe('019000');
    expect(tx(card, '01a4040c07a0000000871002')).toBe('9000');
    expect(tx(card, '0070000001')).toBe('029000');
    expect(tx(card, `02${SELECT_ARAM}`)).toBe('9000');
    expect(card.selectedOn(2)?.type).toBe(AramApplet.type);
    // the SIM keeps channel 0
    expect(tx(card, '00a4000c023f00')).toBe('9000');
    expect(card.selectedOn(0)?.aidHex).not.toBe(ARAM_AID);
    // with Le (case 4) and P2=0C too
    expect(tx(card, `02${SELECT_ARAM}00`)).toBe('9000');
    expect(tx(card, `02a4040c09${ARAM_AID}`)).toBe('9000');
    // after a power cycle, again on a new channel; the SIM is back on channel 0
    card.powerOn();
    expect(openAram(card)).toBe(1);
    expect(tx(card, '00a4000c023f00')).toBe('9000');
  });

  it('gives each of the 8 ARA-M SELECTs of the captured phone session the real card\'s answer', () => {
    const trace = readTraceFile(fileURLToPath(new URL('sysmoisim-sja2-gsmtap.pcapng', FX)));
    const ex = [...exchangesOf(trace.events)];
    const selects = ex.filter((e, i) => bytesToHex(e.command).slice(2) === SELECT_ARAM && i > 0);
    expect(selects.length).toBe(8);
    for (const s of selects) {
      const prev = ex[s.index - 1]!; // the MANAGE CHANNEL that opened the channel
      expect(bytesToHex(prev.command)).toBe('0070000001');
      const card = aramCard();
      expect(tx(card, '0070000001')).toBe('019000'); // the USIM's channel, open all session long
      expect(bytesToHex(card.transmit(prev.command))).toBe(bytesToHex(prev.response!));
      expect(bytesToHex(card.transmit(s.command))).toBe(bytesToHex(s.response!));
      expect(swOf(s.response!)).toBe(0x9000);
    }
  });

  it('is installed under A00000015141434C00, not as the default applet; several channels at once', () => {
    const card = aramCard();
    const inst = card.applets.find((a) => a.aidHex === ARAM_AID)!;
    expect(inst.isDefault).toBe(false);
    expect(inst.applet.multiSelectable).toBe(true);
    expect(openAram(card)).toBe(1);
    expect(openAram(card)).toBe(2);
    expect(getData(card, 1, 'ff40')).toBe(EMPTY_ALL);
    expect(getData(card, 2, 'ff40')).toBe(EMPTY_ALL);
  });

  it('answers 6E00 to another class, 6D00 to another INS, 6A86 to an unknown GET DATA P1P2 (DF21 config: v1.0 applet)', () => {
    const card = aramCard();
    const ch = openAram(card);
    expect(tx(card, `0${ch}caff4000`)).toBe('6e00');
    expect(tx(card, `${cla80(ch)}b0000000`)).toBe('6d00');
    expect(tx(card, `${cla80(ch)}ca00c000`)).toBe('6a86');
    expect(tx(card, `${cla80(ch)}cadf2107e405e603010100`)).toBe('6a86');
  });
});

describe('GET DATA', () => {
  it('no rules: FF40 00 (T=0: 6C03 first, as a T=0 card must); refresh tag DF20 08 ‖ 8 bytes', () => {
    const card = aramCard();
    const ch = openAram(card);
    expect(tx(card, `${cla80(ch)}caff4000`)).toBe('6c03');
    expect(tx(card, `${cla80(ch)}caff4003`)).toBe(EMPTY_ALL);
    const tag = getData(card, ch, 'df20');
    expect(tag).toMatch(/^df2008[0-9a-f]{16}9000$/);
    expect(getData(card, ch, 'df20')).toBe(tag); // stable while nothing changes
    expect(tx(card, `${cla80(ch)}caff6000`)).toBe('6a88'); // nothing to page
    expect(tx(card, `${cla80(ch)}ca df20 01 00`.replace(/ /g, ''))).toBe('6700'); // data where none is taken
  });

  it('the same rules and update count give the same refresh tag on every card (deterministic)', () => {
    const a = aramCard();
    const b = aramCard();
    const ca = openAram(a);
    const cb = openAram(b);
    expect(getData(a, ca, 'df20')).toBe(getData(b, cb, 'df20'));
    expect(storeData(a, ca, `f0${len(carrierRule(1))}${carrierRule(1)}`)).toBe('9000');
    expect(storeData(b, cb, `f0${len(carrierRule(1))}${carrierRule(1)}`)).toBe('9000');
    expect(getData(a, ca, 'df20')).toBe(getData(b, cb, 'df20'));
  });

  it('pages a rule set longer than Le: FF40 gives Ne bytes, FF60 the rest, then 6A88; reassembles to the stored rules', () => {
    const rules = [1, 2, 3, 4, 5].map((n) => carrierRule(n)).join('');
    const card = aramCard(hexToBytes(rules));
    const ch = openAram(card);
    const all = `ff40${len(rules)}${rules}`;
    expect(all.length / 2).toBeGreaterThan(256);
    const first = getData(card, ch, 'ff40');
    expect(first.slice(-4)).toBe('9000');
    expect(first.length / 2 - 2).toBe(256);
    const second = getData(card, ch, 'ff60');
    expect(second.slice(-4)).toBe('9000');
    expect(first.slice(0, -4) + second.slice(0, -4)).toBe(all);
    expect(tx(card, `${cla80(ch)}caff6000`)).toBe('6a88');
    // Le smaller than the set: parts of Le bytes
    let got = '';
    let r = tx(card, `${cla80(ch)}caff4064`);
    while (r.endsWith('9000')) {
      got += r.slice(0, -4);
      if (got.length === all.length) break;
      r = ask(card, `${cla80(ch)}caff6064`);
    }
    expect(got).toBe(all);
  });

  it('paging is per channel, ends on deselect, and a rules update under it answers 6A84 (read again)', () => {
    const rules = [1, 2, 3, 4, 5].map((n) => carrierRule(n)).join('');
    const card = aramCard(hexToBytes(rules));
    const c1 = openAram(card);
    const c2 = openAram(card);
    getData(card, c1, 'ff40');
    expect(tx(card, `${cla80(c2)}caff6000`)).toBe('6a88');
    expect(getData(card, c1, 'ff60').slice(-4)).toBe('9000');
    getData(card, c1, 'ff40');
    expect(storeData(card, c2, 'f100')).toBe('9000');
    expect(tx(card, `${cla80(c1)}caff6000`)).toBe('6a84');
    expect(getData(card, c1, 'ff40')).toBe(EMPTY_ALL);
    // closing the channel (deselect) drops the paging
    const full = [1, 2, 3, 4, 5].map((n) => carrierRule(n)).join('');
    expect(storeData(card, c2, `f0${len(carrierRule(1))}${carrierRule(1)}`)).toBe('9000');
    for (let n = 2; n <= 5; n++) expect(storeData(card, c2, `f0${len(carrierRule(n))}${carrierRule(n)}`)).toBe('9000');
    expect(getData(card, c1, 'ff40').length / 2 - 2).toBe(256);
    expect(tx(card, `007080${c1.toString(16).padStart(2, '0')}00`)).toBe('9000');
    expect(openAram(card)).toBe(c1);
    expect(tx(card, `${cla80(c1)}caff6000`)).toBe('6a88');
    expect(getData(card, c1, 'ff40').slice(0, 4 + len(full).length)).toBe(`ff40${len(full)}`);
  });

  it('GET DATA [Specific] FF50: the AR-DO of a stored REF-DO; 6A88 for an unknown one; 6A80 for a malformed one', () => {
    const rule = gpRule('a000000151000000', 7);
    const card = aramCard(hexToBytes(rule));
    const ch = openAram(card);
    const refDo = rule.slice(4, 4 + 4 + parseInt(rule.slice(6, 8), 16) * 2);
    expect(refDo.startsWith('e1')).toBe(true);
    const arDo = rule.slice(4 + refDo.length);
    expect(ask(card, `${cla80(ch)}caff50${len(refDo)}${refDo}00`)).toBe(`ff50${len(arDo)}${arDo}9000`);
    const other = encodeRefArDo({ aid: hexToBytes('a000000151000000'), deviceAppId: new Uint8Array(20).fill(8), apdu: 'always' });
    const otherRef = bytesToHex(other).slice(4, 4 + 4 + other[3]! * 2);
    expect(tx(card, `${cla80(ch)}caff50${len(otherRef)}${otherRef}00`)).toBe('6a88');
    expect(tx(card, `${cla80(ch)}caff5003e1014f00`)).toBe('6a80');
  });
});

describe('STORE DATA', () => {
  it('stores a rule (pySim aram_store_ref_ar_do form): GET DATA returns it byte for byte, the refresh tag moves', () => {
    const card = aramCard();
    const ch = openAram(card);
    const tag0 = getData(card, ch, 'df20');
    const rule = carrierRule(1);
    expect(storeData(card, ch, `f0${len(rule)}${rule}`)).toBe('9000');
    expect(getData(card, ch, 'ff40')).toBe(`ff40${len(rule)}${rule}9000`);
    const tag1 = getData(card, ch, 'df20');
    expect(tag1).not.toBe(tag0);
    // a second rule is appended; two in one Command-Store-REF-AR-DO also
    const r2 = gpRule('a0000001515350', 2);
    const r3 = gpRule('a0000001515351', 3);
    expect(storeData(card, ch, `f0${len(r2 + r3)}${r2}${r3}`)).toBe('9000');
    expect(getData(card, ch, 'ff40')).toBe(`ff40${len(rule + r2 + r3)}${rule}${r2}${r3}9000`);
    expect(getData(card, ch, 'df20')).not.toBe(tag1);
  });

  it('refuses a rule whose REF-DO is stored already (6A89), and nothing changes', () => {
    const rule = carrierRule(1);
    const card = aramCard(hexToBytes(rule));
    const ch = openAram(card);
    const before = aramState(card);
    const same = bytesToHex(encodeRefArDo({ deviceAppId: new Uint8Array(32).fill(1), packageName: 'com.example.carrier1', permissions: new Uint8Array(8) }));
    expect(storeData(card, ch, `f0${len(same)}${same}`)).toBe('6a89');
    const twice = carrierRule(2);
    expect(storeData(card, ch, `f0${len(twice + twice)}${twice}${twice}`)).toBe('6a89');
    expect(aramState(card)).toBe(before);
  });

  it('delete all (pySim aram_delete_all: 80 E2 90 00 02 F1 00), also when empty; the refresh tag moves each time', () => {
    const card = aramCard(hexToBytes(carrierRule(1) + carrierRule(2)));
    const ch = openAram(card);
    const tags = [getData(card, ch, 'df20')];
    expect(tx(card, `${cla80(ch)}e2900002f100`)).toBe('9000');
    expect(getData(card, ch, 'ff40')).toBe(EMPTY_ALL);
    tags.push(getData(card, ch, 'df20'));
    expect(tx(card, '80e2900002f100')).toBe('6d00'); // channel 0 is the SIM's
    expect(storeData(card, ch, 'f100')).toBe('9000');
    tags.push(getData(card, ch, 'df20'));
    expect(storeData(card, ch, 'f200')).toBe('9000'); // Command-UpdateRefreshTag-DO
    tags.push(getData(card, ch, 'df20'));
    expect(new Set(tags).size).toBe(4);
    // the deleted rules do not linger in persistent memory
    expect(aramState(card)).not.toContain(carrierRule(1).slice(8, 40));
  });

  it('deletes by AID-REF-DO, by REF-DO and by REF-AR-DO; 6A88 when nothing matches', () => {
    const a1 = gpRule('a0000001515350', 1);
    const a2 = gpRule('a0000001515350', 2);
    const b1 = gpRule('a0000001515351', 1);
    const c = carrierRule(9);
    const card = aramCard(hexToBytes(a1 + a2 + b1 + c));
    const ch = openAram(card);
    expect(storeData(card, ch, 'f1094f07a0000001515350')).toBe('9000');
    expect(getData(card, ch, 'ff40')).toBe(`ff40${len(b1 + c)}${b1}${c}9000`);
    expect(storeData(card, ch, 'f1094f07a0000001515350')).toBe('6a88');
    const refB1 = b1.slice(4, 4 + 4 + parseInt(b1.slice(6, 8), 16) * 2);
    expect(storeData(card, ch, `f1${len(refB1)}${refB1}`)).toBe('9000');
    expect(storeData(card, ch, `f1${len(c)}${c}`)).toBe('9000');
    expect(getData(card, ch, 'ff40')).toBe(EMPTY_ALL);
  });

  it('malformed STORE DATA → 6A80 (wrong P1P2 6A86, unsupported DO 6981), and nothing changes', () => {
    const card = aramCard(hexToBytes(carrierRule(1)));
    const ch = openAram(card);
    const before = aramState(card);
    const tag = getData(card, ch, 'df20');
    const rule = carrierRule(2);
    const body = rule.slice(4); // E2's value
    const cases: [string, string][] = [
      [`f0${len(rule)}${rule}00`, 'trailing byte inside F0'],
      [`f0${len(rule)}${rule}f100`, 'two command DOs'],
      [`f081${len(rule)}${rule}`, 'non-minimal length'],
      [`e2${len(body)}${body}`, 'REF-AR-DO without F0'],
      ['f004e202e100', 'REF-AR-DO without AR-DO'],
      ['f00ae208e104c100c000e300', 'C0 after C1'],
      ['f008e206e102c100e300', 'empty AR-DO'],
      ['f00be209e103c10101e302d000', 'C1 of 1 byte'],
      ['f00ae208e102c100e302d000', 'empty APDU-AR-DO'],
      ['f00ee20ce1054f03a00000e303d00101', 'AID of 3 bytes'],
      ['f00ee20ce102c100e306d00101d00100', 'APDU-AR-DO twice'],
      ['f00ae208e102c100e302d003', 'APDU-AR-DO value runs past its end'],
      ['f00de20be102c100e305d003010203', 'APDU-AR-DO of 3 bytes'],
      ['f00ae208e102c100e302d102', 'NFC-AR-DO truncated'],
      ['f00be209e102c100e303d10102', 'NFC-AR-DO value 02'],
      ['f00be209e102c100e303db0101', 'PERM-AR-DO of 1 byte'],
      ['f000', 'Command-Store-REF-AR-DO without rules'],
      ['f20100', 'UpdateRefreshTag with data'],
      ['f1034f0100', 'delete: AID of 1 byte'],
      ['f104c000c000', 'delete: two objects'],
      ['aa00', 'unknown command DO'],
      ['f0', 'no length'],
      ['ff', 'truncated tag'],
    ];
    for (const [data, why] of cases) expect(storeData(card, ch, data), why).toBe('6a80');
    expect(tx(card, `${cla80(ch)}e2800002f100`)).toBe('6a86');
    expect(tx(card, `${cla80(ch)}e2900102f100`)).toBe('6a86');
    expect(storeData(card, ch, 'f400')).toBe('6981');
    expect(aramState(card)).toBe(before);
    expect(getData(card, ch, 'df20')).toBe(tag);
    expect(getData(card, ch, 'ff40')).toBe(`ff40${len(carrierRule(1))}${carrierRule(1)}9000`);
  });

  it(`keeps at most ${ARAM_RULES_CAPACITY} bytes of rules: the store that does not fit → 6A84, nothing changes`, () => {
    const card = aramCard();
    const ch = openAram(card);
    let n = 0;
    let stored = '';
    for (;;) {
      const r = carrierRule(n + 1, `com.example.a.long.package.name.for.rule.number.${n + 1}`);
      if ((stored.length + r.length) / 2 > ARAM_RULES_CAPACITY) {
        const before = aramState(card);
        expect(storeData(card, ch, `f0${len(r)}${r}`)).toBe('6a84');
        expect(aramState(card)).toBe(before);
        break;
      }
      expect(storeData(card, ch, `f0${len(r)}${r}`)).toBe('9000');
      stored += r;
      n++;
    }
    expect(n).toBeGreaterThan(5);
    // all of it reads back through FF40 + FF60
    let got = getData(card, ch, 'ff40').slice(0, -4);
    for (let r = getData(card, ch, 'ff60'); r.endsWith('9000'); r = getData(card, ch, 'ff60')) got += r.slice(0, -4);
    expect(got).toBe(`ff40${len(stored)}${stored}`);
  });
});

describe('installAram and the card image', () => {
  it('installs initial rules; refuses malformed, repeated or oversized ones (RangeError) and non-bytes (TypeError)', () => {
    const card = new Card();
    expect(() => installAram(card, { rules: hexToBytes('e200') })).toThrow(RangeError);
    expect(() => installAram(new Card(), { rules: hexToBytes(carrierRule(1) + carrierRule(1)) })).toThrow(/repeats/);
    const big = Array.from({ length: 20 }, (_, i) => carrierRule(i + 1, `com.example.package.${i}.padding.padding`)).join('');
    expect(() => installAram(new Card(), { rules: hexToBytes(big) })).toThrow(RangeError);
    expect(() => new Card().install(AramApplet, { aid: ARAM_AID, personalization: { rules: 'e2' } })).toThrow(TypeError);
    const ok = aramCard(hexToBytes(carrierRule(3)));
    expect(getData(ok, openAram(ok), 'ff40')).toBe(`ff40${len(carrierRule(3))}${carrierRule(3)}9000`);
  });

  it('survives serializeImage / parseImage: same rules, same refresh tag, same answers', () => {
    const card = aramCard();
    const ch = openAram(card);
    const rule = gpRule('a0000001515350', 4);
    expect(storeData(card, ch, `f0${len(rule)}${rule}`)).toBe('9000');
    const tag = getData(card, ch, 'df20');
    const text = serializeImage(card);
    expect(JSON.parse(text).applets.map((a: { type: string }) => a.type)).toContain('cardforge.aram');
    const copy = parseImage(text, { registry: APPLET_REGISTRY });
    copy.powerOn();
    const c2 = openAram(copy);
    expect(getData(copy, c2, 'df20')).toBe(tag);
    expect(getData(copy, c2, 'ff40')).toBe(`ff40${len(rule)}${rule}9000`);
    expect(serializeImage(copy)).toBe(text);
  });

  it('the trace decoder names the commands on the ARA-M\'s channel GET_DATA / STORE_DATA', () => {
    const d = new ExchangeDecoder();
    d.observe(hexToBytes('0070000001'), hexToBytes('029000'));
    d.observe(hexToBytes(`02${SELECT_ARAM}`), hexToBytes('9000'));
    expect(d.command(hexToBytes('82caff4000')).name).toBe('GET_DATA');
    expect(d.command(hexToBytes('82e2900002f100')).name).toBe('STORE_DATA');
  });
});
