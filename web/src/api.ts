/** The console's JSON API, with the CSRF token the sign-in returned sent on every change. */
export interface Me { user: string; role: 'analyst' | 'supervisor' | 'viewer'; csrfToken: string }

let csrfToken = '';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method, credentials: 'same-origin',
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method !== 'GET' ? { 'x-csrf-token': csrfToken } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const data = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiError(res.status, data.error ?? res.statusText);
  return data as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => call<T>('POST', path, body),
  async login(user: string, password: string): Promise<Me> {
    const me = await call<Me>('POST', '/api/login', { user, password });
    csrfToken = me.csrfToken;
    return me;
  },
  async me(): Promise<Me> {
    const me = await call<Me>('GET', '/api/me');
    csrfToken = me.csrfToken;
    return me;
  },
};
