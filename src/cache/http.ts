/**
 * What the loader needs from HTTP: sizes and validators from headers, Content-Range checks, and typed
 * errors that name the URL and the status.
 *
 * Where a file's sha256 comes from: the Hub answers a `resolve` URL of an LFS file with `X-Linked-Etag`
 * (and a CDN `ETag`) equal to the file's sha256; any server may do the same with its ETag. A 64-hex-digit
 * ETag is taken as a sha256 claim, and a mismatch fails the download (which is then fetched again once).
 */
import { LoadError } from '../errors';

export interface RemoteInfo {
  size?: number;
  etag?: string;
  sha256?: string;
  /** The Hub's `X-Repo-Commit`: the commit a revision resolved to. */
  commit?: string;
}

export function remoteInfo(res: Response): RemoteInfo {
  const h = res.headers;
  const linkedEtag = h.get('x-linked-etag') ?? undefined;
  const etag = h.get('etag') ?? undefined;
  const sha256 = [linkedEtag, etag].map(sha256FromEtag).find((x) => x !== undefined);
  return {
    size: sizeOf(res),
    // To tell whether a file changed between requests, compare the answering server's own ETag (after a
    // Hub redirect, the CDN's), which is what a later request will see too.
    etag: etag ?? linkedEtag,
    sha256,
    commit: h.get('x-repo-commit') ?? undefined,
  };
}

function sizeOf(res: Response): number | undefined {
  const h = res.headers;
  const linked = toSize(h.get('x-linked-size'));
  if (linked !== undefined) return linked;
  if (res.status === 206) return parseContentRange(h.get('content-range'))?.total;
  const encoding = h.get('content-encoding');
  // A compressed body's Content-Length is not the file's size; the size is then learnt at the end.
  if (encoding && encoding !== 'identity') return undefined;
  return toSize(h.get('content-length'));
}

function toSize(v: string | null): number | undefined {
  if (v === null || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v);
}

export function sha256FromEtag(etag: string | undefined): string | undefined {
  if (!etag) return undefined;
  const v = etag.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
  return /^[0-9a-f]{64}$/.test(v) ? v : undefined;
}

/** `bytes start-end/total` (total may be `*`). */
export function parseContentRange(v: string | null): { start: number; end: number; total?: number } | undefined {
  const m = v && /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v.trim());
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

/** A failure worth retrying: the connection broke, or the server said "try later". */
export class TransientError extends Error {
  override name = 'TransientError';
}

export function httpError(method: string, url: string, res: Response): LoadError | TransientError {
  const msg = `${method} ${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  if (res.status >= 500 || res.status === 429 || res.status === 408) return new TransientError(msg);
  return new LoadError('download', msg);
}

/** fetch() rejected (DNS, refused, reset, CORS): a TransientError naming the URL. */
export function networkError(method: string, url: string, err: unknown): TransientError {
  const detail = err instanceof Error ? err.message : String(err);
  return new TransientError(`${method} ${url}: network error (${detail})`);
}

/** Reads a whole (small) body, failing with a TransientError if the connection breaks. */
export async function readBody(res: Response, url: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    throw networkError('GET', url, err);
  }
}
