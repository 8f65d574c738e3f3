/**
 * The generated command reference (docs/commands.md): every declared command and status word,
 * rendered from apdu-specs so the documentation cannot drift from what the card dispatches.
 * `npm run docs` rewrites it; a test fails when the committed file is out of date.
 */
import { ALL_COMMANDS, STATUS_WORDS, p1p2Text, type CommandSpec, type FieldSpec } from '../../apdu-specs/index.js';

const hex2 = (n: number): string => n.toString(16).padStart(2, '0').toUpperCase();

function fields(list: readonly FieldSpec[] | undefined): string {
  if (!list?.length) return '—';
  return list
    .map((f) => `${f.name} (${f.length === 'rest' ? 'rest' : `${f.length}`}${f.random ? ', random' : ''}${f.secret ? ', secret' : ''})`)
    .join('; ');
}

function escape(s: string): string {
  return s.replace(/\|/g, '\\|');
}

function commandRows(specs: readonly CommandSpec[]): string[] {
  return specs.map(
    (c) =>
      `| ${c.name} | ${c.cla.text} | ${hex2(c.ins)} | ${c.cases.join(', ')} | ${escape(p1p2Text(c.p1p2))} | ${escape(c.description)} | ${escape(fields(c.command))} | ${escape(fields(c.response))} | ${escape(c.ref)} |`,
  );
}

export function renderCommandReference(): string {
  const lines: string[] = [
    '# Command reference',
    '',
    '<!-- Generated from apdu-specs/ by `npm run docs`; do not edit by hand. -->',
    '',
    'Every command the card dispatches, from the same declarations the dispatcher and the trace',
    'decoder read. Cases: 1 no data/no Le, 2 Le only, 3 data only, 4 data and Le (a case-4 command',
    'arriving without Le, as over T=0, is served through 61xx/9Fxx and GET RESPONSE). P1-P2: the',
    'values each command takes; the card answers any other with 6B00 in class A0, 6A86 otherwise, or',
    'the SW given, before the command runs — unless marked as checked by the command itself.',
    '',
    '## Commands',
    '',
    '| name | CLA | INS | cases | P1-P2 | description | command data | response data | reference |',
    '|---|---|---|---|---|---|---|---|---|',
    ...commandRows(ALL_COMMANDS),
    '',
    '## Status words',
    '',
    '| SW | name | category | description | reference |',
    '|---|---|---|---|---|',
    ...STATUS_WORDS.map((s) => {
      let pattern = s.sw.toString(16).padStart(4, '0').toUpperCase();
      if (s.mask === 0xff00) pattern = pattern.slice(0, 2) + 'XX';
      else if (s.mask === 0xfff0) pattern = pattern.slice(0, 3) + 'X';
      return `| ${pattern} | ${s.name} | ${s.category} | ${escape(s.description)} | ${s.ref} |`;
    }),
    '',
  ];
  return lines.join('\n');
}
