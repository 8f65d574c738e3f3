/**
 * The default adapter: cardforge's own SIM/USIM applet (card/applets/sim) in its factory state
 * (`cardforge image new --sim-blank`). VERIFY ADM1, PERSO_STORE_DATA block 0 (keys, algorithms,
 * SQN, PINs), VERIFY CHV1/CHV2 with the new values, SELECT + UPDATE of every EF that differs from
 * the blank card (host/profile/apdu/sim-files.ts), then the last block with the final ADM1, which
 * marks the applet personalized. On a 'both' or 'uicc' card the result equals the offline image
 * byte for byte; a 'classic' card has no UICC-only files (EF_DIR, ADF_USIM) to write over A0.
 */
import { SIM_PERSO_SECRET_TAGS, SIM_PERSO_TAGS as TAG } from '../../../apdu-specs/index.js';
import type { Profile } from '../schema.js';
import { admValue, pinField, secretStep, selectSteps, simKeyRecords, storeDataStep, updateSteps, verifyAdmStep, type Step } from '../apdu/script.js';
import { simFileWrites } from '../apdu/sim-files.js';
import type { CardAdapter, ScriptOptions } from './types.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export const cardforgeAdapter: CardAdapter = {
  name: 'cardforge',
  description: "cardforge's SIM/USIM applet: PERSO_STORE_DATA (apdu-specs/personalization.ts) and standard UPDATE commands",
  admRetryQuery: true,
  unsupported(profile: Profile): string[] {
    return profile.personality === 'classic' ? ['UICC-only files (EF_DIR, ADF_USIM) on a classic-only card'] : [];
  },
  script(profile: Profile, o: ScriptOptions): Step[] {
    const classic = profile.personality === 'classic';
    const cla = classic ? 0xa0 : 0x00;
    const steps: Step[] = [verifyAdmStep(classic, o.adm)];
    steps.push(storeDataStep('PERSO_STORE_DATA block 0: Ki, OPc, algorithms, SQN, PINs', 0, false, simKeyRecords(profile), SIM_PERSO_SECRET_TAGS));
    const verify = (label: string, ref: number, pin: string): Step => secretStep(label, Uint8Array.of(cla, 0x20, 0x00, ref, 8, ...pinField(utf8(pin))));
    if (profile.pins.pin1_enabled) steps.push(verify('VERIFY CHV1 (new value)', 0x01, profile.pins.pin1));
    steps.push(verify('VERIFY CHV2 (new value)', classic ? 0x02 : 0x81, profile.pins.pin2));
    for (const w of simFileWrites(profile, o.file).writes) {
      if (classic && w.node.uiccOnly) continue;
      steps.push(...selectSteps(w.node, classic), ...updateSteps(w, classic));
    }
    steps.push(storeDataStep('PERSO_STORE_DATA block 1 (last): final ADM1', 1, true, [[TAG.ADM1, admValue(profile.pins.adm1)]], SIM_PERSO_SECRET_TAGS));
    return steps;
  },
};
