/**
 * How a user's log is kept (the profile's delivery.log, delivery.devices and
 * delivery.quotas): what UserLog needs, nothing of Redis.
 */
export interface LogOptions {
  /** Retention: the last `cap` messages... */
  cap: number;
  /** ...for at most this long, acked or not. */
  ttlSeconds: number;
  /** Bytes quota of one log: past it a store is refused (`rate_limited`) unless acked history makes room. */
  maxBytes: number;
  /** Devices per user: past it the least recently seen is forgotten. */
  maxDevices: number;
  /** A device away longer is forgotten (it comes back as a new device). */
  forgetDeviceAfterSeconds: number;
  /** A recipient must be known (has held a token or a connection): `forbidden` otherwise. */
  knownUsersOnly: boolean;
}

/** Seqs acked out of order kept per device above its cursor (older ones are redelivered, never lost). */
export const MAX_ACKED_ABOVE_CURSOR = 1000;

/** Entries one history call looks at, at most (bounds the work of a sparse `with` filter). */
export const MAX_HISTORY_SCAN = 5000;

/** The parts of the profile's `delivery` section a log is built from (libs/config's DeliveryConfig fits). */
export interface DeliveryProfile {
  log: { cap: number; ttlSeconds: number; maxBytes: number };
  devices: { maxPerUser: number; forgetAfterSeconds: number };
  quotas: { knownUsersOnly: boolean };
}

/** LogOptions from the profile. */
export function logOptionsOf(delivery: DeliveryProfile): LogOptions {
  const { log, devices, quotas } = delivery;
  return { ...log, maxDevices: devices.maxPerUser, forgetDeviceAfterSeconds: devices.forgetAfterSeconds, knownUsersOnly: quotas.knownUsersOnly };
}
