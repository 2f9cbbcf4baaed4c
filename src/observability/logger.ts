/**
 * pino JSON logs. Personal data stays out: IPs, device ids, addresses, KYC fields and raw message
 * bodies are redacted wherever they appear in a bound object; account ids may be logged.
 */
import { pino, type Logger } from 'pino';

const REDACTED_FIELDS = ['ip', 'ipCountry', 'deviceId', 'kycCountry', 'customer', 'session', 'raw', 'from', 'to', 'address', 'password', 'sasl'];

/**
 * Each field at the top of a log line's object and one level down (pino's `*.ip` is only the
 * latter: a log call given `{ ip }` printed it, session 63).
 */
export const REDACT_PATHS = [...REDACTED_FIELDS, ...REDACTED_FIELDS.map((field) => `*.${field}`)];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { service: 'tidewatch' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination as never);
}
