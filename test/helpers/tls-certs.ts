/** A throw-away certificate authority, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed neither certificate. */
  otherCa: string;
  /** A client certificate and key that the other CA signed: one the server does not trust. */
  strangerCert: string;
  strangerKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function signed(dir: string, name: string, subject: string, ext?: string, ca = 'ca'): void {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  const extArgs = ext ? ['-extfile', `${name}.ext`] : [];
  if (ext) writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...extArgs]);
}

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'tw-tls-'));
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=tidewatch-test-ca']);
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '2', '-subj', '/CN=another-ca']);
  signed(dir, 'server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\n');
  signed(dir, 'client', '/CN=tidewatch-monitor', 'extendedKeyUsage=clientAuth\n');
  signed(dir, 'stranger', '/CN=tidewatch-monitor', 'extendedKeyUsage=clientAuth\n', 'other-ca');
  const at = (f: string): string => join(dir, f);
  return { dir, ca: at('ca.crt'), serverCert: at('server.crt'), serverKey: at('server.key'), clientCert: at('client.crt'), clientKey: at('client.key'), otherCa: at('other-ca.crt'), strangerCert: at('stranger.crt'), strangerKey: at('stranger.key') };
}
