/** The console's JSON API, with the CSRF token the sign-in returned sent on every change. */
export interface Me { user: string; role: 'analyst' | 'supervisor' | 'viewer'; csrfToken: string }

let csrfToken = '';
/** Whose session this page's token belongs to: a change is never sent as another user. */
let signedInAs = '';

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

/** What the server says of a change whose CSRF token is not its session's (@fastify/csrf-protection). */
const CSRF_REFUSED = 'Invalid csrf token';

async function call<T>(method: string, path: string, body?: unknown, background = false, freshToken = false): Promise<T> {
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
  if (res.status === 403 && method !== 'GET' && !freshToken && data.error === CSRF_REFUSED) return callWithFreshToken<T>(method, path, body, background);
  if (!res.ok) throw new ApiError(res.status, data.error ?? res.statusText);
  return data as T;
}

/**
 * A change refused for its CSRF token because the browser's session cookie was replaced meanwhile
 * (a sign-in in another tab, the box over the page included): the token this page holds belongs
 * to the old session. The change was refused before it was read, so it is sent again, once, with
 * the new session's token if that session is the same user's; if it is another user's, it is not
 * sent as them, and sign-in is offered. Before, the page said "Not done: Invalid csrf token. The
 * page now shows the case as it is." and every later change on it was refused so.
 */
async function callWithFreshToken<T>(method: string, path: string, body: unknown, background: boolean): Promise<T> {
  const now = await call<Me>('GET', '/api/me').catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 401) sessionEnded();
    throw err;
  });
  if (now.user !== signedInAs) {
    sessionEnded();
    throw new ApiError(401, `${now.user} signed in on this browser meanwhile (another tab): nothing was sent; sign in again in the box shown to go on as ${signedInAs}.`);
  }
  csrfToken = now.csrfToken;
  return call<T>(method, path, body, background, true);
}

/** Takes the session a sign-in, a password change or a look-up returned: its CSRF token and user. */
function adoptSession(me: Me): Me {
  csrfToken = me.csrfToken;
  signedInAs = me.user;
  return me;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  /** A GET the page makes by itself, not the user: it does not keep the session from going idle. */
  getInBackground: <T>(path: string) => call<T>('GET', path, undefined, true),
  post: <T>(path: string, body: unknown = {}) => call<T>('POST', path, body),
  login: (user: string, password: string): Promise<Me> => call<Me>('POST', '/api/login', { user, password }).then(adoptSession),
  /** Sets one's own password; the session goes on as a new one, with a new CSRF token. */
  changePassword: (currentPassword: string, newPassword: string): Promise<Me> => call<Me>('POST', '/api/me/password', { currentPassword, newPassword }).then(adoptSession),
  me: (): Promise<Me> => call<Me>('GET', '/api/me').then(adoptSession),
};
