/**
 * A local HTTP server for tests: static files, Hub-style `resolve` paths, Range requests, CORS, request
 * statistics, and hooks that break responses on purpose (cut off after N bytes, fail with a status,
 * hold until released, flip a byte).
 *
 *   const server = await startTestServer({ hubRoot: dir });   // dir/owner/repo/config.json ...
 *   fetch(`${server.url}/owner/repo/resolve/main/config.json`)
 *   server.hooks.cutAfter('model.safetensors', 1_000_000);     // next matching response dies after 1 MB
 *   server.stats.bytesSent, server.stats.ranges, server.log    // what was asked and sent
 *   await server.close();
 *
 * Hub layout: GET/HEAD /{owner}/{repo}/resolve/{revision}/{path} serves {hubRoot}/{owner}/{repo}@{revision}/{path}
 * if that folder exists, else {hubRoot}/{owner}/{repo}/{path}. With `lfsRedirect`, weight files
 * (.safetensors, .gguf) answer 302 to /cdn/... with X-Linked-Size and X-Linked-Etag, as the Hub does.
 * Everything else: GET /{path} serves {root}/{path}, or `files[path]` from memory.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { extname, join, resolve, sep } from 'node:path';

export interface TestServerOptions {
  /** Folder served at `/`. */
  root?: string;
  /** Folder of `owner/repo/...` served at Hub `resolve` paths. */
  hubRoot?: string;
  /** In-memory files by URL path (`/index.html`), checked before `root`. */
  files?: Record<string, string | Uint8Array>;
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  /**
   * How a file's sha256 is advertised: `etag` (ETag is the sha256, default), `x-linked-etag` (the Hub's way:
   * X-Linked-Etag on weight files, a git-like ETag on the rest), or `none` (an opaque ETag).
   */
  sha256?: 'etag' | 'x-linked-etag' | 'none';
  /** Hub-style 302 from `resolve` to `/cdn/...` for weight files. */
  lfsRedirect?: boolean;
  /** Honour Range requests (default true); false answers 200 with the whole body, like a server without Range support. */
  ranges?: boolean;
  /** Gzip .json bodies for clients that accept it (Content-Length is then the compressed size), as CDNs do. */
  gzipJson?: boolean;
  /** Extra response headers for every answer (e.g. COOP/COEP for pages). */
  headers?: Record<string, string>;
}

export interface RequestRecord {
  method: string;
  path: string;
  range?: string;
  ifRange?: string;
  status: number;
  /** Body bytes sent. */
  bytes: number;
}

export interface TestServerStats {
  /** Requests answered, OPTIONS preflights included. */
  requests: number;
  /** Requests answered 206. */
  ranges: number;
  /** Body bytes sent. */
  bytesSent: number;
}

/** Which requests a hook applies to: a substring of the path, a RegExp, or a predicate. */
export type Match = string | RegExp | ((path: string, method: string) => boolean);

export interface TestServerHooks {
  /**
   * The next `times` (default 1) matching GETs send `bytes` body bytes, then the connection is destroyed,
   * after `lingerMs` (default 0) of silence. A browser drops body bytes it had queued but not yet handed to
   * the page when the connection errors, so browser tests linger to let the page consume what was sent,
   * as it does on a real, slower network.
   */
  cutAfter(match: Match, bytes: number, options?: { times?: number; lingerMs?: number }): void;
  /** The next `times` matching requests answer `status` with no body. */
  fail(match: Match, status?: number, times?: number): void;
  /** Matching requests wait until the returned function is called. */
  block(match: Match): () => void;
  /** The next `times` matching GETs have the byte at file offset `offset` flipped (if it is in the range sent). */
  corrupt(match: Match, offset: number, times?: number): void;
  /** Removes every hook. */
  reset(): void;
}

export interface TestServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  stats: TestServerStats;
  log: RequestRecord[];
  resetStats(): void;
  hooks: TestServerHooks;
  close(): Promise<void>;
}

interface Rule {
  match: Match;
  times: number;
  kind: 'cut' | 'fail' | 'block' | 'corrupt';
  value: number;
  wait?: Promise<void>;
  lingerMs?: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};
const WEIGHTS = /\.(safetensors|gguf)$/;
const SLICE = 64 * 1024;

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const stats: TestServerStats = { requests: 0, ranges: 0, bytesSent: 0 };
  const log: RequestRecord[] = [];
  let rules: Rule[] = [];
  const hashes = new Map<string, string>(); // "path:mtime:size" -> sha256

  const takeRule = (kind: Rule['kind'], path: string, method: string): Rule | undefined => {
    const rule = rules.find((r) => r.kind === kind && r.times > 0 && matches(r.match, path, method));
    if (rule) rule.times--;
    return rule;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) {
        res.writeHead(500, cors());
        res.end(String(err));
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const record: RequestRecord = {
      method,
      path,
      range: header(req, 'range'),
      ifRange: header(req, 'if-range'),
      status: 0,
      bytes: 0,
    };
    stats.requests++;
    log.push(record);
    if (method === 'OPTIONS') return void end(res, record, 204, {});

    const blockRule = takeRule('block', path, method);
    if (blockRule) await blockRule.wait;
    const failRule = takeRule('fail', path, method);
    if (failRule) return void end(res, record, failRule.value, {});
    if (method !== 'GET' && method !== 'HEAD') return void end(res, record, 405, {});

    const hub = options.hubRoot ? hubPath(options.hubRoot, path) : undefined;
    if (hub && options.lfsRedirect && WEIGHTS.test(hub.file) && !path.startsWith('/cdn/')) {
      const body = await readFile(hub.file).catch(() => undefined);
      if (!body) return void end(res, record, 404, {});
      return void end(res, record, 302, {
        Location: `/cdn${path.replace('/resolve/', '/')}`,
        'X-Linked-Size': String(body.byteLength),
        'X-Linked-Etag': `"${await sha256Of(hub.file, body)}"`,
        'X-Repo-Commit': hub.commit,
      });
    }
    const file = hub?.file ?? staticPath(path);
    const body = await load(path, file);
    if (!body) return void end(res, record, 404, {});

    const headers: Record<string, string> = {
      'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
      'Accept-Ranges': options.ranges === false ? 'none' : 'bytes',
      'Cache-Control': 'no-store',
      ...(await validators(path, file, body)),
    };
    if (hub) headers['X-Repo-Commit'] = hub.commit;

    let start = 0;
    let end_ = body.byteLength; // exclusive
    let status = 200;
    const range = record.range && options.ranges !== false ? parseRange(record.range, body.byteLength) : undefined;
    const ifRangeOk = !record.ifRange || record.ifRange === headers.ETag;
    if (range === 'unsatisfiable') {
      return void end(res, record, 416, { ...headers, 'Content-Range': `bytes */${body.byteLength}` });
    }
    if (range && ifRangeOk) {
      ({ start, end: end_ } = range);
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end_ - 1}/${body.byteLength}`;
      stats.ranges++;
    }
    headers['Content-Length'] = String(end_ - start);
    if (method === 'HEAD') return void end(res, record, status, headers);

    let sent: Buffer = body.subarray(start, end_);
    if (options.gzipJson && status === 200 && path.endsWith('.json') && /gzip/.test(header(req, 'accept-encoding') ?? '')) {
      sent = gzipSync(sent);
      headers['Content-Encoding'] = 'gzip';
      headers['Content-Length'] = String(sent.byteLength);
    }
    const corruptRule = takeRule('corrupt', path, method);
    if (corruptRule && corruptRule.value >= start && corruptRule.value < end_) {
      sent = Buffer.from(sent);
      sent[corruptRule.value - start] ^= 0xff;
    }
    const cutRule = takeRule('cut', path, method);
    res.writeHead(status, { ...cors(), ...options.headers, ...headers });
    record.status = status;
    const limit = cutRule ? Math.min(cutRule.value, sent.byteLength) : sent.byteLength;
    for (let at = 0; at < limit; at += SLICE) {
      const piece = sent.subarray(at, Math.min(at + SLICE, limit));
      await new Promise<void>((ok, fail) => res.write(piece, (err) => (err ? fail(err) : ok())));
      record.bytes += piece.byteLength;
      stats.bytesSent += piece.byteLength;
    }
    if (cutRule) {
      if (cutRule.lingerMs) await new Promise((ok) => setTimeout(ok, cutRule.lingerMs));
      res.destroy(); // the client sees the body end early: a broken connection
    } else {
      res.end();
    }
  }

  function end(res: ServerResponse, record: RequestRecord, status: number, headers: Record<string, string>): void {
    record.status = status;
    res.writeHead(status, { ...cors(), ...options.headers, ...headers });
    res.end();
  }

  async function load(path: string, file: string | undefined): Promise<Buffer | undefined> {
    const mem = options.files?.[path];
    if (mem !== undefined) return Buffer.from(mem);
    if (!file) return undefined;
    try {
      if (!(await stat(file)).isFile()) return undefined;
      return await readFile(file);
    } catch {
      return undefined;
    }
  }

  async function sha256Of(file: string, body: Buffer): Promise<string> {
    const s = await stat(file).catch(() => undefined);
    const key = `${file}:${s?.mtimeMs}:${body.byteLength}`;
    let h = hashes.get(key);
    if (!h) hashes.set(key, (h = createHash('sha256').update(body).digest('hex')));
    return h;
  }

  async function validators(path: string, file: string | undefined, body: Buffer): Promise<Record<string, string>> {
    const sha = file ? await sha256Of(file, body) : createHash('sha256').update(body).digest('hex');
    const mode = options.sha256 ?? 'etag';
    if (mode === 'etag') return { ETag: `"${sha}"` };
    if (mode === 'none') return { ETag: `"${sha.slice(0, 16)}"` };
    const gitLike = `"${sha.slice(0, 40)}"`;
    return WEIGHTS.test(path) ? { ETag: `"${sha}"`, 'X-Linked-Etag': `"${sha}"`, 'X-Linked-Size': String(body.byteLength) } : { ETag: gitLike };
  }

  function hubPath(root: string, path: string): { file: string; commit: string } | undefined {
    const m = /^\/(?:cdn\/)?([^/]+)\/([^/]+)\/(?:resolve\/)?([^/]+)\/(.+)$/.exec(path);
    if (!m || (!path.includes('/resolve/') && !path.startsWith('/cdn/'))) return undefined;
    const [, owner, repo, revision, rest] = m;
    const pinned = join(root, owner, `${repo}@${revision}`);
    const base = existsSync(pinned) ? pinned : join(root, owner, repo);
    const file = inside(base, rest);
    const commit = createHash('sha1').update(`${owner}/${repo}@${revision}`).digest('hex');
    return file ? { file, commit } : undefined;
  }

  function staticPath(path: string): string | undefined {
    return options.root ? inside(options.root, path.replace(/^\/+/, '')) : undefined;
  }

  await new Promise<void>((ok) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    stats,
    log,
    resetStats() {
      stats.requests = stats.ranges = stats.bytesSent = 0;
      log.length = 0;
    },
    hooks: {
      cutAfter: (match, bytes, { times = 1, lingerMs = 0 } = {}) =>
        void rules.push({ match, times, kind: 'cut', value: bytes, lingerMs }),
      fail: (match, status = 503, times = Infinity) => void rules.push({ match, times, kind: 'fail', value: status }),
      block(match) {
        let release!: () => void;
        const wait = new Promise<void>((ok) => (release = ok));
        rules.push({ match, times: Infinity, kind: 'block', value: 0, wait });
        return () => {
          rules = rules.filter((r) => r.wait !== wait);
          release();
        };
      },
      corrupt: (match, offset, times = 1) => void rules.push({ match, times, kind: 'corrupt', value: offset }),
      reset() {
        for (const r of rules) if (r.kind === 'block') r.times = 0;
        rules = [];
      },
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function cors(): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
    'Access-Control-Allow-Headers': 'Range, If-Range',
    'Access-Control-Expose-Headers':
      'ETag, Content-Range, Content-Length, Accept-Ranges, X-Linked-Etag, X-Linked-Size, X-Repo-Commit',
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function matches(match: Match, path: string, method: string): boolean {
  if (typeof match === 'string') return path.includes(match);
  if (match instanceof RegExp) return match.test(path);
  return match(path, method);
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range as [start, end); undefined to send the whole body. */
function parseRange(v: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(v.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // several ranges, or malformed: send it all
  if (m[1] === '') {
    const n = Math.min(Number(m[2]), size);
    return n === 0 ? 'unsatisfiable' : { start: size - n, end: size };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || last < start) return 'unsatisfiable';
  return { start, end: last + 1 };
}

/** `rel` resolved inside `base`, or undefined if it escapes it. */
function inside(base: string, rel: string): string | undefined {
  const root = resolve(base);
  const p = resolve(root, rel);
  return p === root || p.startsWith(root + sep) ? p : undefined;
}
