/** What `cardforge --applets dist/applets.js …` loads: the applet, its AID and its declarations. */
import { COUNTER_AID, COUNTER_COMMANDS, CounterApplet } from './counter.js';

export const applets = [{ applet: CounterApplet, aid: COUNTER_AID, commands: COUNTER_COMMANDS, name: 'counter' }];
