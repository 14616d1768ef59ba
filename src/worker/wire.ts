/**
 * Comlink's "throw" transfer handler, replaced so that errors keep their class, code, message, stack
 * and cause across the worker boundary (Comlink's own keeps only message, name and stack of a plain
 * Error). Both sides must install it: the worker serializes, the page deserializes.
 *
 * Class names are taken from `instanceof`, not from `err.name`: the error classes give `name` as a
 * string literal (src/errors.ts), but an error's `name` is writable and may have been changed (or, for
 * subclasses defined elsewhere, derived from a minified class name). The page side puts the canonical
 * name back on the rebuilt error for the same reason.
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import {
  AbortError,
  errorFromWire,
  errorToWire,
  ForesightError,
  GpuError,
  InvalidArgumentError,
  LoadError,
  ModelFormatError,
  PairingError,
  QuotaError,
  type WireError,
} from '../errors';

interface Thrown {
  value: unknown;
}

/** Most specific first. */
const CLASSES = [
  ['QuotaError', QuotaError],
  ['PairingError', PairingError],
  ['InvalidArgumentError', InvalidArgumentError],
  ['AbortError', AbortError],
  ['ModelFormatError', ModelFormatError],
  ['GpuError', GpuError],
  ['LoadError', LoadError],
  ['ForesightError', ForesightError],
] as const;

function canonicalName(err: unknown): string | undefined {
  return CLASSES.find(([, cls]) => err instanceof cls)?.[0];
}

/** errorToWire, with class names that survive minification (causes included). */
export function toWire(err: unknown): WireError {
  const wire = errorToWire(err);
  const name = canonicalName(err);
  if (name) wire.name = name;
  if (err instanceof Error && err.cause !== undefined && wire.cause) wire.cause = toWire(err.cause);
  return wire;
}

/** errorFromWire, with the canonical name restored on the error and its causes. */
export function fromWire(wire: WireError): ForesightError {
  const err = errorFromWire(wire);
  const rename = (e: unknown, w: WireError | { message: string } | undefined) => {
    for (; e instanceof ForesightError && w && 'name' in w; e = e.cause, w = w.cause) {
      if (canonicalName(e) === w.name) Object.defineProperty(e, 'name', { value: w.name, writable: true, configurable: true });
    }
  };
  rename(err, wire);
  return err;
}

let installed = false;

export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const comlinks = transferHandlers.get('throw') as TransferHandler<Thrown, WireError>;
  const handler: TransferHandler<Thrown, WireError> = {
    canHandle: comlinks.canHandle,
    serialize: ({ value }) => [toWire(value), []],
    deserialize: (wire) => {
      throw fromWire(wire);
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
}
