/** Alerts and dead letters as JSON lines, with a fixed key order so replays compare byte for byte. */
import type { Alert } from '../contract/schemas.js';
import type { DeadLetter } from '../decode/events.js';

export function serialiseAlert(a: Alert): string {
  return JSON.stringify({
    alertId: a.alertId, ruleId: a.ruleId, ruleVersion: a.ruleVersion, typology: a.typology, severity: a.severity, score: a.score,
    subject: a.subject, eventIds: a.eventIds, triggeredAt: a.triggeredAt, evidence: a.evidence, explanation: a.explanation,
  });
}

export function serialiseDeadLetter(d: DeadLetter): string {
  return JSON.stringify({ code: d.code, reason: d.reason, ...(d.issues ? { issues: d.issues } : {}), ...d.origin, raw: d.raw, ...(d.bytes ? { rawBase64: d.bytes.toString('base64') } : {}) });
}
