/**
 * host/cli/script.ts in process: scriptor lines, `=> EXPECTED` matching with "?" digits, ${NAME}
 * substitution with secret digits tracked, the profile's variables as the bytes commands carry
 * (checked against the card's own EF encodings and the VERIFY block of TS 51.011 §9.2.9),
 * and errors at file:line:column that never repeat a line's content.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { loadProfileFile } from '../../host/profile/load.js';
import { isSecretName, meets, parseScript, parseVarOption, profileVariables, starSecretDigits, ScriptError, type ApduStep, type Variable } from '../../host/cli/script.js';
import { REPO } from './built-cli.js';

const run = { extensions: true } as const;
const apdus = (text: string, vars?: Map<string, Variable>): ApduStep[] => parseScript(text, 's', { ...run, ...(vars ? { variables: vars } : {}) }) as ApduStep[];

function error(text: string, opts: { extensions: boolean; variables?: Map<string, Variable> } = run): string {
  try {
    parseScript(text, 'f.script', opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ScriptError);
    expect((e as ScriptError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('scriptor lines', () => {
  it('hex with or without spaces, comments, blank lines, continuation, reset and exit', () => {
    const steps = parseScript('# c\n\n00 A4 00 04 02 3F 00\n00a4000402 \\\n# inside\n\n 3f00 # trailing\nRESET\n80 12 00 00 10\nexit\n00 00 00 00\n', 's', run);
    expect(steps.map((s) => (s.kind === 'reset' ? `reset@${s.line}` : `${bytesToHex(s.apdu)}@${s.line}`))).toEqual(['00a40004023f00@3', '00a40004023f00@4', 'reset@8', '8012000010@9']);
  });

  it('send - (no extensions) takes plain APDUs and exit, and refuses reset, => and variables by position', () => {
    expect(parseScript('00A40004023F00\nexit\nreset\n', 's', { extensions: false })).toHaveLength(1);
    expect(error(' reset\n', { extensions: false })).toBe('f.script:1:2: "reset" is a script command: use `cardforge run FILE` for scripts with resets');
    expect(error('00A40004023F00 => 9000', { extensions: false })).toMatch(/^f\.script:1:16: expectations/);
    expect(error('0020000108${pin1}', { extensions: false })).toMatch(/^f\.script:1:11: variables/);
  });
});

describe('expectations', () => {
  const e = (text: string) => apdus(`00A40004023F00 => ${text}`)[0]!.expect!;

  it('four digits check only the SW, with ? for any digit', () => {
    expect(e('9000')).toEqual({ data: undefined, sw: '9000', shown: '9000' });
    expect(meets(e('9000'), hexToBytes('01029000'))).toBe(true);
    expect(meets(e('61??'), hexToBytes('612b'))).toBe(true);
    expect(meets(e('61??'), hexToBytes('6c2b'))).toBe(false);
    expect(meets(e('63c?'), hexToBytes('63C3'))).toBe(true);
    expect(meets(e('63C?'), hexToBytes('63D3'))).toBe(false);
    expect(meets(e('9000'), new Uint8Array(0))).toBe(false);
  });

  it('data before the SW matches digit by digit and in length', () => {
    const x = e('01 ?2 ?? 9000');
    expect(x).toEqual({ data: '01?2??', sw: '9000', shown: '01 ?2 ?? 9000' });
    expect(meets(x, hexToBytes('0132ff9000'))).toBe(true);
    expect(meets(x, hexToBytes('0133ff9000'))).toBe(false);
    expect(meets(x, hexToBytes('0132ff009000'))).toBe(false); // longer
    expect(meets(x, hexToBytes('01329000'))).toBe(false); // shorter
    expect(meets(x, hexToBytes('0132ff6a82'))).toBe(false);
  });
});

describe('variables', () => {
  const vars = new Map<string, Variable>([
    ['pin1', { value: '31323334ffffffff', secret: true }],
    ['fid', { value: '3f00', secret: false }],
  ]);

  it('substitutes hex and marks the digits of secret variables', () => {
    const [verify, select] = apdus('A0 20 00 01 08 ${pin1} => 9000\n00A4000402${fid} => ${fid}9000', vars);
    expect(bytesToHex(verify!.apdu)).toBe('a02000010831323334ffffffff');
    expect(verify!.secretDigits.filter(Boolean)).toHaveLength(16);
    expect(starSecretDigits(bytesToHex(verify!.apdu), verify!.secretDigits)).toBe(`a020000108${'*'.repeat(16)}`);
    expect(select!.secretDigits.some(Boolean)).toBe(false);
    expect(select!.expect).toEqual({ data: '3f00', sw: '9000', shown: '3F 00 9000' });
  });

  it('a secret variable in an expectation is starred where it is shown', () => {
    const [s] = apdus('00B0000008 => ${pin1} 9000', vars);
    expect(s!.expect!.shown).toBe('** ** ** ** ** ** ** ** 9000');
    expect(meets(s!.expect!, hexToBytes('31323334ffffffff9000'))).toBe(true);
  });

  it('an unknown or malformed variable is an error at the "$", naming the known ones', () => {
    expect(error('00A4 \\\n  00 04 ${nope}', { ...run, variables: vars })).toBe('f.script:2:9: unknown variable ${nope}; known: fid, pin1; define it with --var nope=HEX or take it from a profile (--profile FILE)');
    expect(error('00A40004 $pin1')).toBe('f.script:1:10: "$" starts a variable: write ${NAME}');
    expect(error('00A40004 ${1x}')).toBe('f.script:1:10: a variable name is letters, digits and _, not starting with a digit: ${NAME}');
  });

  it('errors never repeat the line (it may hold a PIN)', () => {
    expect(error('A0 20 00 01 08 31323334FFFFFFFG')).toBe('f.script:1:31: not a hex digit in the APDU');
  });

  it('--var NAME=HEX: hex only, whole bytes; secret by name', () => {
    expect(parseVarOption('pin1=31 32 33 34 FF FF FF FF')).toEqual(['pin1', { value: '31323334ffffffff', secret: true }]);
    expect(parseVarOption('aid=A0000000871002')).toEqual(['aid', { value: 'a0000000871002', secret: false }]);
    expect(() => parseVarOption('pin1')).toThrow(/--var expected NAME=HEX .* got no "="/);
    expect(() => parseVarOption('1x=00')).toThrow(/got the name "1x"/);
    expect(() => parseVarOption('adm1=1234567')).toThrow('--var adm1: odd number of hex digits (7); give whole bytes');
    expect(() => parseVarOption('pin1=12x4')).toThrow('--var pin1: not a hex digit at offset 2 of the value');
    expect(['pin1', 'PUK2', 'adm1', 'key_enc', 'ki', 'op', 'opc'].every(isSecretName)).toBe(true);
    expect(['iccid', 'imsi', 'sqn', 'opt', 'kind'].some(isSecretName)).toBe(false);
  });
});

describe('profile variables', () => {
  it('are the bytes the card holds and VERIFY carries (example-sim.yaml)', () => {
    const v = profileVariables(loadProfileFile(join(REPO, 'profiles/example-sim.yaml')));
    const show = Object.fromEntries([...v].map(([k, x]) => [k, `${x.value}${x.secret ? ' secret' : ''}`]));
    expect(show).toEqual({
      iccid: '989400000000000000f1', // 8949000000000000001: swapped BCD, F pad (TS 102.221 §13.2)
      imsi: '080910101032547698', // 001010123456789 (TS 51.011 §10.3.2)
      pin1: '31323334ffffffff secret',
      pin2: '35363738ffffffff secret',
      puk1: '3132333435363738 secret',
      puk2: '3837363534333231 secret',
      adm1: '3132333435363738 secret',
      ki: '465b5ce8b199b49faa5f0a2ee238a6bc secret',
      opc: 'cd63cb71954a9f4e48a5994e37a02baf secret',
      sqn: '000000000000',
    });
  });
});
