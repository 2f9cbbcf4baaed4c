/**
 * Exchange events applied far behind the newest exchange event: a topic or a producer lagging
 * the others (a logins topic read hours after the transfers, a partition stuck behind a broker
 * outage). The monitor still applies them, but what they read of the state may have expired on
 * the exchange clock the other topics moved (session 32 QA: every login read months late gave no
 * `account-linkage` alert at all). Counted per topic, and said in the log at most once a minute
 * per topic, so an operator sees the lag before the alerts go missing. No clock of its own.
 */
export interface LateInputWarning {
  topic: string;
  /** Exchange events of the topic applied more than the threshold late since the last warning. */
  events: number;
  /** The latest of them, in hours behind the newest exchange event (one decimal). */
  worstHoursBehind: number;
}

interface TopicLateness {
  events: number;
  worstMs: number;
  warnedAt: number;
}

export class LateInputWatch {
  private readonly topics = new Map<string, TopicLateness>();

  /**
   * @param thresholdMs how far behind the newest exchange event an event counts as late
   * @param warnEveryMs at most one warning per topic this often (wall clock)
   */
  constructor(private readonly thresholdMs: number, private readonly warnEveryMs: number) {}

  /**
   * Notes one applied exchange event; true when it was late. `clock` is the newest exchange event
   * time after applying it.
   */
  observe(topic: string, eventTime: number, clock: number): boolean {
    const behind = clock - eventTime;
    if (!(behind > this.thresholdMs)) return false;
    let t = this.topics.get(topic);
    if (!t) this.topics.set(topic, (t = { events: 0, worstMs: 0, warnedAt: Number.NEGATIVE_INFINITY }));
    t.events++;
    if (behind > t.worstMs) t.worstMs = behind;
    return true;
  }

  /** The warnings due now (a topic with late events and no warning within `warnEveryMs`); their counts start again. */
  due(now: number): LateInputWarning[] {
    const out: LateInputWarning[] = [];
    for (const [topic, t] of this.topics) {
      if (t.events === 0 || now - t.warnedAt < this.warnEveryMs) continue;
      out.push({ topic, events: t.events, worstHoursBehind: Math.round(t.worstMs / 360_000) / 10 });
      t.events = 0;
      t.worstMs = 0;
      t.warnedAt = now;
    }
    return out;
  }
}
