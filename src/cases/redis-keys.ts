/**
 * The only place a Redis key of the case queue is spelled. Every key shares the `{cases}` hash
 * tag, so each Lua script touches one cluster slot even where it derives keys from ids.
 */
export function caseKeys(prefix: string) {
  const p = `${prefix}{cases}:`;
  return {
    prefix: p,
    open: `${p}open`,
    claimed: `${p}claimed`,
    resolved: `${p}resolved`,
    caseDoc: (caseId: string) => `${p}case:${caseId}`,
    subject: (accountId: string) => `${p}subject:${accountId}`,
    alert: (alertId: string) => `${p}alert:${alertId}`,
    audit: (caseId: string) => `${p}audit:${caseId}`,
  };
}
