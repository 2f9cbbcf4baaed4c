/**
 * Start-up waits for topic leaders instead of failing on the first metadata error: the check is
 * retried with a growing backoff, each attempt is reported, and a deadline ends it with the
 * topics and the last reason named. The admin is a scripted stand-in for the two calls used.
 */
import { describe, expect, it } from 'vitest';
import { retryStartup, waitForTopics } from '../../src/kafka/client.js';

type Answer = 'not-leader' | 'no-leader' | 'ok';

function scriptedAdmin(answers: Answer[]): never {
  let call = 0;
  const next = (): Answer => answers[Math.min(call, answers.length - 1)]!;
  return {
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
      const a = next();
      return { topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader: a === 'no-leader' ? -1 : 1 }] })) };
    },
    fetchTopicOffsets: async () => {
      const a = next();
      call++;
      if (a === 'not-leader') throw new Error('This server is not the leader for that topic-partition');
      return [{ partition: 0, offset: '0', low: '0', high: '0' }];
    },
  } as never;
}

describe('waitForTopics', () => {
  it('retries "not the leader" with a growing backoff, reporting each attempt, until the topics answer', async () => {
    const retries: { attempt: number; waitMs: number; reason: string }[] = [];
    await waitForTopics(scriptedAdmin(['not-leader', 'not-leader', 'ok']), ['t'], { timeoutMs: 60_000, onRetry: (attempt, waitMs, reason) => retries.push({ attempt, waitMs, reason }) });
    expect(retries).toEqual([
      { attempt: 1, waitMs: 100, reason: 'This server is not the leader for that topic-partition' },
      { attempt: 2, waitMs: 200, reason: 'This server is not the leader for that topic-partition' },
    ]);
  });

  it('gives up after its deadline, naming the topics and the last reason', async () => {
    await expect(waitForTopics(scriptedAdmin(['no-leader']), ['in.a', 'in.b'], { timeoutMs: 250 })).rejects.toThrow(/^topics in.a, in.b not ready after 250 ms: no leader for a partition of in.a, in.b$/);
  });
});

describe('start-up retries', () => {
  const fastOptions = (retries: number[]) => ({ timeoutMs: 60_000, onRetry: (attempt: number) => void retries.push(attempt) });

  it('stop at once on a SASL refusal, naming the variables, wherever it sits in the cause chain', async () => {
    const refusal = Object.assign(new Error('Request is not valid given the current SASL state'), { type: 'ILLEGAL_SASL_STATE' });
    const wrapped = Object.assign(new Error('Number of retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', cause: refusal });
    const retries: number[] = [];
    await expect(retryStartup(async () => { throw wrapped; }, fastOptions(retries))).rejects.toThrow(/^invalid configuration: KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: Kafka refused the client's SASL authentication \(.*\): Request is not valid given the current SASL state$/);
    expect(retries).toEqual([]);
    const failed = Object.assign(new Error('SASL PLAIN authentication failed'), { name: 'KafkaJSSASLAuthenticationError' });
    await expect(retryStartup(async () => { throw failed; }, fastOptions(retries))).rejects.toThrow(/SASL PLAIN authentication failed$/);
    expect(retries).toEqual([]);
  });

  it('stop at once on a TLS handshake that cannot succeed, naming the KAFKA_SSL variable it points at (it was retried for minutes)', async () => {
    const retries: number[] = [];
    for (const [message, named] of [
      ['Connection error: self-signed certificate in certificate chain', 'KAFKA_SSL_CA_FILE: '],
      ['Connection error: unable to verify the first certificate', 'KAFKA_SSL_CA_FILE: '],
      ['C0A7:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:ssl/record/rec_layer_s3.c:1601:SSL alert number 42', 'KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: '],
      ['Connection error: 40E7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number', 'KAFKA_SSL, KAFKA_BROKERS: '],
    ]) {
      const wrapped = Object.assign(new Error('Connection timeout'), { cause: Object.assign(new Error(message!), { name: 'KafkaJSConnectionError' }) });
      await expect(retryStartup(async () => { throw wrapped; }, { ...fastOptions(retries), tlsGiven: { ca: true, cert: true } })).rejects.toThrow(`invalid configuration: ${named}`);
    }
    expect(retries).toEqual([]);
  });

  it('cut a step that outlasts the timeout (the client retrying an unreachable broker itself), so the timeout bounds the whole wait', async () => {
    const never = new Promise<void>(() => undefined);
    await expect(retryStartup(() => never, { timeoutMs: 50 })).rejects.toThrow('no answer within the 50 ms allowed');
  });

  it('retry anything else until the step succeeds', async () => {
    const retries: number[] = [];
    let calls = 0;
    await retryStartup(async () => { if (++calls < 3) throw new Error('This server is not the leader for that topic-partition'); }, fastOptions(retries));
    expect([calls, retries]).toEqual([3, [1, 2]]);
  });
});

describe('the start-up steps share one deadline (KAFKA_STARTUP_TIMEOUT_MS bounds the whole start, not each step)', () => {
  it('the topic-leader wait after a step that used up the shared deadline gives up after one look, without a limit of its own', async () => {
    let looks = 0;
    const admin = { fetchTopicMetadata: async ({ topics }: { topics: string[] }) => { looks++; return { topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader: -1 }] })) }; } } as never;
    const retries: number[] = [];
    await expect(waitForTopics(admin, ['t'], { timeoutMs: 60_000, deadline: Date.now() - 1, onRetry: (attempt) => void retries.push(attempt) })).rejects.toThrow(/^topics t not ready after 0 ms: no leader for a partition of t$/);
    expect([looks, retries]).toEqual([1, []]);
  }, 20_000);

  it('a start-up step still retrying is cut at the shared deadline, not at its own timeout', async () => {
    const never = new Promise<void>(() => undefined);
    await expect(retryStartup(() => never, { timeoutMs: 60_000, deadline: Date.now() + 50 })).rejects.toThrow(/^no answer within the ([0-9]|[1-4][0-9]|50) ms allowed$/);
  }, 20_000);
});
