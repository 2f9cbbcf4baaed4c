/** `tidewatch console users add|list`: local console and CLI users in Redis. */
import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { RedisUserBackend } from '../cases/redis-user-backend.js';
import { Users } from '../cases/users.js';
import { loadConfig } from '../config/config.js';
import { redisTls } from '../config/tls.js';
import { connectRedis } from './redis-connection.js';

/**
 * The first line of standard input: `echo "$PW" | tidewatch console users add …`, or typed at the
 * prompt, where it is not echoed (it was, in the clear, on the terminal and in its scrollback).
 */
async function readPassword(): Promise<string> {
  const typed = process.stdin.isTTY === true;
  if (typed) process.stderr.write('password (at least 12 characters, not shown): ');
  const lines = createInterface({ input: process.stdin, ...(typed ? { output: silent(), terminal: true } : {}) });
  for await (const line of lines) {
    lines.close();
    if (typed) process.stderr.write('\n');
    return line;
  }
  throw new Error('no password on standard input');
}

/** An output that swallows what readline would echo of the typed password. */
function silent(): NodeJS.WritableStream {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

async function withUsers<T>(f: (users: Users) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const redis = await connectRedis(config.REDIS_URL, false, redisTls(config));
  try {
    return await f(new Users(new RedisUserBackend(redis, config.REDIS_KEY_PREFIX)));
  } finally {
    redis.disconnect();
  }
}

export function registerConsoleUsers(consoleCommand: Command): void {
  const users = consoleCommand.command('users').description('console and CLI users in Redis (REDIS_URL)');
  users.command('add').argument('<name>').requiredOption('--role <role>', 'analyst | supervisor | viewer')
    .description('add or update a user; the password is read from standard input and stored as a scrypt hash')
    .action(async (name: string, opts: { role: string }) => {
      const password = await readPassword();
      const actor = await withUsers((u) => u.add(name, opts.role, password, Date.now()));
      console.log(`user ${actor.name} (${actor.role}) saved`);
    });
  users.command('remove').argument('<name>').description('remove a user; their signed-in sessions end at once')
    .action(async (name: string) => {
      await withUsers((u) => u.remove(name));
      console.log(`user ${name} removed`);
    });
  users.command('list').action(async () => {
    for (const u of await withUsers((x) => x.list())) console.log(`${u.name.padEnd(24)} ${u.role}`);
  });
}
