import { ConfigError, loadConfig } from '../../src/config/config.js';

/** The message loadConfig refuses `env` with, or 'accepted'; any error but a ConfigError is thrown on. */
export function configRefusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return 'accepted';
}
