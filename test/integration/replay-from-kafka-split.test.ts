/**
 * A backtest over Kafka cut in two at one time, `--until S` then `--since S`, writes between the
 * two runs exactly what one run over everything writes, byte for byte, also when intelligence is
 * read late: a `sanctioned` label dated in January sits behind labels dated in March on its
 * partition, so the merge reaches it after S, and it raises alerts on transfers of both sides of
 * S (session 41 QA: judged by its own date, `--since` dropped them and 54 alerts of the whole run
 * were in neither half).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../../src/kafka/client.js';
import { replayFromKafka } from '../../src/replay/kafka-replay.js';
import { deleteRun, kafka, newRun, produceSample, type Run } from '../helpers/kafka.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

const run: Run = newRun();
const dir = mkdtempSync(join(tmpdir(), 'tw-fromkafka-split-'));
const CUT = Date.parse('2025-02-15T00:00:00Z');
/** The sample's recurring payer of salaries: many deposits on both sides of the cut. */
const LATE_LISTED = '0x9972daab2c86459fdd783fe1be4e3280af9c0078';

const label = (address: string, labelName: string, observedAt: string): string =>
  JSON.stringify({ schema: 'intel.label.v1', chain: 'ethereum', address, label: labelName, source: 'test', observedAt });

beforeAll(async () => {
  await ensureTopics(kafka, [...run.topics, run.alertTopic], 1);
  const later = Array.from({ length: 10 }, (_, i) => label(`0x${(i + 1).toString(16).padStart(40, 'a')}`, 'test-note', '2025-03-01T00:00:00.000Z'));
  await produceSample(run, [...sampleLines(), ...later, label(LATE_LISTED, 'sanctioned', '2025-01-20T00:00:00.000Z')]);
});

afterAll(() => deleteRun(run));

const read = (name: string): string => readFileSync(join(dir, name), 'utf8');

describe('replay --from-kafka cut in two at one time', () => {
  it('--until S and --since S write between them the bytes of one whole run, a late label\'s alerts on either side included', async () => {
    const common = { kafka, topics: run.topics, rules: rules(), labels: ofacLabels() };
    await replayFromKafka({ ...common, alertsPath: join(dir, 'whole.jsonl') });
    await replayFromKafka({ ...common, until: CUT, alertsPath: join(dir, 'until.jsonl') });
    await replayFromKafka({ ...common, since: CUT, alertsPath: join(dir, 'since.jsonl') });
    // The late label's alerts name the listed payer; dated before the transfers they judge, they
    // carry no graphChange (the alert an event-time reading gives), so they are found by address.
    const lateAlerts = read('whole.jsonl').split('\n').filter((l) => l.toLowerCase().includes(LATE_LISTED) && l.includes('"sanctions-exposure"'));
    // The late label raised alerts on transfers dated after the cut, read after it.
    expect(lateAlerts.some((l) => Date.parse(JSON.parse(l).triggeredAt) >= CUT)).toBe(true);
    expect(read('until.jsonl').length).toBeGreaterThan(0);
    expect(read('until.jsonl') + read('since.jsonl')).toBe(read('whole.jsonl'));
  });
});
