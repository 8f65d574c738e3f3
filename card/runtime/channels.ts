/**
 * Logical channels and applet selection (ISO/IEC 7816-4 §11.1.2 MANAGE CHANNEL, §11.2.2 SELECT by
 * DF name; TS 102.221 §11.1.17; Java Card 3 RE §4): which applet is selected on which channel,
 * selection and deselection with the multi-selectable rule, and the channel of the command in
 * progress (AppletContext.channel()). The runtime's own commands (runtime-commands.ts) drive it.
 */
import { SW } from '../../apdu-specs/status-words.js';
import { SELECT_BY_DF_NAME } from '../../apdu-specs/iso7816.js';
import { p1p2Sw } from '../../apdu-specs/p1p2.js';
import type { CommandApdu } from './apdu.js';
import type { Applet, AppletParams, Reply } from './applet.js';
import { CardError, PowerLoss } from './errors.js';
import type { PersistentMemory } from './memory.js';
import type { TransientMemory } from './transient.js';

export const MAX_CHANNELS = 20;

export interface InstalledApplet {
  readonly aid: Uint8Array;
  readonly aidHex: string;
  readonly type: string;
  readonly params: AppletParams;
  readonly isDefault: boolean;
  readonly applet: Applet;
}

/** Channel state: undefined = closed, null = open with no applet, else the applet's index. */
export type ChannelState = number | null | undefined;

/** Where a SELECT by DF name goes: the runtime selects `index`, the current applet takes it, or an error. */
export type SelectByName =
  | { readonly kind: 'applet'; readonly index: number }
  | { readonly kind: 'forward' }
  | { readonly kind: 'hosted'; readonly index: number }
  | { readonly kind: 'refuse'; readonly sw: number };

const EMPTY_REPLY: Reply = {};

export class Channels {
  state: ChannelState[] = [];
  /** The logical channel of the command (or selection) in progress: AppletContext.channel(). */
  current = 0;

  constructor(
    /** Logical channels 0..limit-1 exist (the ATR's card capabilities). */
    readonly limit: number,
    private readonly installed: readonly InstalledApplet[],
    private readonly memory: PersistentMemory,
    private readonly transient: TransientMemory,
    /**
     * Whether the instance at an index may be selected: its registry life cycle is neither
     * INSTALLED nor LOCKED (GP CS 2.3.1 §5.3.1). One already selected stays selected (§11.1.1).
     */
    private readonly selectable: (index: number) => boolean = () => true,
  ) {
    this.closeAll();
  }

  /** The instance at `index` left the registry: a channel on it has no applet, the indices above move down. */
  removedAt(index: number): void {
    this.state = this.state.map((c) => (c === undefined || c === null ? c : c === index ? null : c > index ? c - 1 : c));
  }

  /** Whether any channel has the instance at `index` selected. */
  selectedAnywhere(index: number): boolean {
    return this.state.some((c) => c === index);
  }

  closeAll(): void {
    this.state = new Array<ChannelState>(MAX_CHANNELS).fill(undefined);
    this.state[0] = null;
  }

  isOpen(channel: number): boolean {
    return this.state[channel] !== undefined;
  }

  /** The applet selected on a channel: undefined = channel closed, null = none. */
  selectedOn(channel: number): InstalledApplet | null | undefined {
    const c = this.state[channel];
    return c === undefined ? undefined : c === null ? null : this.installed[c]!;
  }

  /** The default instance when it may be selected (implicit selection, GP CS 2.3.1 §5.3.1.3), else -1. */
  defaultIndex(): number {
    const i = this.installed.findIndex((a) => a.isDefault);
    return i >= 0 && this.selectable(i) ? i : -1;
  }

  /** Power-up: the default applet selected on the basic channel; a refusal leaves it empty. */
  selectDefault(): void {
    this.current = 0;
    const def = this.defaultIndex();
    if (def < 0) return;
    try {
      this.installed[def]!.applet.select(null);
      this.state[0] = def;
    } catch (e) {
      if (e instanceof PowerLoss) throw e;
      this.state[0] = null;
    }
  }

  private activeElsewhere(idx: number, channel: number): boolean {
    return this.state.some((c, i) => i !== channel && c === idx);
  }

  deselectOn(channel: number): void {
    const idx = this.state[channel];
    if (idx === null || idx === undefined) return;
    const inst = this.installed[idx]!;
    this.state[channel] = null;
    const outer = this.current;
    this.current = channel;
    try {
      inst.applet.deselect();
    } catch (e) {
      if (e instanceof PowerLoss) throw e;
    } finally {
      this.current = outer;
    }
    if (!this.activeElsewhere(idx, channel)) this.transient.clearOnDeselect(inst.aidHex);
  }

  /** Select applet idx on a channel; returns the applet's reply, or throws CardError. */
  select(channel: number, idx: number, apdu: CommandApdu | null, origin?: number): Reply {
    const inst = this.installed[idx]!;
    if (!inst.applet.multiSelectable && this.activeElsewhere(idx, channel)) {
      throw new CardError(SW.CONDITIONS_NOT_SATISFIED, `applet ${inst.aidHex} is active on another channel and not multi-selectable`);
    }
    this.deselectOn(channel);
    let reply: Reply | void;
    const outer = this.current;
    this.current = channel;
    try {
      reply = inst.applet.select(apdu, origin);
    } catch (e) {
      if (e instanceof PowerLoss) throw e;
      throw e instanceof CardError ? e : new CardError(SW.APPLET_SELECT_FAILED);
    } finally {
      this.current = outer;
      if (this.memory.inTransaction && !this.memory.torn) this.memory.abort();
    }
    this.state[channel] = idx;
    return reply ?? EMPTY_REPLY;
  }

  /**
   * MANAGE CHANNEL open: channel `target` (0: the first free one, whose number is returned) from
   * channel `origin`. From the basic channel the default applet is selected; from channel n, n's
   * applet (if it may be), which then starts from channel n's selection (TS 102.221 §11.1.17.2).
   */
  open(origin: number, target: number): number {
    if (target === 0) {
      target = this.state.findIndex((c, i) => i > 0 && i < this.limit && c === undefined);
      if (target < 0) throw new CardError(SW.FUNCTION_NOT_SUPPORTED, 'no logical channel available');
    } else {
      if (target >= MAX_CHANNELS) throw new CardError(SW.INCORRECT_P1P2, `channel ${target} outside 1..${MAX_CHANNELS - 1}`);
      if (target >= this.limit) throw new CardError(SW.LOGICAL_CHANNEL_NOT_SUPPORTED, `this card has ${this.limit} logical channels`);
      if (this.state[target] !== undefined) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, `channel ${target} already open`);
    }
    this.state[target] = null;
    const from = origin === 0 ? this.defaultIndex() : (this.state[origin] ?? -1);
    if (from >= 0) {
      try {
        this.select(target, from, null, origin === 0 ? undefined : origin);
      } catch (e) {
        // The channel opens anyway, with no applet selected (JC 3 RE §4.2.2).
        if (!(e instanceof CardError)) throw e;
        this.state[target] = null;
      }
    }
    return target;
  }

  /** MANAGE CHANNEL close: channel `target` (0: the origin channel itself). */
  close(origin: number, target: number): void {
    target = target === 0 ? origin : target;
    if (target === 0) throw new CardError(SW.INCORRECT_P1P2, 'the basic channel cannot be closed');
    if (target >= MAX_CHANNELS) throw new CardError(SW.INCORRECT_P1P2);
    if (this.state[target] === undefined) throw new CardError(SW.LOGICAL_CHANNEL_NOT_SUPPORTED, `channel ${target} is not open`);
    this.deselectOn(target);
    this.state[target] = undefined;
  }

  /**
   * SELECT by DF name: the runtime selects when an installed applet's AID matches (full or
   * right-truncated, first or next occurrence). Otherwise the SELECT goes to the current applet if
   * it handles SELECT (e.g. an ADF in a file system), else 6A82 — or 6E00 when the current applet
   * does not speak the interindustry class at all (a classic GSM SIM).
   */
  resolveByName(apdu: CommandApdu): SelectByName {
    const current = this.state[apdu.claInfo.channel];
    const occurrence = apdu.p2 & 0x03;
    const currentApplet = current === null || current === undefined ? undefined : this.installed[current]!.applet;
    const forward = currentApplet?.commands.handles(0x00, 0xa4) === true;
    // A P2 the declaration does not take (occurrence 01/11, RFU bits): the current applet's SELECT
    // may (an ADF's last occurrence …), else the declared SW (6A86).
    const wrongParams = p1p2Sw(SELECT_BY_DF_NAME, apdu.p1, apdu.p2);
    if (wrongParams !== undefined) return forward ? { kind: 'forward' } : { kind: 'refuse', sw: wrongParams };
    const name = apdu.data;
    let idx = -1;
    if (name.length === 0) {
      idx = this.defaultIndex();
    } else {
      const start = occurrence === 0x02 && current !== null && current !== undefined ? current + 1 : 0;
      for (let i = start; i < this.installed.length; i++) {
        if (startsWith(this.installed[i]!.aid, name) && this.selectable(i)) {
          idx = i;
          break;
        }
      }
    }
    if (idx >= 0) return { kind: 'applet', index: idx };
    if (forward) return { kind: 'forward' };
    // An application inside another applet (ADF.USIM in the SIM's file system) while the channel's
    // applet does not take SELECT (the ISD): that applet is selected on the channel and takes it.
    if (name.length > 0) {
      for (let i = 0; i < this.installed.length; i++) {
        if (i !== current && this.selectable(i) && this.installed[i]!.applet.hostsApplication(name)) return { kind: 'hosted', index: i };
      }
    }
    return { kind: 'refuse', sw: currentApplet?.commands.lookup(0x00, 0xa4) === SW.CLA_NOT_SUPPORTED ? SW.CLA_NOT_SUPPORTED : SW.FILE_NOT_FOUND };
  }
}

function startsWith(aid: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > aid.length) return false;
  for (let i = 0; i < prefix.length; i++) if (aid[i] !== prefix[i]) return false;
  return true;
}
