/**
 * pino JSON logs. Personal data stays out: IPs, device ids, addresses, KYC fields and raw message
 * bodies are redacted wherever they appear in a bound object; account ids may be logged.
 */
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = ['*.ip', '*.ipCountry', '*.deviceId', '*.kycCountry', '*.customer', '*.session', '*.raw', '*.from', '*.to', '*.address', '*.password', '*.sasl', 'raw', 'password'];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { service: 'tidewatch' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination as never);
}
