import { describe, expect, test } from 'vitest';
import { AbortError, ForesightError, InvalidArgumentError, LoadError, QuotaError } from '../errors';
import { fromWire, toWire } from './wire';

/** What a minifier does to `new.target.name`: the class is renamed, so `name` is too. */
function minified<T extends Error>(err: T): T {
  Object.defineProperty(err, 'name', { value: 'w' });
  return err;
}

/** Through structured cloning, as postMessage does. */
const roundTrip = (err: unknown) => fromWire(structuredClone(toWire(err)));

describe('errors over the wire', () => {
  test('class, name, code, message, stack and fields survive, even with minified class names', () => {
    const err = roundTrip(minified(new InvalidArgumentError('prompt too long', 'context-length')));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err).toMatchObject({ name: 'InvalidArgumentError', code: 'context-length', message: 'prompt too long' });
    expect(err.stack).toContain('prompt too long');
    const quota = roundTrip(minified(new QuotaError('full', 100, 7)));
    expect(quota).toBeInstanceOf(QuotaError);
    expect(quota).toMatchObject({ name: 'QuotaError', bytesNeeded: 100, bytesAvailable: 7 });
    expect(roundTrip(new AbortError('bye', 'disposed'))).toMatchObject({ name: 'AbortError', code: 'disposed' });
  });

  test('causes keep their classes; plain errors become ForesightError("internal") with their message', () => {
    const err = roundTrip(minified(new LoadError('download', 'fetch failed', { cause: minified(new QuotaError('full')) })));
    expect(err).toBeInstanceOf(LoadError);
    expect(err.cause).toBeInstanceOf(QuotaError);
    expect((err.cause as Error).name).toBe('QuotaError');
    const plain = roundTrip(new TypeError('x is not a function'));
    expect(plain).toBeInstanceOf(ForesightError);
    expect(plain).toMatchObject({ code: 'internal', message: 'x is not a function' });
  });
});
