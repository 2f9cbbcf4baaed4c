/**
 * The signed-in user sets their own password (POST /api/me/password), proving it with the current
 * one: after a supervisor made the account or reset the password, its holder sets one the
 * supervisor does not know. The console then ends every other session of the old password and
 * carries on in a new one, whose CSRF token the API hands back.
 */
import { api, type Me } from './api.js';
import { el, mount, setText } from './dom.js';

/** At least this long, as the server asks (passwords.ts); the server judges the rest and says why. */
const MIN_LENGTH = 12;

export function showPassword(app: HTMLElement, me: Me, signedInAgain: (me: Me) => void): void {
  const field = (name: string, autocomplete: string): HTMLInputElement =>
    el('input', { name, type: 'password', autocomplete, required: true, minlength: String(MIN_LENGTH), 'data-testid': name });
  const current = el('input', { name: 'current-password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'current-password' });
  const next = field('new-password', 'new-password');
  const again = field('repeat-password', 'new-password');
  const error = el('p', { class: 'error', 'data-testid': 'password-error', role: 'alert' });
  const done = el('p', { class: 'notice', 'data-testid': 'password-changed', hidden: true });
  const submit = el('button', { type: 'submit' }, 'Change password');
  const form = el('form', {
    'data-testid': 'password-form',
    onsubmit: (e) => {
      e.preventDefault();
      setText(error, '');
      done.hidden = true;
      if (next.value !== again.value) return setText(error, 'The two new passwords differ: type the same one twice.');
      submit.disabled = true;
      api.changePassword(current.value, next.value)
        .then((m) => {
          form.reset();
          done.hidden = false;
          setText(done, 'Password changed. Every other session signed in with the old one has ended.');
          signedInAgain(m);
        })
        .catch((err: Error) => { setText(error, err.message); })
        .finally(() => { submit.disabled = false; });
    },
  }, el('label', {}, 'Current password', current), el('label', {}, `New password (at least ${MIN_LENGTH} characters, 5 different, not your user name)`, next), el('label', {}, 'New password again', again), submit);
  mount(app, el('div', { class: 'card login' }, el('h1', {}, `Password of ${me.user}`), form, error, done));
}
