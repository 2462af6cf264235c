export type SnowflakeErrorCode = 'clock_backwards' | 'timestamp_out_of_range' | 'invalid_option' | 'invalid_id';

/** Every error this library throws; `code` is stable and meant for programs, `message` for people. */
export class SnowflakeError extends Error {
  constructor(
    readonly code: SnowflakeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The clock went back further than the generator may wait out. Nothing was
 * issued; the generator stays usable and resumes once the clock is back past
 * `lastTimestampMs`.
 */
export class ClockBackwardsError extends SnowflakeError {
  declare readonly code: 'clock_backwards';

  constructor(
    /** Unix ms of the newest id issued so far. */
    readonly lastTimestampMs: number,
    /** Unix ms the clock read. */
    readonly clockMs: number,
    readonly maxBackwardsMs: number,
  ) {
    super(
      'clock_backwards',
      `clock moved back ${lastTimestampMs - clockMs} ms (to ${clockMs}, last id at ${lastTimestampMs}); at most ${maxBackwardsMs} ms is waited out`,
    );
  }
}

/** The clock reads before the epoch or past the 41-bit timestamp range. */
export class TimestampOutOfRangeError extends SnowflakeError {
  declare readonly code: 'timestamp_out_of_range';

  constructor(
    /** Unix ms the clock read. */
    readonly clockMs: number,
    readonly epochMs: number,
  ) {
    super(
      'timestamp_out_of_range',
      clockMs < epochMs
        ? `clock reads ${clockMs}, before the epoch ${epochMs}`
        : `clock reads ${clockMs}, more than 2^41-1 ms after the epoch ${epochMs}: the id space of this epoch is used up`,
    );
  }
}
