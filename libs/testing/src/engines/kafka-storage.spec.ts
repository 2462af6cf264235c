import { describe, expect, it } from 'vitest';
import { randomKafkaClusterId } from './kafka-storage';

describe('randomKafkaClusterId', () => {
  it('is 22 URL-safe base64 characters and never starts with "-" (the storage CLI would take it for an option)', () => {
    for (let i = 0; i < 20_000; i++) {
      const id = randomKafkaClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });
});
