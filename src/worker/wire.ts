/**
 * Comlink's "throw" transfer handler, replaced so that errors keep their class, code, message, stack
 * and cause across the worker boundary (Comlink's own keeps only message, name and stack of a plain
 * Error). Both sides must install it: the worker serializes, the page deserializes.
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import { errorFromWire, errorToWire, type WireError } from '../errors';

interface Thrown {
  value: unknown;
}

let installed = false;

export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const comlinks = transferHandlers.get('throw') as TransferHandler<Thrown, WireError>;
  const handler: TransferHandler<Thrown, WireError> = {
    canHandle: comlinks.canHandle,
    serialize: ({ value }) => [errorToWire(value), []],
    deserialize: (wire) => {
      throw errorFromWire(wire);
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
}
