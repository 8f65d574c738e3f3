/**
 * The personalization profile (YAML) schema, validated with zod so every bad field is reported
 * with its path and the expected form. Keys are snake_case as users write them; the key names of
 * the SIM part are fixed by the SIM issue (scripts rely on them). The payment and ledger
 * sections have their own schemas (host/profile/payment.ts, ledger.ts), composed here.
 */
import { z } from 'zod';
import { parseAtr, hexToBytes } from '../../card/runtime/index.js';
import { hexBytes, hexRange, digitString } from './fields.js';
import { paymentProfileSchema } from './payment.js';
import { ledgerProfileSchema } from './ledger.js';
import { walletProfileSchema } from './wallet.js';
import { isdProfileSchema } from './isd.js';

export { hexBytes, hexRange };

const digits = digitString;

const pinSchema = (min: number, max: number, what: string) => digits(min, max, what);

export const GSM_ALGORITHMS = ['comp128v1', 'comp128v2', 'comp128v3', 'gsm-milenage', 'xor2g'] as const;
export const ALGORITHMS_3G = ['milenage', 'xor'] as const;

export const authSchema = z
  .object({
    algorithm: z.enum(ALGORITHMS_3G, { error: `expected one of: ${ALGORITHMS_3G.join(', ')}` }),
    gsm_algorithm: z.enum(GSM_ALGORITHMS, { error: `expected one of: ${GSM_ALGORITHMS.join(', ')}` }),
    ki: hexBytes(16, 'Ki'),
    opc: hexBytes(16, 'OPc').optional(),
    op: hexBytes(16, 'OP').optional(),
    sqn: hexBytes(6, 'SQN').optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.op !== undefined && a.opc !== undefined) ctx.addIssue({ code: 'custom', path: ['op'], message: 'give exactly one of op and opc, not both' });
    const needs = a.algorithm === 'milenage' || a.gsm_algorithm === 'gsm-milenage';
    if (needs && a.op === undefined && a.opc === undefined) ctx.addIssue({ code: 'custom', path: ['opc'], message: 'milenage needs the operator key: give opc (or op) as 32 hex digits' });
  });

export const pinsSchema = z
  .object({
    pin1: pinSchema(4, 8, 'PIN1'),
    puk1: pinSchema(8, 8, 'PUK1'),
    pin2: pinSchema(4, 8, 'PIN2'),
    puk2: pinSchema(8, 8, 'PUK2'),
    adm1: z.union([pinSchema(8, 8, 'ADM1'), hexBytes(8, 'ADM1')], { error: 'expected ADM1 as 8 digits or 16 hex digits' }),
    pin1_enabled: z.boolean({ error: 'expected true or false' }).default(true),
  })
  .strict();

export const profileSchema = z
  .object({
    personality: z.enum(['classic', 'uicc', 'both'], { error: 'expected classic, uicc or both' }).default('both'),
    atr: hexRange(2, 33)
      .refine(
        (s) => {
          try {
            parseAtr(hexToBytes(s));
            return true;
          } catch {
            return false;
          }
        },
        { error: 'not a valid ATR (ISO 7816-3: TS 3B/3F, interface bytes, historical bytes, TCK when T=1 is offered)' },
      )
      .optional(),
    iccid: digits(18, 20, 'ICCID'),
    imsi: digits(6, 15, 'IMSI'),
    auth: authSchema,
    pins: pinsSchema,
    spn: z.string({ error: 'expected the service provider name as a string' }).max(16, { error: 'at most 16 characters' }).optional(),
    msisdn: z.string({ error: 'expected the MSISDN as a string' }).regex(/^\+?\d{1,20}$/, { error: 'expected up to 20 digits, optionally starting with +' }).optional(),
    acm_max: z.number({ error: 'expected a whole number' }).int().min(0).max(0xffffff, { error: 'expected 0..16777215 (3 bytes)' }).optional(),
    puct: z
      .object({
        currency: z.string().length(3, { error: 'expected a 3-character currency code' }),
        eppu: z.number({ error: 'expected the price per unit as a number' }).positive(),
      })
      .strict()
      .optional(),
    files: z.record(z.string(), z.union([hexRange(0, 4096), z.array(hexRange(1, 255))]), { error: 'expected a map of file name → hex (transparent) or a list of hex records' }).optional(),
    payment: paymentProfileSchema.optional(),
    ledger: ledgerProfileSchema.optional(),
    wallet: walletProfileSchema.optional(),
    isd: isdProfileSchema.optional(),
  })
  .strict();

export type Profile = z.output<typeof profileSchema>;
