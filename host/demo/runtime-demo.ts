/**
 * The demo of the card runtime on the embedded emulator (no hardware): power-up and protocol,
 * applet selection, logical channels, the T=0 GET RESPONSE dance, a 3-write transaction cut by a
 * power loss at every write, error status words, and the card image on disk. Each step prints the
 * APDUs decoded from apdu-specs and a verdict; the result says whether every verdict held.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Card, buildAtr, hexToBytes, bytesToHex, parseAtr, tearSweep, SeededRng } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/index.js';
import { saveImageFile, loadImageFile } from '../store/index.js';
import { decodeCommand, decodeResponse } from '../trace/decode.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { DemoReport, type DemoOutput } from './report.js';

export type { DemoOutput } from './report.js';

function newCard(atr?: Uint8Array): Card {
  const card = new Card({ ...(atr ? { atr } : {}), rng: new SeededRng('cardforge demo') });
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  return card;
}

export function runRuntimeDemo(out: DemoOutput): { passed: number; failed: number } {
  const report = new DemoReport(out);
  const step = (title: string): void => report.step(title);
  const verdict = (ok: boolean, what: string): boolean => report.verdict(ok, what);
  const send = (card: Card, hex: string): string => {
    const cmd = hexToBytes(hex);
    const resp = card.transmit(cmd);
    const c = decodeCommand(cmd);
    const r = decodeResponse(resp);
    out.line(`   > ${c.text.toUpperCase().padEnd(30)} ${c.name}${c.channel ? ` (channel ${c.channel})` : ''}`);
    out.line(`   < ${(bytesToHex(r.data).toUpperCase() + ' ' + r.swHex.toUpperCase()).trim().padEnd(30)} ${r.meaning}`);
    return bytesToHex(resp);
  };

  step('1. Power on a T=1 card with the loopback applet as default applet');
  const card = newCard();
  const atr = card.powerOn();
  const info = parseAtr(atr);
  out.line(`   ATR ${bytesToHex(atr).toUpperCase()}  (protocols T=${info.protocols.join(', T=')}; historical "${new TextDecoder().decode(info.historical)}")`);
  verdict(card.protocol === 'T=1', 'the ATR decides the protocol: T=1');

  step('2. Select the applet by a partial AID, then call it');
  verdict(send(card, '00A4040007' + LOOPBACK_AID.slice(0, 14)) === '9000', 'right-truncated AID selects the applet');
  verdict(send(card, '8012000010').endsWith('9000'), 'FIXED16 returns 16 bytes');
  const sha = send(card, '8014000009' + bytesToHex(new TextEncoder().encode('cardforge')) + '00');
  verdict(sha === bytesToHex(sha256(new TextEncoder().encode('cardforge'))) + '9000', 'SHA256 of "cardforge" matches the host\'s digest');

  step('3. Logical channels: open one, use it, close it');
  verdict(send(card, '0070000001') === '019000', 'MANAGE CHANNEL assigns channel 1 (default applet selected there)');
  verdict(send(card, '8112000010').endsWith('9000'), 'the applet answers on channel 1');
  verdict(send(card, '00708001') === '9000', 'channel 1 closed');
  verdict(send(card, '8112000010') === '6881', 'a closed channel answers 6881');

  step('4. A T=0 card: case-4 data comes through 61xx and GET RESPONSE; a wrong Le gets 6Cxx');
  const t0 = newCard(buildAtr([0], new TextEncoder().encode('cf')));
  t0.powerOn();
  verdict(send(t0, '8010000004CAFEF00D') === '6104', 'ECHO answered 6104: four bytes wait');
  verdict(send(t0, '00C0000008') === '6c04', 'GET RESPONSE with Le=08 → 6C04, the exact length');
  verdict(send(t0, '00C0000004') === 'cafef00d9000', 'GET RESPONSE with Le=04 delivers the data');

  step('5. Malformed and unknown commands get the right status word and change nothing');
  verdict(send(card, '801000') === '6700', 'three bytes → 6700');
  verdict(send(card, '8010000005AABB') === '6700', 'Lc disagreeing with the data → 6700');
  verdict(send(card, '80EE0000') === '6d00', 'unknown INS → 6D00');
  verdict(send(card, 'B0100000') === '6e00', 'unknown class → 6E00');
  verdict(send(card, '801E0000') === '6f00', 'an exception inside the applet → 6F00 …');
  verdict(send(card, '8018000003') === '0000009000', '… and the card keeps working, state unchanged');

  step('6. A 3-write transaction, then the same command torn after every persistent write');
  verdict(send(card, '8016000003010203') === '9000', 'TX3 writes 01 02 03 in one transaction');
  const points: string[] = [];
  const sweep = tearSweep(card, hexToBytes('8016000003AABBCC'), ({ point, torn, card: c }) => {
    const state = bytesToHex(c.transmit(hexToBytes('8018000003')).subarray(0, 3));
    points.push(state);
    out.line(`   power cut after write ${point}${torn ? '' : ' (none: completed)'} → state after power-up ${state.toUpperCase()}`);
  });
  verdict(points.every((p) => p === '010203' || p === 'aabbcc'), `every one of ${sweep.writes} tear points leaves all old or all new values`);

  step('7. The card image on disk: saved atomically, loaded back');
  const dir = mkdtempSync(join(tmpdir(), 'cardforge-demo-'));
  try {
    const path = join(dir, 'card.json');
    saveImageFile(path, card);
    out.line(`   saved ${path}`);
    const back = loadImageFile(path);
    back.powerOn();
    verdict(send(back, '8018000003') === 'aabbcc9000', 'the reloaded card holds what the card acknowledged');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return report.finish();
}
