import { findErrorBy, GenericError } from '@platformatic/kafka';
import { untilDone, type UntilDoneOptions } from './kafka-retry';

/**
 * {@link untilDone} for @platformatic/kafka calls. That client marks every
 * error it knows with `canRetry`; an error chain is retried here unless one
 * of its errors says it cannot be (the client's own rule), e.g. a group
 * coordinator still loading right after a broker start, which several calls
 * give up on at once.
 */
export function untilDonePlatformatic<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  options?: UntilDoneOptions,
): Promise<T> {
  return untilDone(
    what,
    async () => {
      try {
        return await attempt();
      } catch (error) {
        throw markRetriable(error);
      }
    },
    options,
  );
}

/** `error` with kafka-retry's `retriable` flag set from the client's `canRetry` marks. */
function markRetriable(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const retriable = GenericError.isGenericError(error) && !findErrorBy(error, 'canRetry', false);
  Object.assign(error, { retriable });
  return error;
}
