/**
 * The loopback applet's commands: a diagnostic applet for transports and throughput (echo, a fixed
 * 16-byte answer, SHA-256 of the data, a 3-write transaction). Proprietary class 80.
 */
import { CLASS_80, CLASS_00, type CommandSpec } from './types.js';
import { anyByte, oneOf, params, P1P2_ANY, v } from './p1p2.js';

export const LOOPBACK_AID = 'f0636172646667010001'; // F0 'cardfg' 01 00 01: proprietary RID range F0
const C80 = CLASS_80;
const REF = 'cardforge loopback applet';

export const LOOPBACK_COMMANDS: readonly CommandSpec[] = [
  { name: 'ECHO', cla: C80, ins: 0x10, cases: [1, 2, 3, 4], p1p2: P1P2_ANY, description: 'Return the command data (case 4; without Le the data waits behind 61xx), nothing (case 1), or Ne bytes of a counting pattern (case 2)', ref: REF,
    command: [{ name: 'data', length: 'rest' }], response: [{ name: 'data', length: 'rest' }] },
  { name: 'FIXED16', cla: C80, ins: 0x12, cases: [2], p1p2: P1P2_ANY, description: 'Return 16 fixed bytes (the trivial throughput command)', ref: REF,
    response: [{ name: 'data', length: 16 }] },
  { name: 'SHA256', cla: C80, ins: 0x14, cases: [4], p1p2: P1P2_ANY, description: 'Return SHA-256 of the command data', ref: 'FIPS 180-4',
    command: [{ name: 'data', length: 'rest' }], response: [{ name: 'digest', length: 32 }] },
  { name: 'TX3', cla: C80, ins: 0x16, cases: [3], p1p2: params(oneOf('', v(0x00, 'commit'), v(0x01, 'fail after the second write (the transaction is aborted)')), anyByte('ignored'), { checkedBy: 'handler', note: 'the data length (3) is checked first' }), description: 'Write three persistent fields from 3 data bytes inside one transaction', ref: REF,
    command: [{ name: 'a', length: 1 }, { name: 'b', length: 1 }, { name: 'c', length: 1 }] },
  { name: 'READ_STATE', cla: C80, ins: 0x18, cases: [2], p1p2: P1P2_ANY, description: 'Read the three fields TX3 writes', ref: REF,
    response: [{ name: 'a', length: 1 }, { name: 'b', length: 1 }, { name: 'c', length: 1 }] },
  { name: 'GET_CHALLENGE', cla: CLASS_00, ins: 0x84, cases: [2], p1p2: P1P2_ANY, description: 'Return Ne random bytes', ref: 'ISO/IEC 7816-4 §11.5.3',
    response: [{ name: 'challenge', length: 'rest', random: true }] },
  { name: 'THROW', cla: C80, ins: 0x1e, cases: [1], p1p2: P1P2_ANY, description: 'Raise an internal error (exercises the 6F00 path)', ref: REF },
];
