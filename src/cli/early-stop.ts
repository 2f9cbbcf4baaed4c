/**
 * A stop asked for before the monitor is wired (a SIGTERM or SIGINT while its modules load, the
 * Redis and TLS checks run, the rules and the SDN list are read) finds nothing written to finish:
 * the process exits 0 at once, as a stop does. Imported first by the CLI's entry, so the handler
 * is in place before the monitor's dependencies load (session 45 QA: a SIGTERM in the first
 * seconds, while they loaded, ended the process by the signal, status 143, on a busy machine for
 * up to 8 s after launch).
 */
const stopBeforeWiring = (): void => process.exit(0);

/** Exits 0 on SIGTERM or SIGINT until `endEarlyStop` is called. */
export function beginEarlyStop(): void {
  if (process.listeners('SIGTERM').includes(stopBeforeWiring)) return;
  process.on('SIGTERM', stopBeforeWiring);
  process.on('SIGINT', stopBeforeWiring);
}

/** Takes the early handler away: the caller installs its own stop in the same turn. */
export function endEarlyStop(): void {
  process.off('SIGTERM', stopBeforeWiring);
  process.off('SIGINT', stopBeforeWiring);
}

// The monitor's own verb: in place from the first module the entry evaluates.
if (process.argv[2] === 'monitor') beginEarlyStop();
