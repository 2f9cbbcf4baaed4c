/** `tidewatch console`: the analyst console, and its users. */
import type { Command } from 'commander';
import { registerConsoleUsers } from './console-users.js';

export function registerConsole(program: Command): void {
  const consoleCommand = program.command('console').description('the analyst console (a web app over the case store) and its users');
  registerConsoleUsers(consoleCommand);
}
