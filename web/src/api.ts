// REST access: the token pair, refresh before expiry and on 401, errors as
// exceptions, uploads with progress, and attachments fetched with the token.
import type { ApiErrorBody, AuthResult } from './types';

const STORAGE_KEY = 'driftway.session';
// Refresh this long before the access token expires.
const REFRESH_MARGIN_MS = 60_000;

interface Tokens {
  access: string;
  refresh: string;
  expiresAt: number; // epoch ms
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

function load(): Tokens | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const t = JSON.parse(raw) as Tokens;
    return typeof t.refresh === 'string' && typeof t.access === 'string' ? t : null;
  } catch {
    return null;
  }
}

let tokens: Tokens | null = load();
let refreshing: Promise<boolean> | null = null;
let onSignedOut: () => void = () => {};

function save(t: Tokens | null) {
  tokens = t;
  if (t) localStorage.setItem(STORAGE_KEY, JSON.stringify(t));
  else localStorage.removeItem(STORAGE_KEY);
}

export function hasSession(): boolean {
  return tokens !== null;
}

export function whenSignedOut(f: () => void) {
  onSignedOut = f;
}

export function adoptSession(r: AuthResult) {
  save({ access: r.access_token, refresh: r.refresh_token, expiresAt: Date.now() + r.expires_in * 1000 });
}

export function forgetSession() {
  save(null);
}

// Refresh tokens are single use and a reused one revokes the whole family,
// so one refresh runs at a time: within this page by sharing the promise,
// across tabs by a Web Lock and by adopting a pair another tab just stored.
function refreshTokens(): Promise<boolean> {
  if (!refreshing) {
    const run = async (): Promise<boolean> => {
      const stored = load();
      if (stored && tokens && stored.refresh !== tokens.refresh && stored.expiresAt - REFRESH_MARGIN_MS > Date.now()) {
        tokens = stored;
        return true;
      }
      const current = stored ?? tokens;
      if (!current) return false;
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: current.refresh }),
      });
      if (res.status === 401 || res.status === 400) {
        save(null);
        onSignedOut();
        return false;
      }
      if (!res.ok) throw new ApiError(res.status, 'refresh_failed', `refresh failed (${res.status})`);
      adoptSession((await res.json()) as AuthResult);
      return true;
    };
    const locks = (navigator as Navigator & { locks?: LockManager }).locks;
    const p: Promise<boolean> = locks ? (locks.request('driftway-refresh', run) as unknown as Promise<boolean>) : run();
    refreshing = p.finally(() => {
      refreshing = null;
    });
    return refreshing;
  }
  return refreshing;
}

export async function accessToken(): Promise<string> {
  if (!tokens) throw new ApiError(401, 'unauthorized', 'not signed in');
  if (tokens.expiresAt - REFRESH_MARGIN_MS < Date.now()) await refreshTokens();
  if (!tokens) throw new ApiError(401, 'unauthorized', 'not signed in');
  return tokens.access;
}

// Keeps an idle tab's token fresh so that a reconnect can resume at once.
setInterval(() => {
  if (tokens && tokens.expiresAt - 2 * REFRESH_MARGIN_MS < Date.now()) void refreshTokens().catch(() => {});
}, 30_000);

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function errorOf(res: Response): Promise<ApiError> {
  let body: Partial<ApiErrorBody> = {};
  try {
    body = (await res.json()) as ApiErrorBody;
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, body.code ?? 'http_' + res.status, body.message ?? res.statusText, body.errors ?? {});
}

export interface RequestOptions {
  auth?: boolean;
  headers?: Record<string, string>;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const auth = opts.auth ?? true;
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (auth) headers.Authorization = 'Bearer ' + (await accessToken());
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch('/api/v1' + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.ok) {
      if (res.status === 204) return undefined as T;
      const text = await res.text();
      return (text ? JSON.parse(text) : undefined) as T;
    }
    const err = await errorOf(res);
    if (auth && res.status === 401 && attempt === 0 && (err.code === 'token_expired' || err.code === 'invalid_token')) {
      if (await refreshTokens()) continue;
    }
    if (res.status === 429 && attempt < 3) {
      const after = Number(res.headers.get('Retry-After') ?? '1');
      await delay(Math.min(10, Math.max(0.2, after)) * 1000);
      continue;
    }
    if (res.status === 401 && auth) {
      save(null);
      onSignedOut();
    }
    throw err;
  }
}

export interface Upload<T> {
  promise: Promise<T>;
  abort: () => void;
}

// XMLHttpRequest, not fetch: only it reports upload progress.
export function upload<T>(file: File, onProgress: (fraction: number) => void): Upload<T> {
  const xhr = new XMLHttpRequest();
  const promise = accessToken().then(
    (token) =>
      new Promise<T>((resolve, reject) => {
        xhr.open('POST', '/api/v1/attachments');
        xhr.setRequestHeader('Authorization', 'Bearer ' + token);
        xhr.responseType = 'text';
        xhr.upload.onprogress = (e) => {
          if (e.lengthComputable) onProgress(e.loaded / e.total);
        };
        xhr.onload = () => {
          let body: Partial<ApiErrorBody> & T = {} as Partial<ApiErrorBody> & T;
          try {
            body = JSON.parse(xhr.responseText);
          } catch {
            /* not JSON */
          }
          if (xhr.status === 201) {
            onProgress(1);
            resolve(body as T);
          } else {
            reject(new ApiError(xhr.status, body.code ?? 'upload_failed', body.message ?? 'upload failed'));
          }
        };
        xhr.onerror = () => reject(new ApiError(0, 'network', 'the upload failed'));
        xhr.onabort = () => reject(new ApiError(0, 'aborted', 'the upload was cancelled'));
        const form = new FormData();
        form.append('file', file, file.name || 'pasted.png');
        xhr.send(form);
      }),
  );
  return { promise, abort: () => xhr.abort() };
}

// Attachments need the Bearer token, which an <img src> cannot send: fetch
// them and show them through blob: URLs (allowed by the CSP's img-src).
const blobs = new Map<string, Promise<string>>();

export function blobUrl(url: string): Promise<string> {
  let p = blobs.get(url);
  if (!p) {
    p = (async () => {
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(url, { headers: { Authorization: 'Bearer ' + (await accessToken()) } });
        if (res.ok) return URL.createObjectURL(await res.blob());
        if (res.status === 401 && attempt === 0 && (await refreshTokens())) continue;
        throw await errorOf(res);
      }
    })();
    p.catch(() => blobs.delete(url));
    blobs.set(url, p);
  }
  return p;
}

export async function downloadAttachment(url: string, filename: string) {
  const href = await blobUrl(url);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export async function signOut() {
  const t = tokens;
  save(null);
  if (t) {
    await fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: t.refresh }),
    }).catch(() => {});
  }
  onSignedOut();
}
