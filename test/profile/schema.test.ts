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
