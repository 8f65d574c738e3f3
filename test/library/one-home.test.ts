/**
 * One home per idea in the published surface (issue 17): the primitives of card/algorithms are
 * reachable as `algorithms` of `cardforge` and the wire formats of card/protocol as `protocol` of
 * `cardforge/backend`, and nowhere else — no other entry point or namespace exports the same
 * function or object.
 */
import { describe, expect, it } from 'vitest';
import * as root from '../../lib/index.js';
import * as applets from '../../lib/applets.js';
import * as transport from '../../lib/transport.js';
import * as backend from '../../lib/backend.js';
import * as testing from '../../lib/testing.js';
import * as algorithms from '../../card/algorithms/index.js';
import * as protocol from '../../card/protocol/index.js';

const ENTRIES: Record<string, object> = { cardforge: root, 'cardforge/applets': applets, 'cardforge/transport': transport, 'cardforge/backend': backend, 'cardforge/testing': testing };

/** Every path (`entry:name` or `entry:ns.name`) under which a function or object is exported. */
function pathsOf(value: unknown): string[] {
  const out: string[] = [];
  for (const [entry, mod] of Object.entries(ENTRIES)) {
    for (const [k, v] of Object.entries(mod)) {
      if (v === value) out.push(`${entry}:${k}`);
      const isNamespace = typeof v === 'object' && v !== null && Object.prototype.toString.call(v) === '[object Module]';
      if (isNamespace) for (const [k2, v2] of Object.entries(v)) if (v2 === value) out.push(`${entry}:${k}.${k2}`);
    }
  }
  return out;
}

const identifiable = (v: unknown): boolean => typeof v === 'function' || (typeof v === 'object' && v !== null);

describe('one public home', () => {
  it('cardforge exports card/algorithms as `algorithms` (AES-CMAC and P-256 included) and cardforge/backend card/protocol as `protocol`', () => {
    expect(root.algorithms.aesCmac).toBe(algorithms.aesCmac);
    expect(root.algorithms.cmacSubkeys).toBe(algorithms.cmacSubkeys);
    expect(root.algorithms.p256Sign).toBe(algorithms.p256Sign);
    expect(root.algorithms.verifyDigest).toBe(algorithms.verifyDigest);
    expect(backend.protocol.LEDGER_AID).toBe(protocol.LEDGER_AID);
    expect(backend.protocol.encodeSignFields).toBe(protocol.encodeSignFields);
    expect(backend.protocol.REC).toBe(protocol.REC);
  });

  it('each primitive and each wire format is exported under exactly one path', () => {
    const dup = (face: string, mod: object, home: string): string[] =>
      Object.entries(mod)
        .filter(([, v]) => identifiable(v))
        .flatMap(([k, v]) => {
          const paths = pathsOf(v);
          return paths.length === 1 && paths[0] === `${home}.${k}` ? [] : [`${face}.${k}: ${paths.join(', ') || 'not exported'}`];
        });
    expect(dup('algorithms', algorithms, 'cardforge:algorithms')).toEqual([]);
    expect(dup('protocol', protocol, 'cardforge/backend:protocol')).toEqual([]);
  });
});
