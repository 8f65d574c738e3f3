/**
 * --reader everywhere (send, run, personalize, image dump, prove, shell, trace replay, readers)
 * is resolved by pickReader: exact name first, then the index `cardforge readers` prints (all
 * digits), then a unique part of a name. Guards: "0" matching "Virtual PCD 00 00" as a substring
 * instead of reader 0, an index past the end silently taking another reader.
 */
import { describe, expect, it } from 'vitest';
import { pickReader, TransportError } from '../../host/transport/index.js';

const readers = [{ name: 'Virtual PCD 00 00' }, { name: 'Virtual PCD 00 01' }, { name: '7' }];
const pick = (w: string | undefined) => pickReader(readers, w, () => false).name;

describe('pickReader', () => {
  it('takes an index, an exact name (even an all-digit one) or a unique part', () => {
    expect(pick('0')).toBe('Virtual PCD 00 00');
    expect(pick('1')).toBe('Virtual PCD 00 01');
    expect(pick('7')).toBe('7'); // a reader named "7" is that reader, not index 7
    expect(pick('Virtual PCD 00 01')).toBe('Virtual PCD 00 01');
    expect(pick('01')).toBe('Virtual PCD 00 01'); // all digits: index 1
  });
  it('an index past the end names the readers with their indexes', () => {
    let err: unknown;
    try {
      pick('3');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).message).toBe('no reader at index 3; readers are: 0 "Virtual PCD 00 00", 1 "Virtual PCD 00 01", 2 "7" (see cardforge readers)');
  });
});
