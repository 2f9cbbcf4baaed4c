/**
 * kafkajs log entries reach the monitor's pino log as fields of a debug line. kafkajs' own level
 * was spread in as `level`, so each line carried two `level` keys and JSON readers keeping the
 * last one read routine debug lines as "ERROR" (QA D8).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createKafka } from '../../src/kafka/client.js';
import { createLogger } from '../../src/observability/logger.js';

function capturedLog(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)); done(); } });
  return { lines, stream };
}

describe('kafkajs log lines', () => {
  it('carry one level, pino\'s, with kafkajs\' own as kafkajsLevel', () => {
    const { lines, stream } = capturedLog();
    const logger = createLogger('debug', stream);
    // The monitor's wiring (src/cli/monitor-wiring.ts); no broker is contacted to log.
    const kafka = createKafka(loadConfig({}), (entry) => logger.debug(entry, 'kafkajs'));
    kafka.logger().error('Response ListOffsets(key: 2, version: 3)', { broker: '127.0.0.1:9092' });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.match(/"level":/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 20, msg: 'kafkajs', kafkajsLevel: 'ERROR', message: 'Response ListOffsets(key: 2, version: 3)', broker: '127.0.0.1:9092' });
  });
});
