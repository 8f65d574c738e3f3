/**
 * The `isd:` section of a personalization profile (issue 21): the keys of the card's Issuer
 * Security Domain that the bureau opens its SCP session with to personalize the payment, ledger
 * and wallet applets (INSTALL [for personalization] + STORE DATA), and that an offline build
 * gives the image's ISD. Omitted: the well-known GlobalPlatform test keys 404142…4F (the only
 * default; `personalize` says so in its output).
 *
 * Example:
 *   isd:
 *     scp: "03"                 # "02" or "03" (default "03")
 *     kvn: 0x30                 # key version; default 30 (SCP03) / 20 (SCP02)
 *     key: "0f0e0d…"            # one key for ENC, MAC and DEK, or:
 *     enc: "…"                  # the three keys, 32 hex digits each
 *     mac: "…"
 *     dek: "…"
 */
import { z } from 'zod';
import { hexToBytes } from '../../card/runtime/index.js';
import { SCP02_DEFAULT_KVN, SCP03_DEFAULT_KVN, TEST_KEY_HEX, type IsdKey, type IsdPersonalization } from '../../card/applets/isd/index.js';
import { hexBytes } from './fields.js';
import type { StaticKeys } from '../gp/keys.js';

export const isdProfileSchema = z
  .object({
    scp: z
      .union([z.literal('02'), z.literal('03'), z.literal(2), z.literal(3)], { error: 'expected "02" or "03" (the secure channel protocol of the ISD key set)' })
      .transform((v) => (v === 2 || v === '02' ? '02' : '03') as '02' | '03')
      .default('03'),
    kvn: z.number({ error: 'expected the key version number as a whole number' }).int({ error: 'expected a whole number' }).min(1, { error: 'expected 1..127' }).max(0x7f, { error: 'expected 1..127' }).optional(),
    key: hexBytes(16, 'the ISD key').optional(),
    enc: hexBytes(16, 'the ISD ENC key').optional(),
    mac: hexBytes(16, 'the ISD MAC key').optional(),
    dek: hexBytes(16, 'the ISD DEK').optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const three = [s.enc, s.mac, s.dek].filter((k) => k !== undefined).length;
    if (s.key !== undefined && three > 0) ctx.addIssue({ code: 'custom', path: ['key'], message: 'give either key (one key for all three) or enc, mac and dek, not both' });
    else if (three > 0 && three < 3) ctx.addIssue({ code: 'custom', path: [s.enc === undefined ? 'enc' : s.mac === undefined ? 'mac' : 'dek'], message: 'give all three of enc, mac and dek (or one key)' });
  });

export type IsdProfile = z.output<typeof isdProfileSchema>;

/** What the host opens its session with: SCP, key version, static keys, and whether they are the test keys by default. */
export interface IsdAccess {
  readonly scp: '02' | '03';
  readonly kvn: number;
  readonly keys: StaticKeys;
  /** True when the profile says nothing about the ISD and the well-known test keys are used. */
  readonly defaultTestKeys: boolean;
}

export function isdAccessOf(s: IsdProfile | undefined): IsdAccess {
  const scp = s?.scp ?? '03';
  const kvn = s?.kvn ?? (scp === '02' ? SCP02_DEFAULT_KVN : SCP03_DEFAULT_KVN);
  const one = s?.key ?? (s?.enc === undefined ? TEST_KEY_HEX : undefined);
  const keys = one !== undefined ? { enc: hexToBytes(one), mac: hexToBytes(one), dek: hexToBytes(one) } : { enc: hexToBytes(s!.enc!), mac: hexToBytes(s!.mac!), dek: hexToBytes(s!.dek!) };
  return { scp, kvn, keys, defaultTestKeys: s === undefined };
}

/**
 * The ISD's install() values for a profile: the keys — none when the profile has no `isd:` section
 * (the ISD's own defaults: the test keys as AES set 30 and DES set 20), otherwise the one key set
 * the profile names, so the card holds exactly the keys the bureau was given.
 */
export function isdPersonalizationOf(s: IsdProfile | undefined): Omit<IsdPersonalization, 'defaultSelected'> {
  if (s === undefined) return {};
  const a = isdAccessOf(s);
  const type = a.scp === '02' ? 'des' : 'aes';
  const keys: IsdKey[] = [a.keys.enc, a.keys.mac, a.keys.dek].map((value, i) => ({ kvn: a.kvn, kid: i + 1, type, value }));
  return { keys };
}

/**
 * The ISD state the bureau's personalization session leaves (offline builds write it, so the
 * offline image equals the card personalized over APDUs): one secure channel session when the
 * profile has payment, ledger or wallet sections — the SCP03 card challenge counter advanced by its
 * INITIALIZE UPDATE, or the SCP02 sequence counter by its EXTERNAL AUTHENTICATE. The retry
 * counter is back at its limit after a successful EXTERNAL AUTHENTICATE either way.
 */
export function bureauSessionCounters(profile: { readonly isd?: IsdProfile; readonly payment?: unknown; readonly ledger?: unknown; readonly wallet?: unknown }): { scp02?: number; scp03?: number } {
  if (!profile.payment && !profile.ledger && !profile.wallet) return {};
  return isdAccessOf(profile.isd).scp === '02' ? { scp02: 1 } : { scp03: 1 };
}
