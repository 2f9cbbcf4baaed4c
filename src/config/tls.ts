/**
 * TLS material for Kafka and Redis from files the environment names: a private CA (brokers or a
 * Redis signed by the exchange's own CA) and a client certificate and key (mutual TLS, as MSK,
 * Strimzi or a Redis with `tls-auth-clients` ask for). Read once at start-up; the key's passphrase
 * comes from the environment like every other secret. A file that cannot be read stops start-up
 * naming its variable (config.ts checks them before anything connects).
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type ConnectionOptions } from 'node:tls';

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

/** The variable names of one service's TLS files, for messages. */
export interface TlsVariables {
  ca: string;
  cert: string;
  key: string;
  passphrase: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * What is wrong with readable TLS files before anything connects, each as [variable, reason]: a
 * CA file with no PEM certificate in it (Node ignores such a file and falls back on nothing, so
 * every handshake failed as "self-signed certificate" for minutes of retries), a certificate or
 * key that is not PEM, a key its passphrase does not open, a key that is not the certificate's.
 */
export function tlsMaterialErrors(f: TlsFiles, names: TlsVariables): [string, string][] {
  const errors: [string, string][] = [];
  if (f.ca && readable(f.ca)) {
    const blocks = readFileSync(f.ca, 'utf8').match(PEM_CERTIFICATE) ?? [];
    if (blocks.length === 0) errors.push([names.ca, 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)']);
    for (const block of blocks) {
      try {
        new X509Certificate(block);
      } catch (err) {
        errors.push([names.ca, `a certificate in it does not parse (${(err as Error).message})`]);
        break;
      }
    }
  }
  if (f.cert && readable(f.cert)) {
    try {
      new X509Certificate(readFileSync(f.cert));
    } catch (err) {
      errors.push([names.cert, `is not a PEM certificate Node can read (${(err as Error).message})`]);
      return errors;
    }
  }
  if (f.cert && f.key && readable(f.cert) && readable(f.key)) {
    try {
      createSecureContext({ cert: readFileSync(f.cert, 'utf8'), key: readFileSync(f.key, 'utf8'), ...(f.passphrase ? { passphrase: f.passphrase } : {}) });
    } catch (err) {
      errors.push(tlsContextError(err as Error & { code?: string }, names, f.passphrase !== undefined, ENCRYPTED_KEY.test(readFileSync(f.key, 'utf8'))));
    }
  }
  return errors;
}

/** A PEM private key that a passphrase protects (PKCS#8 or the traditional Proc-Type header). */
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/;

/**
 * The variable and reason for a certificate and key that cannot be used. A wrong passphrase
 * usually fails the decryption's padding check ("bad decrypt"), but about one time in 256 the
 * padding of the wrong plaintext holds and the garbage then fails to decode: an encrypted key
 * with a passphrase given that does not decode is the passphrase's fault all the same (a test
 * named KAFKA_SSL_KEY_FILE instead, once in a few hundred runs); so is one with no passphrase
 * given, which OpenSSL tries to decrypt without one (session 52 CI: "DECODER routines::unsupported").
 */
function tlsContextError(err: Error & { code?: string }, names: TlsVariables, passphraseGiven: boolean, encryptedKey = false): [string, string] {
  const text = `${err.code ?? ''} ${err.message}`;
  if (/bad decrypt|BAD_DECRYPT|interrupted or cancelled|bad password/i.test(text) || (encryptedKey && /DECODER|ASN1|PEM/i.test(text))) {
    return passphraseGiven ? [names.passphrase, `does not decrypt the key in ${names.key}`] : [names.passphrase, `the key in ${names.key} is encrypted: give its passphrase`];
  }
  if (/KEY_VALUES_MISMATCH|key values mismatch/i.test(text)) return [names.key, `is not the key of the certificate in ${names.cert}`];
  if (/PEM|no start line|ASN1|DECODER/i.test(text)) return [/cert/i.test(err.message) ? names.cert : names.key, `is not a PEM certificate and key pair Node can read (${err.message})`];
  return [names.cert, `the certificate and key cannot be used (${err.message})`];
}

/**
 * TLS failures that waiting does not mend: a certificate that does not verify against the CA, a
 * client certificate the server wants and did not get, TLS spoken to a plaintext port. Kafka's
 * start-up retried them as a topic-leader wait for minutes, and Redis's as an outage for ever
 * (QA).
 */
const TLS_REFUSAL = /self[- ]signed certificate|unable to (verify|get)[^:]*certificate|certificate (has expired|is not yet valid|required|unknown|revoked)|does not match certificate's altnames|alert (unknown ca|bad certificate|handshake failure)|wrong version number|packet length too long/i;

export function isTlsRefusal(message: string): boolean {
  return TLS_REFUSAL.test(message);
}
