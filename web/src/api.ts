/** The console's JSON API, with the CSRF token the sign-in returned sent on every change. */
export interface Me { user: string; role: 'analyst' | 'supervisor' | 'viewer'; csrfToken: string }

let csrfToken = '';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

/**
 * A reload the page makes by itself (the queue on a pushed event, or polling): the console does
 * not count it as the user's use of the session, which ends after CONSOLE_IDLE_MINUTES without.
 */
const BACKGROUND = { 'x-tidewatch-background': '1' };

/**
 * What the shell does when a change is refused because the session ended (idle timeout, signed
 * out elsewhere, the account changed): it offers to sign in again over the page, so what the user
 * typed is still there to send again. Before session 48 the case page showed "sign in first" in
 * red beside the button, under a header that still named the user.
 */
let sessionEnded: () => void = () => undefined;
export function onSessionEnded(handler: () => void): void { sessionEnded = handler; }
const SIGN_IN_ROUTES = new Set(['/api/login', '/api/logout']);

async function call<T>(method: string, path: string, body?: unknown, background = false): Promise<T> {
  const res = await fetch(path, {
    method, credentials: 'same-origin',
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method !== 'GET' ? { 'x-csrf-token': csrfToken } : {}), ...(background ? BACKGROUND : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const data = (await res.json().catch(() => ({}))) as { error?: string };
  if (res.status === 401 && method !== 'GET' && !SIGN_IN_ROUTES.has(path)) {
    sessionEnded();
    throw new ApiError(401, 'Your session ended: sign in again in the box shown; what you typed is kept, to send again.');
  }
  if (!res.ok) throw new ApiError(res.status, data.error ?? res.statusText);
  return data as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  /** A GET the page makes by itself, not the user: it does not keep the session from going idle. */
  getInBackground: <T>(path: string) => call<T>('GET', path, undefined, true),
  post: <T>(path: string, body: unknown = {}) => call<T>('POST', path, body),
  async login(user: string, password: string): Promise<Me> {
    const me = await call<Me>('POST', '/api/login', { user, password });
    csrfToken = me.csrfToken;
    return me;
  },
  /** Sets one's own password; the session goes on as a new one, with a new CSRF token. */
  async changePassword(currentPassword: string, newPassword: string): Promise<Me> {
    const me = await call<Me>('POST', '/api/me/password', { currentPassword, newPassword });
    csrfToken = me.csrfToken;
    return me;
  },
  async me(): Promise<Me> {
    const me = await call<Me>('GET', '/api/me');
    csrfToken = me.csrfToken;
    return me;
  },
};
