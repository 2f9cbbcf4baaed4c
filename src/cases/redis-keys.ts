/**
 * The only place a Redis key of the case queue, its users and their sessions is spelled. Every
 * case key shares the `{cases}` hash tag, so each Lua script touches one cluster slot even where
 * it derives keys from ids.
 */
export function caseKeys(prefix: string) {
  const p = `${prefix}{cases}:`;
  return {
    prefix: p,
    open: `${p}open`,
    claimed: `${p}claimed`,
    pending: `${p}pending`,
    resolved: `${p}resolved`,
    caseDoc: (caseId: string) => `${p}case:${caseId}`,
    /** Hash alertId → the alert as JSON, the case's newest alerts. */
    caseAlerts: (caseId: string) => `${p}alerts:${caseId}`,
    subject: (accountId: string) => `${p}subject:${accountId}`,
    alert: (alertId: string) => `${p}alert:${alertId}`,
    audit: (caseId: string) => `${p}audit:${caseId}`,
  };
}

/** Console users (a hash per user) and their sign-in sessions (a string with a TTL). */
export function userKeys(prefix: string) {
  const p = `${prefix}{users}:`;
  return {
    names: `${p}names`,
    user: (name: string) => `${p}user:${name}`,
    session: (id: string) => `${p}session:${id}`,
  };
}
