/** Exchange events applied far behind the newest one are counted per topic and warned about at most once a minute per topic. */
import { describe, expect, it } from 'vitest';
import { LateInputWatch } from '../../src/monitor/late-input.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('late exchange input', () => {
  it('counts an event more than the threshold behind the newest exchange event, and not one within it', () => {
    const w = new LateInputWatch(DAY, 60_000);
    const clock = 100 * DAY;
    expect(w.observe('exchange.logins', clock - DAY + 1, clock)).toBe(false);
    expect(w.observe('exchange.logins', clock - DAY, clock)).toBe(false);
    expect(w.observe('exchange.logins', clock - 30 * DAY, clock)).toBe(true);
    expect(w.observe('exchange.logins', clock - 2 * DAY, clock)).toBe(true);
    expect(w.due(0)).toEqual([{ topic: 'exchange.logins', events: 2, worstHoursBehind: 720 }]);
  });

  it('warns about a topic at most once per interval, then again with what came since', () => {
    const w = new LateInputWatch(DAY, 60_000);
    w.observe('exchange.withdrawals', 0, 3 * DAY);
    expect(w.due(1_000)).toHaveLength(1);
    w.observe('exchange.withdrawals', 0, 3 * DAY + HOUR);
    expect(w.due(30_000)).toEqual([]);
    expect(w.due(61_000)).toEqual([{ topic: 'exchange.withdrawals', events: 1, worstHoursBehind: 73 }]);
    expect(w.due(200_000)).toEqual([]); // nothing late since
  });
});
