import { describe, expect, it } from 'vitest';
import { platformaticErrorMessage } from './platformatic-kafka-errors';

/** An error shaped as @platformatic/kafka makes them: a code, a cause, sometimes several errors. */
function kafkaError(code: string, message: string, more: { cause?: unknown; errors?: unknown[] } = {}): Error {
  return Object.assign(new Error(message, more.cause ? { cause: more.cause } : undefined), { code, ...(more.errors ? { errors: more.errors } : {}) });
}

describe('platformaticErrorMessage', () => {
  it('brings a refused login to the front from deep in the causes and aggregated errors', () => {
    const refused = kafkaError('PLT_KFK_AUTHENTICATION', 'SASL authentication failed.');
    const network = kafkaError('PLT_KFK_NETWORK', 'Connection to 127.0.0.1:9092 failed.', { cause: refused });
    const error = kafkaError('PLT_KFK_MULTIPLE', 'Creating topics failed.', { errors: [kafkaError('PLT_KFK_MULTIPLE', 'Cannot connect to any broker.', { errors: [network] })] });
    expect(platformaticErrorMessage(error)).toBe('SASL authentication failed. (Creating topics failed.)');
  });

  it('does not repeat a refused login that is the error itself', () => {
    expect(platformaticErrorMessage(kafkaError('PLT_KFK_AUTHENTICATION', 'SASL authentication failed.'))).toBe('SASL authentication failed.');
  });

  it('keeps any other error as it is', () => {
    expect(platformaticErrorMessage(kafkaError('PLT_KFK_NETWORK', 'Connection to 127.0.0.1:1 failed.'))).toBe('Connection to 127.0.0.1:1 failed.');
    expect(platformaticErrorMessage('plain')).toBe('plain');
  });

  it('stops at a bounded depth, also on a cycle', () => {
    const a = kafkaError('PLT_KFK_MULTIPLE', 'a');
    const b = kafkaError('PLT_KFK_MULTIPLE', 'b', { cause: a });
    Object.assign(a, { cause: b });
    expect(platformaticErrorMessage(a)).toBe('a');
  });
});
