/**
 * Input checks shared by the algorithms: each returns the checked value and speaks the house shape
 * (`"ki" expected 16 bytes, got 15`). Wrong type → TypeError, wrong value → RangeError.
 */

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** `value` must be a Uint8Array (a Buffer passes: it is one) of exactly `length` bytes. */
export function bytesOf(name: string, value: Uint8Array, length: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`"${name}" expected Uint8Array, got ${describe(value)}`);
  if (value.length !== length) throw new RangeError(`"${name}" expected ${length} bytes, got ${value.length}`);
  return value;
}

/** `value` must be a Uint8Array of `min..max` bytes. */
export function bytesBetween(name: string, value: Uint8Array, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`"${name}" expected Uint8Array, got ${describe(value)}`);
  if (value.length < min || value.length > max) {
    throw new RangeError(`"${name}" expected ${min}..${max} bytes, got ${value.length}`);
  }
  return value;
}

/** `value` must be an integer in `min..max` (both inclusive; `max` may be Infinity). */
export function intBetween(name: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`"${name}" expected number, got ${describe(value)}`);
  const ok = value === Infinity ? max === Infinity : Number.isSafeInteger(value) && value >= min && value <= max;
  if (!ok) throw new RangeError(`"${name}" expected ${min}..${max}, got ${value}`);
  return value;
}
