/**
 * Typed errors. Every error Foresight throws is a ForesightError with a literal `code`,
 * so callers can branch on it, and so the worker bridge can rebuild the same class on the page
 * (see `errorToWire` / `errorFromWire`).
 */

export type ErrorCode =
  // model files and configs
  | 'model-format' // not GGUF / safetensors, corrupt header, truncated data
  | 'missing-tensor'
  | 'tensor-shape'
  | 'unsupported-architecture'
  | 'unsupported-dtype'
  | 'config-mismatch' // config.json disagrees with the tensors
  | 'pairing' // draft and target vocabularies differ
  // GPU
  | 'no-webgpu'
  | 'device-lost'
  | 'shader-compile'
  | 'gpu-limits' // a buffer does not fit the adapter's limits
  | 'gpu-validation'
  // loading and caching
  | 'download'
  | 'integrity'
  | 'quota'
  | 'storage'
  // generation and API
  | 'invalid-argument'
  | 'context-length'
  | 'aborted'
  | 'disposed'
  | 'tokenizer'
  | 'internal';

export class ForesightError extends Error {
  readonly code: ErrorCode;
  // Names are literals, not `new.target.name`: minifiers rename classes in users' production builds.
  override name: string = 'ForesightError';
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A model file or config is malformed, unsupported, or disagrees with itself. Names the file/tensor/field. */
export class ModelFormatError extends ForesightError {
  override readonly name = 'ModelFormatError';
}
/** WebGPU is missing, lost, or rejected a shader / pipeline / buffer. */
export class GpuError extends ForesightError {
  override readonly name = 'GpuError';
}
/** Downloading, caching or integrity checking failed. */
export class LoadError extends ForesightError {
  override readonly name = 'LoadError';
}
/** Storage quota would be (or was) exceeded. Carries the byte counts when known. */
export class QuotaError extends ForesightError {
  override readonly name = 'QuotaError';
  constructor(
    message: string,
    readonly bytesNeeded?: number,
    readonly bytesAvailable?: number,
    options?: { cause?: unknown },
  ) {
    super('quota', message, options);
  }
}
/** Draft and target cannot be paired (different vocabularies). */
export class PairingError extends ForesightError {
  override readonly name = 'PairingError';
  constructor(message: string) {
    super('pairing', message);
  }
}
/** A caller passed something invalid (bad option, prompt too long, ...). */
export class InvalidArgumentError extends ForesightError {
  override readonly name = 'InvalidArgumentError';
  constructor(message: string, code: 'invalid-argument' | 'context-length' = 'invalid-argument') {
    super(code, message);
  }
}
/** A generation or load was aborted by the caller (AbortSignal, break, dispose). */
export class AbortError extends ForesightError {
  override readonly name = 'AbortError';
  constructor(message = 'aborted', code: 'aborted' | 'disposed' = 'aborted') {
    super(code, message);
  }
}

const classes = {
  ForesightError,
  ModelFormatError,
  GpuError,
  LoadError,
  QuotaError,
  PairingError,
  InvalidArgumentError,
  AbortError,
} as const;
export type ErrorClassName = keyof typeof classes;

/** Plain-object form of an error, safe to structured-clone across a worker boundary. */
export interface WireError {
  name: string;
  code: ErrorCode;
  message: string;
  stack?: string;
  cause?: WireError | { message: string };
  extra?: Record<string, unknown>;
}

export function errorToWire(err: unknown): WireError {
  if (err instanceof ForesightError) {
    const extra: Record<string, unknown> = {};
    if (err instanceof QuotaError) {
      extra.bytesNeeded = err.bytesNeeded;
      extra.bytesAvailable = err.bytesAvailable;
    }
    return {
      name: err.name,
      code: err.code,
      message: err.message,
      stack: err.stack,
      cause: err.cause === undefined ? undefined : errorToWire(err.cause),
      extra,
    };
  }
  if (err instanceof Error) {
    return { name: err.name, code: 'internal', message: err.message, stack: err.stack };
  }
  return { name: 'Error', code: 'internal', message: String(err) };
}

export function errorFromWire(w: WireError): ForesightError {
  const cause = w.cause ? errorFromWire(w.cause as WireError) : undefined;
  let err: ForesightError;
  switch (w.name as ErrorClassName) {
    case 'QuotaError':
      err = new QuotaError(w.message, w.extra?.bytesNeeded as number, w.extra?.bytesAvailable as number, { cause });
      break;
    case 'PairingError':
      err = new PairingError(w.message);
      break;
    case 'InvalidArgumentError':
      err = new InvalidArgumentError(w.message, w.code as 'invalid-argument' | 'context-length');
      break;
    case 'AbortError':
      err = new AbortError(w.message, w.code as 'aborted' | 'disposed');
      break;
    case 'ModelFormatError':
    case 'GpuError':
    case 'LoadError':
    case 'ForesightError': {
      const Cls = classes[w.name as ErrorClassName] as typeof ForesightError;
      err = new Cls(w.code, w.message, { cause });
      break;
    }
    default:
      err = new ForesightError(w.code ?? 'internal', w.message, { cause });
  }
  if (w.stack) err.stack = w.stack;
  return err;
}
