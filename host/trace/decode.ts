/**
 * Decoding of exchanges from the declarations in apdu-specs: the command's name and fields, and
 * the status word's meaning. Used by every human-readable output (send, demo, trace show).
 * Fields the spec marks secret are masked unless `reveal` is set.
 */
import { ALL_COMMANDS, APPLET_SPECS, RUNTIME_COMMANDS, describeSw, type CommandSpec, type FieldSpec } from '../../apdu-specs/index.js';
import { decodeCla, parseCommand, bytesToHex, CardError } from '../../card/runtime/index.js';

export interface DecodedCommand {
  readonly name: string;
  readonly spec?: CommandSpec;
  readonly channel: number;
  /** Hex of the command, secrets masked. */
  readonly text: string;
}

function findSpec(cla: number, ins: number, specs: readonly CommandSpec[]): CommandSpec | undefined {
  const info = decodeCla(cla);
  if (!info) return undefined;
  return specs.find((s) => s.ins === ins && (info.base & s.cla.mask) === s.cla.value);
}

export function decodeCommand(cmd: Uint8Array, opts: { specs?: readonly CommandSpec[]; reveal?: boolean } = {}): DecodedCommand {
  const specs = opts.specs ?? ALL_COMMANDS;
  if (cmd.length < 4) return { name: 'MALFORMED', channel: 0, text: bytesToHex(cmd) };
  const spec = findSpec(cmd[0]!, cmd[1]!, specs);
  const channel = decodeCla(cmd[0]!)?.channel ?? 0;
  let text = bytesToHex(cmd);
  // Mask when ANY declaration of this CLA/INS carries a secret: the applet context may be unknown
  // (a trace without its SELECT), and a PIN must never show because the guess was wrong.
  const info = decodeCla(cmd[0]!);
  const secret = ALL_COMMANDS.some((s) => s.ins === cmd[1] && info !== undefined && (info.base & s.cla.mask) === s.cla.value && s.command?.some((f) => f.secret));
  if ((secret || spec?.command?.some((f) => f.secret)) && !opts.reveal) {
    try {
      const a = parseCommand(cmd);
      const start = cmd.length - a.data.length - (a.leAbsent ? 0 : a.extended ? 2 : 1);
      text = bytesToHex(cmd.subarray(0, start)) + '*'.repeat(a.data.length * 2) + bytesToHex(cmd.subarray(start + a.data.length));
    } catch (e) {
      if (!(e instanceof CardError)) throw e;
    }
  }
  return { name: spec?.name ?? `INS ${cmd[1]!.toString(16).padStart(2, '0').toUpperCase()}`, ...(spec ? { spec } : {}), channel, text };
}

export interface DecodedResponse {
  readonly data: Uint8Array;
  readonly sw: number;
  readonly swHex: string;
  readonly meaning: string;
}

export function decodeResponse(resp: Uint8Array): DecodedResponse {
  if (resp.length < 2) return { data: resp, sw: -1, swHex: '', meaning: 'no status word' };
  const sw = (resp[resp.length - 2]! << 8) | resp[resp.length - 1]!;
  const d = describeSw(sw);
  let meaning = d?.description ?? 'unknown status word';
  if (d && d.mask !== 0xffff) meaning = meaning.replace(/\bx{1,2}\b/, String(sw & (~d.mask & 0xffff)));
  return { data: resp.subarray(0, resp.length - 2), sw, swHex: sw.toString(16).padStart(4, '0'), meaning };
}

/** One declared field cut out of command or response data. */
export interface DecodedField {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly random: boolean;
  readonly secret: boolean;
  readonly description?: string;
}

export interface FieldCut {
  readonly fields: readonly DecodedField[];
  /** Bytes past the declared fields (the layout did not fit): undefined when it fit exactly. */
  readonly extra?: Uint8Array;
}

/** Cut data into the declared fields (fixed lengths, then 'rest'); what is left over is `extra`. */
export function cutFields(specs: readonly FieldSpec[] | undefined, data: Uint8Array): FieldCut {
  if (!specs || specs.length === 0) return data.length ? { fields: [], extra: data } : { fields: [] };
  const fields: DecodedField[] = [];
  let off = 0;
  for (const f of specs) {
    if (off >= data.length && f.length !== 'rest') break;
    const end = f.length === 'rest' ? data.length : Math.min(data.length, off + f.length);
    fields.push({ name: f.name, bytes: data.subarray(off, end), random: f.random === true, secret: f.secret === true, ...(f.description ? { description: f.description } : {}) });
    off = end;
  }
  return off < data.length ? { fields, extra: data.subarray(off) } : { fields };
}

/** The spec of a command (undefined when none is declared for its class and INS). */
export function specOf(cmd: Uint8Array, specs: readonly CommandSpec[] = ALL_COMMANDS): CommandSpec | undefined {
  return cmd.length < 4 ? undefined : findSpec(cmd[0]!, cmd[1]!, specs);
}

/** Command data fields (secrets included: the caller masks them). */
export function commandFields(cmd: Uint8Array, spec: CommandSpec | undefined): FieldCut | undefined {
  if (!spec) return undefined;
  try {
    return cutFields(spec.command, parseCommand(cmd).data);
  } catch (e) {
    if (e instanceof CardError) return undefined;
    throw e;
  }
}

/** A field's value for people: hex, or stars for a secret unless revealed. */
export function showField(f: DecodedField, reveal: boolean): string {
  return f.secret && !reveal ? '*'.repeat(f.bytes.length * 2) : bytesToHex(f.bytes).toUpperCase();
}

/**
 * The commands of the applet a card selects at power-up, by its AID: an emulated card tells
 * (`defaultAid`, or null when it has no default applet); for a card in a reader, undefined, the
 * SIM/USIM is assumed, as a SIM's file system is what a reader most often holds.
 */
export function defaultAppletSpecs(defaultAid: string | null | undefined): readonly CommandSpec[] {
  if (defaultAid === null) return [];
  if (defaultAid === undefined) return APPLET_SPECS[0]!.commands;
  return APPLET_SPECS.find((a) => a.aid === defaultAid.toLowerCase())?.commands ?? [];
}

/**
 * Decodes a stream of exchanges with the context a card has: the applet selected on each logical
 * channel (from SELECT by AID answered 9000/61xx, and the default applet after reset), so a
 * command is named by the applet that receives it.
 */
export class ExchangeDecoder {
  private readonly byChannel = new Map<number, readonly CommandSpec[]>();
  constructor(private readonly defaultSpecs: readonly CommandSpec[] = APPLET_SPECS[0]!.commands) {
    this.reset();
  }

  /** Power-up or reset: only the default applet is selected, on channel 0. */
  reset(): void {
    this.byChannel.clear();
    this.byChannel.set(0, this.defaultSpecs);
  }

  command(cmd: Uint8Array, opts: { reveal?: boolean } = {}): DecodedCommand {
    const channel = cmd.length ? (decodeCla(cmd[0]!)?.channel ?? 0) : 0;
    const own = this.byChannel.get(channel);
    // Runtime commands first, then the selected applet's, then everything else.
    const specs = own ? [...RUNTIME_COMMANDS, ...own, ...ALL_COMMANDS] : ALL_COMMANDS;
    return decodeCommand(cmd, { specs, ...(opts.reveal ? { reveal: true } : {}) });
  }

  /** Learn from an exchange: a successful SELECT by AID changes the channel's applet. */
  observe(cmd: Uint8Array, rsp: Uint8Array): DecodedResponse {
    const response = decodeResponse(rsp);
    const ok = response.sw === 0x9000 || response.sw >> 8 === 0x61 || response.sw >> 8 === 0x9f;
    if (ok && cmd.length > 5 && cmd[1] === 0xa4 && cmd[2] === 0x04) {
      try {
        const aid = bytesToHex(parseCommand(cmd).data);
        const applet = APPLET_SPECS.find((a) => aid.length > 0 && a.aid.startsWith(aid));
        const channel = decodeCla(cmd[0]!)?.channel ?? 0;
        if (applet) this.byChannel.set(channel, applet.commands);
      } catch (e) {
        if (!(e instanceof CardError)) throw e;
      }
    }
    return response;
  }

  decode(cmd: Uint8Array, rsp: Uint8Array, opts: { reveal?: boolean } = {}): { command: DecodedCommand; response: DecodedResponse } {
    const command = this.command(cmd, opts);
    return { command, response: this.observe(cmd, rsp) };
  }
}
