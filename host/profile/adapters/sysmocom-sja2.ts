/**
 * Declared adapter for the sysmocom sysmoISIM-SJA2 programmable USIM/ISIM. Facts, from osmocom
 * pySim's SysmoISIMSJA2.program() (pySim/legacy/cards.py), and nothing else:
 * - ADM1 is VERIFY key reference 0A (8 bytes);
 * - the ICCID must keep its factory value (the card OS licence is bound to it): not written;
 * - Ki and OPc live in proprietary EFs: MF/A515/6F20 (EF SIM_AUTH_KEY, hard-linked to the USIM
 *   2G key file) and ADF.USIM/AF20 (EF USIM_AUTH_KEY; also ADF.ISIM/AF20), Ki at offset 1 and
 *   OPc at offset 17 (byte 0 is the card's algorithm configuration, left as the vendor set it);
 * - IMSI, SPN, ACC, MSISDN are the standard EFs of TS 51.011 / TS 31.102.
 * Not covered (not in pySim's program()): PINs/PUKs, algorithm choice, SQN — listed by unsupported().
 * Untested against hardware here: the script is checked for shape only.
 */
import { hexToBytes } from '../../../card/runtime/index.js';
import { USIM_AID_PREFIX } from '../../../apdu-specs/index.js';
import { simPersonalization } from '../build.js';
import type { Profile } from '../schema.js';
import { plainStep, secretStep, selectSteps, updateSteps, verifyAdmStep, type Step } from '../apdu/script.js';
import { simFileWrites } from '../apdu/sim-files.js';
import type { CardAdapter, ScriptOptions } from './types.js';

/** RID 3GPP + USIM application code: a right-truncated AID selects the card's own USIM ADF. */
const USIM_AID_PREFIX_BYTES = hexToBytes(USIM_AID_PREFIX);
const KI_OFFSET = 1;
const OPC_OFFSET = 17;

function keyWrites(label: string, ki: Uint8Array, opc: Uint8Array | undefined): Step[] {
  const s = [secretStep(`UPDATE BINARY ${label} @${KI_OFFSET}: Ki`, Uint8Array.of(0x00, 0xd6, 0x00, KI_OFFSET, ki.length, ...ki))];
  if (opc) s.push(secretStep(`UPDATE BINARY ${label} @${OPC_OFFSET}: OPc`, Uint8Array.of(0x00, 0xd6, 0x00, OPC_OFFSET, opc.length, ...opc)));
  return s;
}

export const sysmoIsimSja2Adapter: CardAdapter = {
  name: 'sysmoisim-sja2',
  description: 'sysmocom sysmoISIM-SJA2: Ki/OPc in MF/A515/6F20 and ADF.USIM/AF20 (offsets 1, 17), per pySim legacy/cards.py',
  admRetryQuery: true,
  unsupported(profile: Profile): string[] {
    const out = ['iccid (kept at its factory value on this card)', 'pins (not changed)', 'auth.algorithm / auth.gsm_algorithm (card configuration)'];
    if (profile.auth.sqn !== undefined) out.push('auth.sqn');
    return out;
  },
  script(profile: Profile, o: ScriptOptions): Step[] {
    const p = simPersonalization(profile);
    const ki = hexToBytes(p.ki);
    const opc = p.opc !== undefined ? hexToBytes(p.opc) : undefined;
    const steps: Step[] = [verifyAdmStep(false, o.adm)];
    steps.push(plainStep('SELECT MF', Uint8Array.of(0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f, 0x00)));
    steps.push(plainStep('SELECT DF A515 (proprietary)', Uint8Array.of(0x00, 0xa4, 0x00, 0x0c, 0x02, 0xa5, 0x15)));
    steps.push(plainStep('SELECT EF 6F20 (SIM_AUTH_KEY)', Uint8Array.of(0x00, 0xa4, 0x00, 0x0c, 0x02, 0x6f, 0x20)));
    steps.push(...keyWrites('6F20', ki, opc));
    steps.push(plainStep('SELECT ADF.USIM (AID prefix)', Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, USIM_AID_PREFIX_BYTES.length, ...USIM_AID_PREFIX_BYTES)));
    steps.push(plainStep('SELECT EF AF20 (USIM_AUTH_KEY)', Uint8Array.of(0x00, 0xa4, 0x00, 0x0c, 0x02, 0xaf, 0x20)));
    steps.push(...keyWrites('AF20', ki, opc));
    for (const w of simFileWrites(profile, o.file).writes) {
      if (!w.fromProfile || w.node.name === 'EF_ICCID') continue;
      steps.push(...selectSteps(w.node, false).map((s) => (s.label.includes('by AID') ? plainStep('SELECT ADF.USIM (AID prefix)', Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, USIM_AID_PREFIX_BYTES.length, ...USIM_AID_PREFIX_BYTES)) : s)), ...updateSteps(w, false));
    }
    return steps;
  },
};
