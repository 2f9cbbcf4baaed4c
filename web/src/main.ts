/** The console's shell: sign-in, the header, and a hash router over the queue, a case, the dashboard, the suppressions and one's own password. */
import { api, ApiError, onSessionEnded, type Me } from './api.js';
import { el, mount, setText } from './dom.js';
import { showCase } from './case-page.js';
import { showDashboard } from './dashboard.js';
import { showPassword } from './password-page.js';
import { showQueue, stopQueuePolling } from './queue.js';
import { showSuppressions } from './suppressions.js';

const app = document.getElementById('app')!;
const top = document.getElementById('top')!;
let me: Me | undefined;

function header(): void {
  const route = location.hash || '#/queue';
  const link = (href: string, text: string) => el('a', { href, class: route.startsWith(href) ? 'active' : '' }, text);
  mount(top, el('span', { class: 'brand' }, 'Tidewatch'), link('#/queue', 'Queue'), link('#/dashboard', 'Dashboard'), link('#/suppressions', 'Suppressions'),
    me ? el('span', { class: 'who', 'data-testid': 'who' }, `${me.user} (${me.role})`) : null,
    me ? el('a', { href: '#/password', class: route.startsWith('#/password') ? 'active' : '', 'data-testid': 'password-link' }, 'Password') : null,
    me ? el('button', { class: 'secondary', onclick: () => void api.post('/api/logout').finally(() => { me = undefined; showLogin(''); }) }, 'Sign out') : null);
}

/**
 * Why the sign-in form asks (a session that ended), kept until someone signs in or signs out:
 * a later route drew the form again without it (a background reload met the 401 first, then the
 * user moved to another page, and the form no longer said the session had ended).
 */
let loginReason = '';

function showLogin(message?: string): void {
  if (message !== undefined) loginReason = message;
  message = loginReason;
  stopQueuePolling();
  // The page itself now asks to sign in: the box over the page goes (a sign-in there after this
  // only redrew the header, over this form).
  const box = document.getElementById('sign-in-again');
  if (box instanceof HTMLDialogElement) box.close();
  me = undefined;
  header();
  const user = el('input', { name: 'user', autocomplete: 'username', required: true });
  const password = el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = el('p', { class: 'error', 'data-testid': 'login-error' }, message);
  const form = el('form', {
    onsubmit: (e) => {
      e.preventDefault();
      api.login(user.value, password.value).then((m) => { me = m; loginReason = ''; void route(); }).catch((err: Error) => { setText(error, err.message); });
    },
  }, el('label', {}, 'User', user), el('label', {}, 'Password', password), el('button', { type: 'submit' }, 'Sign in'), error);
  mount(app, el('div', { class: 'card login' }, el('h1', {}, 'Sign in'), form));
}

/**
 * Sign-in over the page, when a change was refused because the session ended: the page and what
 * was typed in it stay. Signed in again as the same user, the page goes on (the user repeats the
 * action); as another, it is shown again for them.
 */
function signInAgain(): void {
  const shown = document.getElementById('sign-in-again');
  if (shown instanceof HTMLDialogElement && shown.open) return;
  shown?.remove();
  const previous = me?.user;
  const user = el('input', { name: 'user', autocomplete: 'username', required: true, value: previous ?? '' });
  const password = el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = el('p', { class: 'error' });
  const dialog = el('dialog', { id: 'sign-in-again', 'data-testid': 'sign-in-again' });
  const form = el('form', {
    onsubmit: (e) => {
      e.preventDefault();
      const typed = password.value;
      password.value = '';
      api.login(user.value, typed).then((m) => {
        dialog.close();
        me = m;
        loginReason = '';
        if (m.user === previous) header();
        else void route();
      }).catch((err: Error) => { setText(error, err.message); });
    },
  }, el('h2', {}, 'Your session ended'), el('p', {}, 'Sign in again to carry on. This page and what you typed stay as they are: then do again what you were doing.'),
  el('label', {}, 'User', user), el('label', {}, 'Password', password), el('button', { type: 'submit' }, 'Sign in'), error);
  dialog.append(form);
  // Closed by a sign-in or by Escape, it goes with what was typed in it: a closed dialog left in
  // the page kept the password typed before Escape, and the check above then never offered
  // sign-in again (the next refusal said "sign in again in the box shown", and no box was shown).
  dialog.addEventListener('close', () => { password.value = ''; dialog.remove(); });
  document.body.append(dialog);
  dialog.showModal();
}
onSessionEnded(signInAgain);

/**
 * Routes run one after another, and one that a newer route has overtaken before it began is
 * skipped: a page that awaits its data (a supervisor's queue loads the users first) would
 * otherwise be mounted after the page asked for next, over it. Seen as a flake of the browser
 * test: a second supervisor signed in and opened the suppressions, and the queue came back
 * over them.
 */
let requested = 0;
let routing: Promise<void> = Promise.resolve();
function route(): Promise<void> {
  const mine = ++requested;
  routing = routing.then(() => (mine === requested ? show() : undefined)).catch(() => undefined);
  return routing;
}

async function show(): Promise<void> {
  if (!me) return showLogin();
  header();
  stopQueuePolling();
  const hash = location.hash || '#/queue';
  const caseMatch = /^#\/case\/([\w-]+)/.exec(hash);
  try {
    if (caseMatch) await showCase(app, caseMatch[1]!, me);
    else if (hash.startsWith('#/dashboard')) await showDashboard(app);
    else if (hash.startsWith('#/suppressions')) await showSuppressions(app, me);
    else if (hash.startsWith('#/password')) showPassword(app, me, (m) => { me = m; });
    else await showQueue(app, me);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showLogin('Your session ended; sign in again.');
    mount(app, el('p', { class: 'error' }, err instanceof Error ? err.message : String(err)));
  }
}

window.addEventListener('hashchange', () => void route());
window.addEventListener('unhandledrejection', (e) => { if (e.reason instanceof ApiError && e.reason.status === 401) showLogin('Your session ended; sign in again.'); });
api.me().then((m) => { me = m; }).catch(() => undefined).finally(() => void route());
