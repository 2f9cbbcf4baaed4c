/**
 * The key the console signs CSRF tokens with. Every console instance behind one address must use
 * the same one, so it comes from the environment (TIDEWATCH_CONSOLE_SECRET); only `--demo`, a single
 * process with nothing to share, makes a random one.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, type Config } from '../config/config.js';

export const MIN_SECRET_LENGTH = 32;

export function consoleSecret(config: Pick<Config, 'TIDEWATCH_CONSOLE_SECRET'>, demo: boolean): string {
  const secret = config.TIDEWATCH_CONSOLE_SECRET;
  if (demo && !secret) return randomBytes(32).toString('base64');
  if (!secret) throw new ConfigError(`TIDEWATCH_CONSOLE_SECRET is not set: the console signs CSRF tokens with it, and every instance needs the same one (at least ${MIN_SECRET_LENGTH} characters, e.g. openssl rand -base64 32)`);
  if (secret.length < MIN_SECRET_LENGTH) throw new ConfigError(`TIDEWATCH_CONSOLE_SECRET is ${secret.length} characters; it needs at least ${MIN_SECRET_LENGTH} (e.g. openssl rand -base64 32)`);
  // The example file's placeholder is exactly long enough: copied unchanged, every deployment shared one key.
  if (/CHANGE_?ME|PLACEHOLDER|EXAMPLE/i.test(secret)) throw new ConfigError('TIDEWATCH_CONSOLE_SECRET is still the placeholder of the example file: set a secret of your own (e.g. openssl rand -base64 32)');
  return secret;
}
