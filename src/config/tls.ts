/**
 * TLS material for Kafka and Redis from files the environment names: a private CA (brokers or a
 * Redis signed by the exchange's own CA) and a client certificate and key (mutual TLS, as MSK,
 * Strimzi or a Redis with `tls-auth-clients` ask for). Read once at start-up; the key's passphrase
 * comes from the environment like every other secret. A file that cannot be read stops start-up
 * naming its variable (config.ts checks them before anything connects).
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

export interface TlsFiles {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  passphrase?: string | undefined;
}

/** The Kafka variables' TLS files. */
export const kafkaTlsFiles = (c: { KAFKA_SSL_CA_FILE?: string | undefined; KAFKA_SSL_CERT_FILE?: string | undefined; KAFKA_SSL_KEY_FILE?: string | undefined; KAFKA_SSL_KEY_PASSWORD?: string | undefined }): TlsFiles =>
  ({ ca: c.KAFKA_SSL_CA_FILE, cert: c.KAFKA_SSL_CERT_FILE, key: c.KAFKA_SSL_KEY_FILE, passphrase: c.KAFKA_SSL_KEY_PASSWORD });

/** The Redis variables' TLS files. */
export const redisTlsFiles = (c: { REDIS_TLS_CA_FILE?: string | undefined; REDIS_TLS_CERT_FILE?: string | undefined; REDIS_TLS_KEY_FILE?: string | undefined; REDIS_TLS_KEY_PASSWORD?: string | undefined }): TlsFiles =>
  ({ ca: c.REDIS_TLS_CA_FILE, cert: c.REDIS_TLS_CERT_FILE, key: c.REDIS_TLS_KEY_FILE, passphrase: c.REDIS_TLS_KEY_PASSWORD });

const hasAny = (f: TlsFiles): boolean => Boolean(f.ca || f.cert || f.key);

/** Node TLS options from the files (PEM), or undefined when none is named. */
export function tlsOptions(f: TlsFiles): ConnectionOptions | undefined {
  if (!hasAny(f)) return undefined;
  return {
    ...(f.ca ? { ca: readFileSync(f.ca, 'utf8') } : {}),
    ...(f.cert ? { cert: readFileSync(f.cert, 'utf8') } : {}),
    ...(f.key ? { key: readFileSync(f.key, 'utf8') } : {}),
    ...(f.passphrase ? { passphrase: f.passphrase } : {}),
  };
}

/** kafkajs' `ssl`: the TLS options when files are named, else whether KAFKA_SSL is on. */
export function kafkaSsl(c: Parameters<typeof kafkaTlsFiles>[0] & { KAFKA_SSL: boolean }): boolean | ConnectionOptions {
  return (c.KAFKA_SSL && tlsOptions(kafkaTlsFiles(c))) || c.KAFKA_SSL;
}

/** ioredis' `tls` for a rediss:// URL with files named; undefined otherwise (ioredis' own default for rediss://). */
export function redisTls(c: Parameters<typeof redisTlsFiles>[0]): ConnectionOptions | undefined {
  return tlsOptions(redisTlsFiles(c));
}

/** Whether a path names a readable file (checked for every TLS variable at start-up). */
export function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile(); // a directory passes the access check and fails the read later
  } catch {
    return false;
  }
}
