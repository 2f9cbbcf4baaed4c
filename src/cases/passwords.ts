/**
 * Slow password hashing with node:crypto scrypt (memory-hard, no native build). The stored form
 * names its parameters, so they can be raised later without invalidating existing hashes.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const N = 1 << 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
export const MIN_PASSWORD_LENGTH = 12;

/** Distinct characters a password needs: twelve of one or two characters are guessed first. */
const MIN_DISTINCT_CHARACTERS = 5;

/**
 * Why a new password for `user` is too weak, or undefined: shorter than the minimum, blank, of
 * fewer than five distinct characters, or holding the user's name (NIST SP 800-63B asks to
 * refuse repetitive passwords and ones derived from the user name).
 */
export function weakPassword(user: string, password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.trim() === '') return 'a password cannot be blank';
  if (new Set(password.toLowerCase()).size < MIN_DISTINCT_CHARACTERS) return `a password needs at least ${MIN_DISTINCT_CHARACTERS} different characters`;
  if (user.length >= 4 && password.toLowerCase().includes(user.toLowerCase())) return 'a password cannot contain the user name';
  return undefined;
}

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, { N: n, r, p, maxmem: 256 * n * r }, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$salt$key`, salt and key in base64. */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of nothing anyone knows, checked when the user does not exist so both answers take as long. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(24).toString('base64'));
  return decoy;
}
