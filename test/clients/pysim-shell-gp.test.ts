/**
 * pySim-shell's GlobalPlatform commands against the ISD, in CI without pySim (issue 21). The
 * recording pysim-shell-gp.jsonl is what `cardforge emulate --record` saw while osmocom
 * pySim-shell (commit a437d11, Debian python3, through pcscd + vpcd, T=0) ran this script against
 * a SIM personalized from profiles/example-sim.yaml:
 *
 *   select ADF.ISD                       (pySim's ADF.ISD is A000000003000000)
 *   establish_scp02 --key-ver 32 …404142…4F --security-level 1
 *   get_status isd / applications / files_and_modules ; release_scp
 *   establish_scp03 --key-ver 48 …404142…4F --security-level 0x33
 *   get_status applications
 *   install_for_install --load-file-aid <loopback ELF> --module-aid <its module> --application-aid F06361726466670A0001 --make-selectable
 *   get_status applications ; delete_card_content F06361726466670A0001 ; get_status applications
 *   put_key --key-version-nr 49 --key-id 1 (three AES keys) ; get_data key_information ; release_scp
 *   establish_scp03 --key-ver 49 (the new keys) --security-level 0x03
 *   get_status isd ; store_data --data-structure ber_tlv 42034A4B4C ; release_scp
 *   select ADF.USIM ; select EF.IMSI ; read_binary_decoded   (6982: PIN1 not verified, as expected)
 *
 * pySim checked every card cryptogram, R-MAC and decrypted answer and printed what it decoded
 * ("Successfully established a SCP02[01] / SCP03[33] / SCP03[03] secure channel", the installed
 * instance listed, then gone). The replay here, on a fresh card from the same profile, must answer
 * every command byte for byte as then (random fields unmasked: the ISD's challenges come from its
 * counters, and the host challenges are in the recording), so a change in the ISD's SCP02/SCP03
 * crypto, its GET STATUS coding or the T=0 handling pySim relies on fails here.
 * What the hand check taught, and this recording pins:
 * - the ISD must answer at A000000003000000 (pySim-shell's ADF.ISD; the sysmoISIM-SJA2's ISD);
 * - pySim's transport sends GET RESPONSE in the command's class (80 C0 after INITIALIZE UPDATE,
 *   84 C0 inside the channel);
 * - SELECT of ADF.USIM while the ISD is current must reach the USIM.
 * - pySim's transport also answers a final 6310 of GET STATUS with one more GET RESPONSE (TS
 *   102.221 §7.3.1.1.4 4b read literally), which the card refuses (6985): pySim then lists the
 *   entries of the first page only. That is pySim's behaviour on any T=0 card, recorded as seen.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, REPO } from '../cli/built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { TRACE_REPLAY_JSON } from '../../host/cli/json/outputs.js';

const RECORDING = join(REPO, 'test/clients/pysim-shell-gp.jsonl');
const commands = readFileSync(RECORDING, 'utf8')
  .split('\n')
  .filter((l) => l.includes('"e":"command"'))
  .map((l) => (JSON.parse(l) as { apdu: string }).apdu);

describe('pySim-shell GlobalPlatform session (establish_scp02/03, get_status, install_for_install, delete_card_content, put_key, store_data)', () => {
  it('the recording holds the GlobalPlatform commands pySim sent, as pySim sends them', () => {
    const has = (prefix: string): boolean => commands.some((c) => c.startsWith(prefix));
    expect(has('00a4040408a000000003000000')).toBe(true); // select ADF.ISD
    expect(has('8050200008')).toBe(true); // INITIALIZE UPDATE, key version 32 (SCP02)
    expect(has('8050300008')).toBe(true); // INITIALIZE UPDATE, key version 48 (SCP03)
    expect(has('8050310008')).toBe(true); // … key version 49, after PUT KEY
    expect(has('8482010010')).toBe(true); // EXTERNAL AUTHENTICATE, C-MAC
    expect(has('8482330010')).toBe(true); // … C-DEC, C-MAC, R-MAC, R-ENC
    expect(has('84e60c')).toBe(true); // INSTALL [for install and make selectable]
    expect(has('84e400')).toBe(true); // DELETE
    expect(has('84d80081')).toBe(true); // PUT KEY, new key set 49
    expect(has('84e290')).toBe(true); // STORE DATA, BER-TLV, last block
    expect(has('80c00000')).toBe(true); // GET RESPONSE in class 80
    expect(has('84c00000')).toBe(true); // … and 84
    expect(has('00a4040410a0000000871002')).toBe(true); // ADF.USIM after the ISD
  });

  it('a fresh card from the same profile answers every exchange byte for byte (random fields unmasked)', async () => {
    const dir = tempDir('cf-pysim-gp-');
    const image = join(dir, 'sim.json');
    const p = await runCli(['personalize', join(REPO, 'profiles/example-sim.yaml'), '-o', image]);
    expect(p.code, p.stderr).toBe(0);
    const r = await runCli(['trace', 'replay', RECORDING, '--card', image, '--t0', '--raw', '--no-mask', '--json']);
    const out = TRACE_REPLAY_JSON.schema.parse(JSON.parse(r.stdout));
    const differing = out.results.filter((x) => x.verdict !== 'same').map((x) => `#${x.n} ${x.name}`);
    expect(differing).toEqual([]);
    expect(r.code).toBe(0);
    expect(out.exchanges).toBe(commands.length);
    expect(out.same).toBe(commands.length);
    expect(out.atrsDifferent).toBe(0);
  });
});
