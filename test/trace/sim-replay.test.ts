/**
 * A trace recorded from a personalized SIM (classic RUN GSM ALGORITHM, USIM AUTHENTICATE in GSM
 * and 3G context) replayed against the same card is byte-exact; against a card with another Ki
 * exactly the key-dependent fields differ (apdu-specs `keyDependent`: SRES and Kc of the GET
 * RESPONSE that follows 9F0C, the AUTHENTICATE result), and with `maskKeyDependent` they no longer
 * count. A 3G AUTHENTICATE cannot reach RES/CK/IK on the other card: AUTN's MAC is computed with
 * K, so it answers 9862 (MAC failure) — a real status-word difference the replay must report.
 * Guards: key-dependent diffs hidden by default, a GET RESPONSE compared as undeclared data (the
 * field names lost), masking that swallows a genuinely different file content (IMSI).
 */
import { describe, expect, it } from 'vitest';
import { generateAuthVector, milenageAka, sqnToBytes } from '../../card/algorithms/index.js';
import { USIM_AID } from '../../card/applets/sim/index.js';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { RecordingTransport, TraceRecorder } from '../../host/trace/record.js';
import { MemorySink } from '../../host/trace/io.js';
import { readTraceText } from '../../host/trace/formats/index.js';
import { compareResponse, replay, type ReplayOptions } from '../../host/trace/replay.js';
import { PERSO, pinField, simCard } from '../applets/sim/helpers.js';

const KI_B = '0123456789abcdef0123456789abcdef';
const RAND1 = '23553cbe9637a89d218ae64dae47bf35';
const RAND2 = 'c00d603103dcee52c4478119494202e8';

function session(): Uint8Array[] {
  const v = generateAuthVector(milenageAka(hexToBytes(PERSO.ki), hexToBytes(PERSO.opc!)), hexToBytes(RAND2), sqnToBytes(64), hexToBytes('8000'));
  // The emulator transport runs the T=0 GET RESPONSE itself: each exchange carries its data.
  return [
    'a0a40000023f00', 'a0a40000027f20', `a020000108${pinField('1234')}`, 'a0a40000026f07', 'a0b0000009',
    `a088000010${RAND1}`, `a088000010${RAND2}`,
    `00a4040410${USIM_AID}`, `0020000108${pinField('1234')}`,
    `008800801110${RAND1}`, `008800812210${bytesToHex(v.rand)}10${bytesToHex(v.autn)}`,
  ].map(hexToBytes);
}

async function record(): Promise<string> {
  const sink = new MemorySink();
  const t = new RecordingTransport(new EmulatorTransport(simCard()), new TraceRecorder(sink, { target: 'sim A' }));
  await t.connect();
  for (const c of session()) await t.transmit(c);
  await t.close();
  return sink.text();
}

async function replayOn(text: string, perso: Parameters<typeof simCard>[1], opts: ReplayOptions = {}) {
  const t = new EmulatorTransport(simCard({}, perso));
  try {
    return await replay(readTraceText(text, 'native', 'sim.jsonl'), t, opts);
  } finally {
    await t.close();
  }
}

describe('SIM trace replay against another Ki', () => {
  it('against the recording card: byte-exact', async () => {
    const r = await replayOn(await record(), {});
    expect(r).toMatchObject({ exchanges: 11, same: 11, different: 0, ok: true });
  });

  it('another Ki: only SRES, Kc and the AUTHENTICATE result differ (key-dependent), plus the 3G MAC failure', async () => {
    const r = await replayOn(await record(), { ki: KI_B });
    expect(r.ok).toBe(false);
    const byIndex = new Map(r.notable.map((x) => [x.index, x]));
    // RUN GSM ALGORITHM: SRES ‖ Kc.
    for (const i of [5, 6]) {
      const x = byIndex.get(i)!;
      expect(x.diffs.map((d) => [d.field, d.keyDependent, d.masked])).toEqual([['sres', true, false], ['kc', true, false]]);
    }
    // GSM-context AUTHENTICATE: 04 SRES 08 Kc, same length, other value.
    const g = byIndex.get(9)!;
    expect(g.diffs.map((d) => [d.field, d.keyDependent, d.masked])).toEqual([['result', true, false]]);
    expect(g.diffs[0]!.actual.length).toBe(g.diffs[0]!.expected.length);
    // 3G context: the other K fails AUTN's MAC (9862) instead of DB RES CK IK Kc.
    const a = byIndex.get(10)!;
    expect(a.diffs.map((d) => [d.field, d.keyDependent === true])).toEqual([['SW', false], ['data', false]]);
    expect(bytesToHex(a.actual!)).toBe('9862');
    expect([...byIndex.keys()]).toEqual([5, 6, 9, 10]);
  });

  it('another Ki with maskKeyDependent: the 2G answers count as masked; the 3G MAC failure still counts', async () => {
    const r = await replayOn(await record(), { ki: KI_B }, { maskKeyDependent: true });
    expect(r).toMatchObject({ exchanges: 11, masked: 3, different: 1, ok: false });
    expect(r.notable.filter((x) => x.status === 'different').map((x) => x.index)).toEqual([10]);
  });

  it('another Ki and another IMSI: the IMSI read is a real difference even with maskKeyDependent', async () => {
    const r = await replayOn(await record(), { ki: KI_B, imsi: '001019999999999' }, { maskKeyDependent: true });
    const imsi = r.notable.find((x) => x.index === 4)!;
    expect(imsi.status).toBe('different');
    expect(imsi.diffs.every((d) => !d.masked && !d.keyDependent)).toBe(true);
  });

  it('a GET RESPONSE after 9F0C is cut by RUN GSM ALGORITHM\'s declared response (raw T=0 traces)', () => {
    const run = hexToBytes(`a088000010${RAND1}`);
    const getResponse = hexToBytes('a0c000000c');
    const c = compareResponse(getResponse, hexToBytes('46f8416aeae4be823af9a08b9000'), hexToBytes('46f8416a0d4cb56d15ddb5519000'), false, { dataOf: run, maskKeyDependent: true });
    expect(c.status).toBe('masked');
    expect(c.diffs.map((d) => [d.field, d.keyDependent, d.masked])).toEqual([['kc', true, true]]);
    expect(compareResponse(getResponse, hexToBytes('46f8416aeae4be823af9a08b9000'), hexToBytes('46f8416a0d4cb56d15ddb5519000')).diffs.map((d) => d.field)).toEqual(['data']);
  });
});
