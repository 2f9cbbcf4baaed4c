/**
 * The integration tests' slot-cursor helpers (test/helpers/slot-cursors.ts) over a scripted admin
 * whose first answers are the incomplete ones kafkajs gives while its client lacks a topic's
 * metadata: a committed-offset answer with no partition, and topic offsets with none. Such an
 * answer used to read as "every cursor caught up", or as an empty cursor.
 */
import { describe, expect, it } from 'vitest';
import { readSlotCursor, slotCursorsCaughtUp } from '../helpers/slot-cursors.js';

const TOPIC = 'exchange.deposits';

/** An admin whose input is at offset 10 on partitions 0 and 1 and whose slot cursors stand at 4; its first `incomplete` answers of each kind list no partition. */
function scriptedAdmin(incomplete: number) {
  const calls = { offsets: 0, committed: 0 };
  const admin = {
    fetchTopicOffsets: async () => (++calls.offsets <= incomplete ? [] : [0, 1].map((partition) => ({ partition, offset: '10', high: '10', low: '0' }))),
    fetchOffsets: async ({ topics }: { topics: string[] }) => topics.map((topic) => ({ topic, partitions: ++calls.committed <= incomplete ? [] : [0, 1].map((partition) => ({ partition, offset: '4', metadata: null })) })),
  };
  return { admin: admin as never, calls };
}

describe('slot-cursor helpers read an incomplete answer again', () => {
  it('caughtUp is not true on committed offsets listing no partition: it reads again and finds the cursors behind', async () => {
    const { admin, calls } = scriptedAdmin(2);
    expect(await slotCursorsCaughtUp(admin, 'g', [TOPIC])).toBe(false);
    expect(calls.committed).toBeGreaterThan(2);
  });

  it('a slot cursor is not empty on an answer listing no partition: every partition is read', async () => {
    const { admin } = scriptedAdmin(2);
    expect([...await readSlotCursor(admin, 'g', 0, [TOPIC])]).toEqual([[`${TOPIC}/0`, 4n], [`${TOPIC}/1`, 4n]]);
  });
});
