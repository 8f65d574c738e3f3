/** SIM/USIM applet (TS 51.011, TS 102.221, TS 31.102). Work in progress: interface stub. */
import { Applet, CommandTable, type AppletContext, type AppletParams } from '../../runtime/index.js';
import { SIM_APPLET_TYPE } from './types.js';

export class SimApplet extends Applet {
  static readonly type = SIM_APPLET_TYPE;
  readonly commands = new CommandTable([], {});
  constructor(ctx: AppletContext, params: AppletParams = {}) {
    super(ctx, params);
  }
}
