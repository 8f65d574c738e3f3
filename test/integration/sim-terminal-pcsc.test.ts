/**
 * What a terminal (phone, modem, pySim) sends to a SIM on a T=0 reader, through the real stack:
 * `cardforge emulate` serves a personalized SIM+USIM image (slot 0) and a classic SIM image
 * (slot 1) to one private pcscd via vpcd; opensc-tool and scriptor (third-party clients) and
 * `cardforge send --reader` talk to them. Checks the case-1 forms `CLA INS P1 P2 00` of the PIN
 * retry query and the STATUS poll, a second logical channel with the USIM while channel 0 stays
 * in DF_GSM, class A0 STATUS / GET RESPONSE on the classic card, and what really happens to a
 * case-4 command on T=0: pcscd passes the APDU unchanged (vpcd is APDU-level), the card answers
 * 61xx / 9Fxx, OpenSC drops Le on T=0 and fetches 61xx itself but not 9Fxx, scriptor fetches nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, REPO } from '../cli/built-cli.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { pcscSuiteNote, skipPcsc, startStack } from './pcsc-stack.js';
import { EmulatorProcess } from './emulator-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const USIM_AID = 'A0000000871002';
const IMSI_EF = '080910101032547698'; // 001010123456789, TS 31.102 §4.2.2
const SPN_EF = '0163617264666F726765FFFFFFFFFFFFFF'; // display condition 01, "cardforge", FF padding
const PIN1 = '31323334FFFFFFFF'; // "1234"

interface Exchange {
  command: string;
  data: string;
  sw: string;
}

const hex = (s: string): string => s.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();

/** opensc-tool -s output → one exchange per "Sending:" (data = the hex columns of the dump). */
function parseOpensc(out: string): Exchange[] {
  const ex: Exchange[] = [];
  let cur: Exchange | undefined;
  for (const line of out.split('\n')) {
    const sending = /^Sending: ([0-9A-F ]+)/.exec(line);
    const received = /^Received \(SW1=0x([0-9A-F]{2}), SW2=0x([0-9A-F]{2})\)/.exec(line);
    if (sending) ex.push((cur = { command: hex(sending[1]!), data: '', sw: '' }));
    else if (received && cur) cur.sw = received[1]! + received[2]!;
    else if (cur?.sw && /^([0-9A-F]{2} )+/.test(line)) cur.data += hex(line.slice(0, 48)); // 16 bytes "XX " then ASCII
  }
  return ex;
}

/** scriptor output → one exchange per "> command" / "< response : text" pair (reset excluded). */
function parseScriptor(out: string): Exchange[] {
  return [...out.matchAll(/^> ([0-9A-F ]+?)\s*\n< ([0-9A-F\s]+?) : /gm)].map((m) => {
    const rsp = hex(m[2]!);
    return { command: hex(m[1]!), data: rsp.slice(0, -4), sw: rsp.slice(-4) };
  });
}

describe.skipIf(skipPcsc)(`SIM terminal commands on a T=0 reader through pcscd + vpcd${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  let dir: string;
  let usim: EmulatorProcess | undefined;
  let classic: EmulatorProcess | undefined;
  let usimAtr: string;
  let classicAtr: string;

  const tool = (cmd: string, args: string[]): { status: number | null; out: string } => {
    const r = spawnSync(cmd, args, { env: stack.env(), encoding: 'utf8', timeout: 20_000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  /** opensc-tool -r READER -s APDU... in one session; exits 0 and prints every exchange. */
  const opensc = (slot: number, apdus: string[]): Exchange[] => {
    const r = tool('opensc-tool', ['-r', stack.readerName(slot), ...apdus.flatMap((a) => ['-s', a])]);
    expect(r.status, r.out).toBe(0);
    const ex = parseOpensc(r.out);
    expect(ex.map((e) => e.command), r.out).toEqual(apdus.map(hex));
    return ex;
  };

  /** scriptor with a cold "reset" first, then the APDUs; returns the protocol line and the exchanges. */
  const scriptor = (slot: number, name: string, apdus: string[]): { out: string; ex: Exchange[] } => {
    const script = join(dir, `${name}.scriptor`);
    writeFileSync(script, ['reset', ...apdus.map((a) => hex(a).replace(/(..)(?!$)/g, '$1 ')), 'exit', ''].join('\n'));
    const r = tool('scriptor', ['-r', stack.readerName(slot), script]);
    expect(r.status, r.out).toBe(0);
    const ex = parseScriptor(r.out);
    expect(ex.map((e) => e.command), r.out).toEqual(apdus.map(hex));
    return { out: r.out, ex };
  };

  const sendReader = async (slot: number, apdus: string[]): Promise<Array<{ command: string; response: string; sw: string }>> => {
    const r = await runCli(['send', '--reader', stack.readerName(slot), '--json', ...apdus], { env: stack.env() });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout);
  };

  /** The emulator's -v log since `mark`, once it matches `re` (spawnSync blocks this process, so
   * the log lines arrive after the tool has exited). */
  const logSince = async (emu: EmulatorProcess, mark: number, re: RegExp): Promise<string> => {
    const deadline = Date.now() + 3000;
    while (!re.test(emu.stderr.slice(mark)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return emu.stderr.slice(mark);
  };

  async function personalize(name: string, personality: 'both' | 'classic'): Promise<{ image: string; atr: string }> {
    const profile = join(dir, `${name}.yaml`);
    const image = join(dir, `${name}.json`);
    const yaml = readFileSync(join(REPO, 'profiles/example-sim.yaml'), 'utf8');
    expect(yaml).toMatch(/^personality: both\b/m);
    writeFileSync(profile, yaml.replace(/^personality: both\b/m, `personality: ${personality}`));
    const r = await runCli(['personalize', profile, '-o', image]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${personality} SIM`);
    const m = /ATR ([0-9A-F]+) \(T=0\)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    return { image, atr: m![1]! };
  }

  beforeAll(async () => {
    stack = await startStack();
    dir = tempDir('cf-sim-terminal-');
    const [u, c] = await Promise.all([personalize('usim', 'both'), personalize('classic', 'classic')]);
    usimAtr = u.atr;
    classicAtr = c.atr;
    [usim, classic] = await Promise.all([
      EmulatorProcess.start(stack, u.image, { slot: 0, args: ['-v'] }),
      EmulatorProcess.start(stack, c.image, { slot: 1, args: ['-v'] }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([usim?.stop('SIGTERM', 0), classic?.stop('SIGTERM', 1)]);
    await stack?.stop();
  });

  it('pcscd sees the T=0 ATRs: opensc-tool --atr prints them, scriptor negotiates T=0', () => {
    for (const [slot, atr] of [[0, usimAtr], [1, classicAtr]] as const) {
      const r = tool('opensc-tool', ['-r', stack.readerName(slot), '--atr']);
      expect(r.status, r.out).toBe(0);
      expect(hex(r.out.trim())).toBe(atr);
      const s = scriptor(slot, `atr-${slot}`, []);
      expect(s.out).toContain('Using T=0 protocol');
      expect(hex(/< OK: ([0-9A-F ]+)/.exec(s.out)![1]!)).toBe(atr);
    }
  });

  it('PIN retry queries 00 20 00 01 00 and A0 20 00 01 00 answer 63C3 (opensc-tool, scriptor, cardforge send)', async () => {
    const ex = opensc(0, ['0020000100', 'A020000100']);
    expect(ex.map((e) => [e.data, e.sw])).toEqual([['', '63C3'], ['', '63C3']]);
    const s = scriptor(0, 'retries', ['0020000100', 'A020000100', '0020008100']);
    expect(s.ex.map((e) => e.sw)).toEqual(['63C3', '63C3', '63C3']); // PIN2 too
    // scriptor shows the raw SW: no GET RESPONSE is attempted on 63Cx
    expect(s.out.replace(/\s+/g, ' ')).toMatch(/< 63 C3 : State of non-volatile memory changed\. Counter: 0x3/);
    expect(await sendReader(0, ['0020000100', 'A020000100'])).toEqual([
      { command: '0020000100', response: '63c3', sw: '63c3' },
      { command: 'a020000100', response: '63c3', sw: '63c3' },
    ]);
    // the card saw exactly the 5-byte case-1 form, once each, nothing fetched behind it
    expect(usim!.stderr).toMatch(/> 00 20 00 01 00 {2}\(UICC_VERIFY_PIN\).*\n< 63C3/);
    expect(usim!.stderr).toMatch(/> A0 20 00 01 00 {2}\(GSM_VERIFY_CHV\).*\n< 63C3/);
  });

  it('the STATUS poll 80 F2 00 0C 00 answers 9000 with no data', async () => {
    expect(opensc(0, ['80F2000C00']).map((e) => [e.data, e.sw])).toEqual([['', '9000']]);
    expect(scriptor(0, 'status', ['80F2000C00']).ex.map((e) => [e.data, e.sw])).toEqual([['', '9000']]);
    expect(await sendReader(0, ['80F2000C00'])).toEqual([{ command: '80f2000c00', response: '9000', sw: '9000' }]);
  });

  it('channel 1 runs the USIM (READ of EF_IMSI after VERIFY PIN) while channel 0 stays on DF_GSM/EF_SPN', () => {
    const s = scriptor(0, 'channels', [
      '0070000001', // MANAGE CHANNEL open, case 2: the number comes back directly
      '00A4000C023F00',
      '00A4000C027F20',
      '00A4000C026F46', // channel 0: DF_GSM/EF_SPN
      `01A4040C07${USIM_AID}`, // channel 1: ADF_USIM
      '01A4000C026F07', // channel 1: EF_IMSI of the USIM
      '01B0000009', // PIN not yet verified
      `0020000108${PIN1}`, // VERIFY PIN on channel 0: the PIN state is shared
      '01B0000009',
      '00B0000011', // channel 0 still has EF_SPN
      '01B0000009',
      '0070000000', // MANAGE CHANNEL open, case 1 on T=0: 6101, the number behind GET RESPONSE
      '00C0000001',
      '0070800200',
      '0070800100',
      '01B0000009', // channel 1 is closed
    ]);
    expect(s.ex.map((e) => [e.command, e.data, e.sw])).toEqual([
      ['0070000001', '01', '9000'],
      ['00A4000C023F00', '', '9000'],
      ['00A4000C027F20', '', '9000'],
      ['00A4000C026F46', '', '9000'],
      [`01A4040C07${USIM_AID}`, '', '9000'],
      ['01A4000C026F07', '', '9000'],
      ['01B0000009', '', '6982'],
      [`0020000108${PIN1}`, '', '9000'],
      ['01B0000009', IMSI_EF, '9000'],
      ['00B0000011', SPN_EF, '9000'],
      ['01B0000009', IMSI_EF, '9000'],
      ['0070000000', '', '6101'],
      ['00C0000001', '02', '9000'],
      ['0070800200', '', '9000'],
      ['0070800100', '', '9000'],
      ['01B0000009', '', '6881'],
    ]);
  });

  it('opensc-tool opens channel 1 and selects ADF_USIM on it; cardforge send fetches the 6101 answer itself', async () => {
    const ex = opensc(0, ['0070000001', `01A4040C07${USIM_AID}`, '01A4000C026FAD', '01B0000004', '0070800100']);
    expect(ex.map((e) => e.sw)).toEqual(['9000', '9000', '9000', '9000', '9000']);
    expect(ex[0]!.data).toMatch(/^0[1-9A-F]$/);
    const mark = usim!.stderr.length;
    const opened = await sendReader(0, ['0070000000']);
    expect(opened).toHaveLength(1);
    expect(opened[0]!.sw).toBe('9000');
    expect(opened[0]!.response).toMatch(/^0[1-9a-f]9000$/);
    const fetched = /> 00 70 00 00 00 {2}\(MANAGE_CHANNEL\).*\n< 6101 .*\n.*> 00 C0 00 00 01 {2}\(GET_RESPONSE\)/;
    expect(await logSince(usim!, mark, fetched)).toMatch(fetched);
    // Closing it is the scriptor session's part (one connection): between two client processes
    // pcscd may reset the card, which closes every channel (ISO/IEC 7816-4 §5.4.1).
  });

  it('case 4 on T=0: the card answers 61xx; OpenSC fetches it (Le dropped), scriptor shows 61xx, send --reader fetches it', async () => {
    const mark = usim!.stderr.length;
    const ex = opensc(0, ['00A40004023F0000', '00A40004023F00']);
    expect(ex[0]!.sw).toBe('9000');
    expect(ex[0]!.data).toMatch(/^62..8202..21/); // FCP of the MF
    // OpenSC sent the case-4 SELECT as case 3 (no Le on T=0) and fetched the 612B itself
    const leDropped = /> 00 A4 00 04 02 3F 00 {2}\(SELECT[^)]*\).*\n< 61([0-9A-F]{2}) .*\n.*> 00 C0 00 00 \1 {2}\(GET_RESPONSE\)/;
    expect(await logSince(usim!, mark, leDropped)).toMatch(leDropped);
    // the same APDU given as case 3: OpenSC reports the 61xx as 9000 without data (no GET RESPONSE)
    expect([ex[1]!.data, ex[1]!.sw]).toEqual(['', '9000']);
    const fcpLen = (ex[0]!.data.length / 2).toString(16).toUpperCase().padStart(2, '0');
    const s = scriptor(0, 'case4', ['00A40004023F0000', `00C00000${fcpLen}`]);
    expect(s.ex.map((e) => [e.data, e.sw])).toEqual([['', `61${fcpLen}`], [ex[0]!.data, '9000']]);
    expect(await sendReader(0, ['00A40004023F0000'])).toEqual([{ command: '00a40004023f0000', response: `${ex[0]!.data.toLowerCase()}9000`, sw: '9000' }]);
  });

  it('classic card: A0 F2 00 00 16 gives the first 22 bytes of the STATUS answer + 9000; class 00 gives 6E00', async () => {
    const ex = opensc(1, ['A0A40000023F00', 'A0F2000016', 'A0F2000017', '00F2000016', '00A4000C023F00', '0020000100']);
    expect(ex.map((e) => e.sw)).toEqual(['9F17', '9000', '9000', '6E00', '6E00', '6E00']);
    expect(ex[1]!.data).toHaveLength(44);
    expect(ex[2]!.data).toHaveLength(46);
    expect(ex[2]!.data.startsWith(ex[1]!.data)).toBe(true);
    expect(ex[1]!.data.slice(8, 14)).toBe('3F0001'); // file id of the MF, type MF (TS 51.011 §9.2.1)
    const s = scriptor(1, 'classic', ['A0F2000016', '00F2000016', 'A020000100']);
    expect(s.ex.map((e) => [e.data, e.sw])).toEqual([[ex[1]!.data, '9000'], ['', '6E00'], ['', '63C3']]);
    expect(await sendReader(1, ['A0F2000016', '00F2000016'])).toEqual([
      { command: 'a0f2000016', response: `${ex[1]!.data.toLowerCase()}9000`, sw: '9000' },
      { command: '00f2000016', response: '6e00', sw: '6e00' },
    ]);
  });

  it('classic card: 9Fxx after SELECT; opensc-tool does not fetch it, A0 C0 00 00 16 gives 22 bytes + 9000; nothing pending → 6F00', async () => {
    const mark = classic!.stderr.length;
    const ex = opensc(1, ['A0A40000027F20', 'A0C0000016', 'A0C0000016']);
    expect(ex.map((e) => e.sw)).toEqual(['9F17', '9000', '6F00']);
    expect(ex[0]!.data).toBe('');
    expect(ex[1]!.data).toHaveLength(44);
    expect(ex[1]!.data.slice(8, 14)).toBe('7F2002'); // DF_GSM, type DF
    expect(ex[2]!.data).toBe('');
    const s = scriptor(1, 'classic-9f', ['A0A40000027F20', 'A0C0000017', 'A0FA000000']);
    expect(s.ex.map((e) => e.sw)).toEqual(['9F17', '9000', '9000']); // SLEEP answers 9000
    expect(s.ex[1]!.data.startsWith(ex[1]!.data)).toBe(true);
    // the card saw the case-3 SELECT and answered 9F17; the 22-byte GET RESPONSE came from opensc-tool's -s
    const sel = /> A0 A4 00 00 02 7F 20 {2}\(GSM_SELECT[^)]*\).*\n< 9F17 .*\n.*> A0 C0 00 00 16 {2}\(GSM_GET_RESPONSE\)/;
    expect(await logSince(classic!, mark, sel)).toMatch(sel);
  });
});
