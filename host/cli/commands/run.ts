/**
 * `cardforge run FILE`: run an APDU script (pcsc-tools scriptor syntax, plus `=> SW` expectations
 * and ${NAME} variables: host/cli/script.ts, docs/run.md) against --card or --reader, printing
 * scriptor's "> command" / "< response : meaning" lines. Like scriptor on a T=0 reader the host
 * fetches nothing (--raw is the default; --no-raw lets it fetch), so a script pasted from
 * scriptor or a handset trace, with its own GET RESPONSEs, runs unchanged.
 * Exit 0: every expectation held; 1: the first mismatch (the run stops there and says expected
 * vs got and the line); 2: a malformed script (nothing was sent).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { bytesToHex } from '../../../card/runtime/index.js';
import { decodeResponse } from '../../trace/decode.js';
import { maskCommand, spacedHex } from '../../trace/mask.js';
import { loadProfileFile } from '../../profile/load.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { readUserFile, writeUserFile, fileProblem } from '../files.js';
import { emitJson } from '../json/convention.js';
import { RUN_JSON } from '../json/outputs.js';
import { addTargetOptions, openTarget, type TargetOptions } from '../target.js';
import { meets, parseScript, parseVarOption, profileVariables, starSecretDigits, type ApduStep, type ScriptStep, type Variable } from '../script.js';

interface RunOptions extends TargetOptions {
  profile?: string;
  var: string[];
  json?: boolean;
  junit?: string;
  showSecrets?: boolean;
}

type StepResult = { line: number; command: string; response: string; sw: string; expected?: string; ok: boolean } | { line: number; reset: string };

interface Mismatch {
  step: ApduStep;
  shownCommand: string;
  response: Uint8Array;
}

const collect = (v: string, acc: string[]): string[] => [...acc, v];

export function registerRun(program: Command, ctx: CliContext): void {
  addTargetOptions(
    program
      .command('run')
      .description('Run an APDU script (scriptor syntax) with expected responses: stops and exits 1 at the first mismatch')
      .argument('<file>', 'the script ("-": read it from stdin)'),
  )
    .option('--no-raw', 'T=0: let the host send GET RESPONSE after 61xx/9Fxx and re-send on 6Cxx (as send does without --raw); by default nothing is fetched, as with scriptor on a T=0 reader. T=1: no effect')
    .option('--profile <file>', 'personalization profile (YAML) whose fields fill ${iccid} ${imsi} ${pin1} ${pin2} ${puk1} ${puk2} ${adm1} ${ki} ${opc} ${op} ${sqn}')
    .option('--var <name=hex>', 'a variable for ${NAME} (repeatable; overrides the profile\'s); names starting pin/puk/adm/key, ki, op, opc are starred in output', collect, [])
    .option('--json', 'print the steps as JSON (docs/json.md: run --json) instead of text')
    .option('--junit <file>', 'also write a JUnit XML report: one test case per APDU, the unrun ones skipped')
    .option('--show-secrets', 'print PIN/ADM/key values in clear (commands declared secret, digits from secret variables)')
    .addHelpText(
      'after',
      [
        '',
        'Script lines (scriptor syntax, docs/run.md):',
        '  00A4000C023F00                one APDU in hex, spaces allowed; a line ending in "\\" continues',
        '  00A4000C023F00 => 9000        expect SW 9000, any data',
        '  A0A40000023F00 => 9F??        "?" matches any hex digit; the last 4 digits are the SW',
        '  A0C0000003 => 0000?? 9000     data before the SW must then match digit for digit',
        '  0020000108${pin1} => 9000     ${NAME}: from --profile or --var; secret ones starred',
        '  reset | exit | # comment',
        'Exit 0: all expectations held; 1: the first mismatch (the run stops there); 2: a malformed script (nothing sent).',
        '',
        'Examples:',
        '  cardforge run checks.script --card sim.json --profile profiles/example-sim.yaml',
        '  cardforge run checks.script --reader "Virtual PCD 00 00" --var pin1=31323334FFFFFFFF --junit run.xml',
      ].join('\n'),
    )
    .action(async (file: string, opts: RunOptions) => {
      const reveal = opts.showSecrets === true;
      const vars = new Map<string, Variable>(opts.profile !== undefined ? profileVariables(loadProfileFile(opts.profile)) : []);
      for (const v of opts.var) vars.set(...parseVarOption(v));
      const text = file === '-' ? readStdin() : readUserFile(file, 'the script', 'SCRIPT_UNREADABLE');
      const steps = parseScript(text, file === '-' ? '<stdin>' : file, { extensions: true, variables: vars });

      const target = openTarget(opts);
      const results: StepResult[] = [];
      const out = (line: string): void => {
        if (!opts.json) ctx.out(line);
      };
      let mismatch: Mismatch | undefined;
      let sent = 0;
      let held = 0;
      try {
        const atr = await target.connect();
        out(`Using ${target.protocol ?? '?'} protocol (${target.name}, ATR ${spacedHex(bytesToHex(atr))})`);
        for (const step of steps) {
          if (step.kind === 'reset') {
            const a = await target.reset();
            out('> RESET');
            out(`< OK: ${spacedHex(bytesToHex(a))}`);
            results.push({ line: step.line, reset: bytesToHex(a) });
            continue;
          }
          const shown = reveal ? bytesToHex(step.apdu) : starSecretDigits(maskCommand(step.apdu), step.secretDigits);
          const rsp = await target.transmit(step.apdu);
          sent++;
          const r = decodeResponse(rsp);
          out(`> ${spacedHex(shown)}`);
          out(`< ${spacedHex(bytesToHex(rsp))} : ${r.meaning}`);
          const ok = step.expect === undefined || meets(step.expect, rsp);
          results.push({ line: step.line, command: shown.toLowerCase(), response: bytesToHex(rsp), sw: r.swHex, ...(step.expect ? { expected: expectedJson(step, reveal) } : {}), ok });
          if (step.expect) {
            if (!ok) {
              mismatch = { step, shownCommand: shown, response: rsp };
              out(`! ${where(file, step)}: expected ${expectedShown(step, reveal)}, got ${gotShown(rsp)} (${r.meaning})`);
              break;
            }
            held++;
          }
        }
      } finally {
        await target.close();
      }
      const notRun = mismatch ? steps.length - results.length : 0;
      const expectations = steps.filter((s) => s.kind === 'apdu' && s.expect).length;
      out(
        mismatch
          ? `run: stopped at ${where(file, mismatch.step)}: ${held} of ${expectations} expectations held before it; ${sent} APDUs sent, ${notRun} ${notRun === 1 ? 'step' : 'steps'} not run`
          : `run: ${sent} APDUs sent; ${held} of ${expectations} expectations held`,
      );
      if (opts.junit !== undefined) writeUserFile(opts.junit, junitRun(file, steps, results, mismatch, reveal), 'the JUnit report', 'REPORT_UNWRITABLE');
      if (opts.json) emitJson(ctx, RUN_JSON, { file, ok: mismatch === undefined, steps: results, notRun });
      if (mismatch) process.exitCode = EXIT.FAILURE;
    });
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch (e) {
    throw new CliError('SCRIPT_UNREADABLE', `cannot read the script from stdin (${fileProblem(e)})`);
  }
}

const where = (file: string, step: ScriptStep): string => `${file === '-' ? '<stdin>' : file}:${step.line}`;

function expectedShown(step: ApduStep, reveal: boolean): string {
  return reveal ? revealedPattern(step) : step.expect!.shown;
}

/** With --show-secrets, the expectation with the variables' digits in clear. */
function revealedPattern(step: ApduStep): string {
  const e = step.expect!;
  const data = (e.data ?? '').toUpperCase().replace(/(..)(?!$)/g, '$1 ');
  return `${data ? `${data} ` : ''}${e.sw.toUpperCase()}`;
}

function expectedJson(step: ApduStep, reveal: boolean): string {
  return expectedShown(step, reveal).replace(/\s/g, '').toLowerCase();
}

/** The response as the expectation is written: data spaced in bytes, then the SW. */
function gotShown(rsp: Uint8Array): string {
  const hex = bytesToHex(rsp).toUpperCase();
  const data = hex.slice(0, -4).replace(/(..)(?!$)/g, '$1 ');
  return `${data ? `${data} ` : ''}${hex.slice(-4)}`;
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML in prove's style (host/prove/report.ts): one test case per APDU line, named by line and command. */
export function junitRun(file: string, steps: readonly ScriptStep[], results: readonly StepResult[], mismatch: Mismatch | undefined, reveal: boolean): string {
  const ran = new Map(results.filter((r): r is Extract<StepResult, { command: string }> => 'command' in r).map((r) => [r.line, r]));
  const apdus = steps.filter((s): s is ApduStep => s.kind === 'apdu');
  let failures = 0;
  let skipped = 0;
  const cases = apdus.map((s) => {
    const r = ran.get(s.line);
    const shown = r ? spacedHex(r.command) : spacedHex(reveal ? bytesToHex(s.apdu) : starSecretDigits(maskCommand(s.apdu), s.secretDigits));
    const expect = s.expect ? ` => ${expectedShown(s, reveal)}` : '';
    let body = '';
    if (!r) {
      skipped++;
      body = `<skipped message="${xml(`not run: the script stopped at line ${mismatch?.step.line ?? '?'}`)}"/>`;
    } else if (!r.ok) {
      failures++;
      body = `<failure message="${xml(`expected ${expectedShown(s, reveal)}, got ${gotShown(mismatch!.response)}`)}"/>`;
    }
    return `    <testcase classname="cardforge.run" name="${xml(`line ${s.line}: ${shown}${expect}`)}">${body}</testcase>`;
  });
  const suite = `  <testsuite name="${xml(file)}" tests="${apdus.length}" failures="${failures}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${apdus.length}" failures="${failures}" skipped="${skipped}">\n${suite}\n</testsuites>\n`;
}
