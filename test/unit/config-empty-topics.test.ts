/**
 * A topic variable set to nothing is a mistake named at start-up, never the contract's default
 * topics: session 62's black-box pass started a monitor with `KAFKA_INPUT_TOPICS=` (a compose file's
 * `${TOPICS}` left unset, an EnvironmentFile line with its value cut) and it read the contract's
 * eight topics of whoever shared the brokers, while `KAFKA_ALERT_TOPIC=` and
 * `KAFKA_OWNERSHIP_TOPIC=` were already refused.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, monitorTopics } from '../../src/config/config.js';
import { INPUT_TOPICS } from '../../src/contract/schemas.js';

describe('a topic variable set to nothing', () => {
  it('refuses KAFKA_INPUT_TOPICS empty or blank, and --topics given empty, naming the variable', () => {
    for (const value of ['', '  ']) {
      expect(() => loadConfig({ KAFKA_INPUT_TOPICS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ KAFKA_INPUT_TOPICS: value })).toThrow(/KAFKA_INPUT_TOPICS: set to nothing; name the input topics, or leave it unset for the contract's/);
    }
    expect(() => loadConfig({}, { KAFKA_INPUT_TOPICS: '' })).toThrow(/KAFKA_INPUT_TOPICS/);
  });

  it('refuses KAFKA_ALERT_TOPIC and KAFKA_OWNERSHIP_TOPIC empty too', () => {
    expect(() => loadConfig({ KAFKA_ALERT_TOPIC: '' })).toThrow(/KAFKA_ALERT_TOPIC/);
    expect(() => loadConfig({ KAFKA_OWNERSHIP_TOPIC: '' })).toThrow(/KAFKA_OWNERSHIP_TOPIC/);
  });

  it('reads the contract\'s topics when KAFKA_INPUT_TOPICS is unset', () => {
    expect(monitorTopics(loadConfig({})).inputTopics).toEqual(INPUT_TOPICS);
  });
});
