/** `tidewatch console users add|list`: local console and CLI users in Redis. */
import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { RedisUserBackend } from '../cases/redis-user-backend.js';
import { Users } from '../cases/users.js';
import { loadConfig } from '../config/config.js';
import { redisTls } from '../config/tls.js';
import { connectRedis } from './redis-connection.js';

/** The first line of standard input: `echo "$PW" | tidewatch console users add …`, or typed at the prompt. */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password (at least 12 characters): ');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  throw new Error('no password on standard input');
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
