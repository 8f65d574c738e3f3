/**
 * SimApplet: one card answering both worlds over one declared file system (card/fs):
 * the classic SIM, class A0 (3GPP TS 51.011 §9), and the UICC with the USIM application, classes
 * 00/80 (ETSI TS 102.221 §10-11, 3GPP TS 31.102 §7). The personality (params) decides which
 * command classes exist: the dispatch table holds only that world's declarations, so the other
 * class gets 6E00 from the dispatcher. Commands are declared in apdu-specs/ts51011.ts and
 * apdu-specs/ts102221.ts; the families live in select.ts, file-ops.ts, pin-ops.ts, auth.ts.
 */
import { SIM_CLASSIC_COMMANDS } from '../../../apdu-specs/ts51011.js';
import { UICC_COMMANDS } from '../../../apdu-specs/ts102221.js';
import { CAT_COMMANDS, GSM_TOOLKIT_COMMANDS } from '../../../apdu-specs/ts102223.js';
import { Applet, CommandTable, type AppletContext, type AppletParams, type CommandApdu, type Handler, type Reply } from '../../runtime/index.js';
import type { FileContents } from '../../fs/index.js';
import { authenticate, runGsmAlgorithm } from './auth.js';
import { GSM_SW, SimCore, UICC_SW } from './core.js';
import { gsmSeek, increase, readBinary, readRecord, setActivation, uiccSearchRecord, updateBinary, updateRecord } from './file-ops.js';
import { personalize } from './personalize.js';
import { gsmChange, gsmSetEnabled, gsmUnblock, gsmVerify, uiccChange, uiccSetEnabled, uiccUnblock, uiccVerify } from './pin-ops.js';
import { gsmSelect, gsmStatus, uiccSelect, uiccStatus } from './select.js';
import { PERSONALIZATION_COMMANDS } from '../../../apdu-specs/personalization.js';
import { isFactory, SimPerso } from './store-data.js';
import { Toolkit, type ProactiveQueue } from './toolkit.js';
import { SIM_APPLET_TYPE, type SimParams, type SimPersonalization } from './types.js';

export class SimApplet extends Applet {
  static readonly type = SIM_APPLET_TYPE;
  readonly commands: CommandTable;
  private readonly core: SimCore;
  private readonly perso: SimPerso;
  /** Post proactive commands here: the next 9000 becomes 91xx, FETCH returns them (toolkit.ts). */
  readonly proactive: ProactiveQueue;

  /** The file system's contents, read only (card/fs FileContents): files only, never keys or PINs. */
  get files(): FileContents {
    return this.core.fs.contents();
  }

  constructor(ctx: AppletContext, params: AppletParams = {}) {
    super(ctx, params);
    const core = new SimCore(ctx, params as SimParams);
    this.core = core;
    const perso = new SimPerso(core);
    this.perso = perso;
    const g = GSM_SW;
    const u = UICC_SW;
    const tk = new Toolkit(ctx);
    this.proactive = tk.queue;
    const classic: Record<string, Handler> = {
      GSM_SELECT: (a) => gsmSelect(core, a),
      GSM_STATUS: (a) => gsmStatus(core, a),
      GSM_READ_BINARY: (a) => readBinary(core, g, a),
      GSM_UPDATE_BINARY: (a) => updateBinary(core, g, a),
      GSM_READ_RECORD: (a) => readRecord(core, g, a),
      GSM_UPDATE_RECORD: (a) => updateRecord(core, g, a),
      GSM_SEEK: (a) => gsmSeek(core, g, a),
      GSM_INCREASE: (a) => increase(core, g, a),
      GSM_VERIFY_CHV: (a) => gsmVerify(core, a),
      GSM_CHANGE_CHV: (a) => gsmChange(core, a),
      GSM_DISABLE_CHV: (a) => gsmSetEnabled(core, a, false),
      GSM_ENABLE_CHV: (a) => gsmSetEnabled(core, a, true),
      GSM_UNBLOCK_CHV: (a) => gsmUnblock(core, a),
      GSM_INVALIDATE: (a) => setActivation(core, g, a, false),
      GSM_REHABILITATE: (a) => setActivation(core, g, a, true),
      GSM_RUN_GSM_ALGORITHM: (a) => runGsmAlgorithm(core, a),
      GSM_TERMINAL_PROFILE: (a) => tk.terminalProfile(g, a),
      GSM_ENVELOPE: (a) => tk.envelope(g, a),
      GSM_FETCH: (a) => tk.fetch(g, a),
      GSM_TERMINAL_RESPONSE: (a) => tk.terminalResponse(g, a),
      GSM_SLEEP: () => ({}),
    };
    const uicc: Record<string, Handler> = {
      UICC_SELECT: (a) => uiccSelect(core, a),
      UICC_STATUS: (a) => uiccStatus(core, a),
      UICC_READ_BINARY: (a) => readBinary(core, u, a),
      UICC_UPDATE_BINARY: (a) => updateBinary(core, u, a),
      UICC_READ_RECORD: (a) => readRecord(core, u, a),
      UICC_UPDATE_RECORD: (a) => updateRecord(core, u, a),
      UICC_SEARCH_RECORD: (a) => uiccSearchRecord(core, u, a),
      UICC_INCREASE: (a) => increase(core, u, a),
      UICC_VERIFY_PIN: (a) => uiccVerify(core, a),
      UICC_CHANGE_PIN: (a) => uiccChange(core, a),
      UICC_DISABLE_PIN: (a) => uiccSetEnabled(core, a, false),
      UICC_ENABLE_PIN: (a) => uiccSetEnabled(core, a, true),
      UICC_UNBLOCK_PIN: (a) => uiccUnblock(core, a),
      UICC_DEACTIVATE_FILE: (a) => setActivation(core, u, a, false),
      UICC_ACTIVATE_FILE: (a) => setActivation(core, u, a, true),
      USIM_AUTHENTICATE: (a) => authenticate(core, a),
      CAT_TERMINAL_PROFILE: (a) => tk.terminalProfile(u, a),
      CAT_ENVELOPE: (a) => tk.envelope(u, a),
      CAT_FETCH: (a) => tk.fetch(u, a),
      CAT_TERMINAL_RESPONSE: (a) => tk.terminalResponse(u, a),
    };
    // A pending proactive command turns every 9000 of the SIM's commands into 91xx.
    for (const t of [classic, uicc]) for (const [k, h] of Object.entries(t)) t[k] = (a, spec) => tk.signal(h(a, spec));
    const p = core.personality;
    const specs = [...(p !== 'uicc' ? [...SIM_CLASSIC_COMMANDS, ...GSM_TOOLKIT_COMMANDS] : []), ...(p !== 'classic' ? [...UICC_COMMANDS, ...CAT_COMMANDS] : []), ...PERSONALIZATION_COMMANDS];
    this.commands = new CommandTable(specs, { ...(p !== 'uicc' ? classic : {}), ...(p !== 'classic' ? uicc : {}), PERSO_STORE_DATA: (a) => perso.storeData(a) }, p === 'classic' ? { soleCommands: ['PERSO_STORE_DATA'] } : {});
  }

  /** An empty personalization ({}) leaves a blank card: no PINs (9802), no keys (6985). */
  override install(personalization: unknown): void {
    if (personalization !== null && typeof personalization === 'object' && Object.keys(personalization).length === 0) return;
    // A blank programmable SIM as its vendor ships it (issue 8): personalized later over APDUs.
    if (isFactory(personalization)) return this.perso.factory(personalization.factory);
    personalize(this.core, personalization as SimPersonalization);
    this.perso.markPersonalized();
  }

  /**
   * The SIM/USIM answers on every logical channel at once (TS 102.221 §8.5; phones open channel 1
   * for the USIM/ISIM): each channel keeps its own current DF/ADF, EF and record pointer, while
   * the PINs' verification state is the applet's, shared by its channels.
   */
  override readonly multiSelectable = true;

  /**
   * Selection on a channel (power-up, SELECT of SIM_AID, MANAGE CHANNEL): the MF is current, or,
   * when MANAGE CHANNEL opened it from another channel, that channel's DF/ADF. No FCI.
   */
  /** The UICC's ADFs (USIM, ISIM) by AID, full or right-truncated, for SELECT from another applet. */
  override hostsApplication(name: Uint8Array): boolean {
    return this.commands.handles(0x00, 0xa4) && name.length >= 5 && name.length <= 16 && this.core.tree.adfByAid(name) !== undefined;
  }

  override select(_apdu: CommandApdu | null, origin?: number): Reply {
    if (origin === undefined) this.core.resetSelection();
    else this.core.copySelection(origin);
    return {};
  }
}
