/**
 * Profile validation: the bundled example passes; every kind of bad field is reported with the
 * file, line, field path and expected form (the message a user acts on).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseProfileText, ProfileError, loadProfileFile } from '../../host/profile/load.js';

const EXAMPLE = new URL('../../profiles/example-sim.yaml', import.meta.url);
const text = readFileSync(EXAMPLE, 'utf8');

function errorOf(t: string): string {
  try {
    parseProfileText(t, 'p.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ProfileError);
    return (e as Error).message;
  }
  throw new Error('expected a profile error');
}

describe('profile schema', () => {
  it('accepts the bundled example and normalises it', () => {
    const p = parseProfileText(text, 'example.yaml');
    expect(p.personality).toBe('both');
    expect(p.auth.ki).toBe('465b5ce8b199b49faa5f0a2ee238a6bc');
    expect(p.pins.pin1_enabled).toBe(true);
  });

  it.each([
    ['a short Ki', text.replace('465b5ce8b199b49faa5f0a2ee238a6bc', '0011'), 'p.yaml:9:7: auth.ki: expected 32 hex digits (16 bytes) of Ki, got "0011" (4 digits)'],
    ['a misspelt key', text.replace('gsm_algorithm: gsm-milenage', 'gsm_algoritm: gsm-milenage'), 'auth.gsm_algoritm: unknown key "gsm_algoritm"'],
    ['a missing key', text.replace('gsm_algorithm: gsm-milenage', ''), 'auth.gsm_algorithm: missing: expected one of: comp128v1, comp128v2, comp128v3, gsm-milenage, xor2g'],
    ['milenage without OPc', text.replace('  opc: "cd63cb71954a9f4e48a5994e37a02baf"\n', ''), 'auth.opc: missing: milenage needs the operator key'],
    ['both OP and OPc', text.replace('  sqn:', '  op: "cdc202d5123e20f62b6d676ac72cb318"\n  sqn:'), 'auth.op: give exactly one of op and opc'],
    ['a bad IMSI', text.replace('imsi: "001010123456789"', 'imsi: "0010x"'), 'p.yaml:5:7: imsi: expected IMSI: 6..15 decimal digits'],
    ['a bad PUK', text.replace('puk1: "12345678"', 'puk1: "1234"'), 'pins.puk1: expected PUK1: 8..8 decimal digits'],
    ['an invalid ATR', text + 'atr: "3B80"\n', 'atr: not a valid ATR'],
    ['a bad personality', text.replace('personality: both', 'personality: phone'), 'p.yaml:3:14: personality: expected classic, uicc or both'],
    ['ACMmax beyond 3 bytes', text.replace('acm_max: 1000', 'acm_max: 16777216'), 'acm_max: expected 0..16777215 (3 bytes)'],
  ])('reports %s with file, line and path', (_name, bad, expected) => {
    expect(errorOf(bad)).toContain(expected);
  });

  it('reports YAML syntax errors with the line', () => {
    expect(errorOf(text + 'foo: [\n')).toMatch(/^p\.yaml:\d+:\d+: YAML syntax: /);
  });

  it('reports several problems at once', () => {
    const msg = errorOf(text.replace('465b5ce8b199b49faa5f0a2ee238a6bc', '00').replace('imsi: "001010123456789"', 'imsi: "x"'));
    expect(msg.split('\n')).toHaveLength(2);
  });

  it('a missing file is a ProfileError naming it', () => {
    expect(() => loadProfileFile('/nonexistent/profile.yaml')).toThrow('/nonexistent/profile.yaml: no such profile file');
  });
});

const SEEDS = readFileSync(new URL('../../profiles/example-seeds.yaml', import.meta.url), 'utf8');

describe('profile: IDs, PINs and keys must be quoted strings (issue 19)', () => {
  // Every kind of secret / ID field: unquoted, YAML reads a number (damaged: …00f0, lost zeros).
  it.each([
    ['iccid', SEEDS.replace('iccid: "8949000000000000001"', 'iccid: 8949000000000000001'), 'p.yaml:7:8: iccid: 8949000000000000001 is a number in YAML; quote it: iccid: "8949000000000000001"'],
    ['imsi', SEEDS.replace('imsi: "001010123456789"', 'imsi: 001010123456789'), 'p.yaml:8:7: imsi: 001010123456789 is a number in YAML; quote it: imsi: "001010123456789"'],
    ['pin1', SEEDS.replace('pin1: "1234"', 'pin1: 1234'), 'p.yaml:15:15: pins.pin1: 1234 is a number in YAML; quote it: pin1: "1234"'],
    ['puk2', SEEDS.replace('puk2: "87654321"', 'puk2: 87654321'), 'pins.puk2: 87654321 is a number in YAML; quote it: puk2: "87654321"'],
    ['adm1', SEEDS.replace('adm1: "12345678"', 'adm1: 12345678'), 'pins.adm1: 12345678 is a number in YAML; quote it: adm1: "12345678"'],
    ['ki (all digits)', SEEDS.replace('ki: "465b5ce8b199b49faa5f0a2ee238a6bc"', 'ki: 46555558199149111150122238161234'), 'p.yaml:12:7: auth.ki: 46555558199149111150122238161234 is a number in YAML; quote it: ki: "46555558199149111150122238161234"'],
    ['opc (zeros)', SEEDS.replace('opc: "cd63cb71954a9f4e48a5994e37a02baf"', 'opc: 00000000000000000000000000000000'), 'auth.opc: 00000000000000000000000000000000 is a number in YAML; quote it'],
    ['sqn', SEEDS.replace('sqn: "000000000000"', 'sqn: 000000000000'), 'p.yaml:14:8: auth.sqn: 000000000000 is a number in YAML; quote it: sqn: "000000000000"'],
    ['payment code', SEEDS.replace('payment_code: "2468"', 'payment_code: 2468'), 'payment.payment_code: 2468 is a number in YAML; quote it: payment_code: "2468"'],
    ['payment mac key', SEEDS.replace('mac_key: "2b7e151628aed2a6abf7158809cf4f3c"', 'mac_key: 12345678901234567890123456789012'), 'payment.mac_key: 12345678901234567890123456789012 is a number in YAML; quote it'],
    ['ledger card id', SEEDS.replace(/(ledger:[\s\S]*?)card_id: "0102030405060708"/, '$1card_id: 0102030405060708'), 'ledger.card_id: 0102030405060708 is a number in YAML; quote it: card_id: "0102030405060708"'],
    ['ledger consent code', SEEDS.replace('code: "2468" }', 'code: 2468 }'), 'ledger.consent.code: 2468 is a number in YAML; quote it: code: "2468"'],
  ])('an unquoted %s is refused with "quote it", file, line and field', (_n, bad, expected) => {
    expect(errorOf(bad)).toContain(expected);
  });

  it('a correct profile parses unchanged (the quoted values stay exactly as written)', () => {
    const p = parseProfileText(SEEDS, 'p.yaml');
    expect(p.iccid).toBe('8949000000000000001');
    expect(p.imsi).toBe('001010123456789');
    expect(p.pins.adm1).toBe('12345678');
    expect(p.ledger!.consent!.code).toBe('2468');
  });

  it.each([
    ['ki', text.replace('465b5ce8b199b49faa5f0a2ee238a6bc', '465b5ce8b19zb49faa5f0a2ee238a6bc'), 'p.yaml:9:7: auth.ki: expected 32 hex digits (16 bytes) of Ki; "z" at column 12 is not a hex digit'],
    ['opc (spaced bytes)', text.replace('cd63cb71954a9f4e48a5994e37a02baf', 'cd 63 cb 71 95 4a 9f 4e 48 a5 99 4e 37 a0 2b a-'), 'auth.opc: expected 32 hex digits (16 bytes) of OPc; "-" at column 47 is not a hex digit'],
    ['imsi', text.replace('imsi: "001010123456789"', 'imsi: "00101O123456789"'), 'p.yaml:5:7: imsi: expected IMSI: 6..15 decimal digits; "O" at column 6 is not a decimal digit'],
    ['pin1', text.replace('pin1: "1234"', 'pin1: "12a4"'), 'pins.pin1: expected PIN1: 4..8 decimal digits; "a" at column 3 is not a decimal digit'],
  ])('a non-hex / non-digit character in %s is named with its column', (_n, bad, expected) => {
    expect(errorOf(bad)).toContain(expected);
  });
});
