/** The engines this library can install-check, start and stop. */
export type EngineName = 'zookeeper' | 'redis' | 'kafka';

/** Options shared by every `start*` function. */
export interface StartEngineOptions {
  /** Folder for the engine's data, config, logs and pid file; created if missing. */
  dir: string;
  /** Loopback port to listen on; a free one is picked when omitted. */
  port?: number;
  /**
   * Run the engine in its own session so it outlives this process (for a CLI that
   * starts a local cluster). Non-detached engines are killed when this process exits.
   */
  detached?: boolean;
  /** How long to wait for the engine to answer before failing (engine-specific default). */
  startTimeoutMs?: number;
}

/** A running engine started by this library. */
export interface EngineHandle {
  readonly engine: EngineName;
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  /** The engine's own log file, for debugging failures. */
  readonly logFile: string;
  /** SIGTERM, wait (bounded), then SIGKILL; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
}

/** Result of a quick liveness probe. */
export interface EngineStatus {
  up: boolean;
  /** Human-readable: a ZooKeeper mode, "PONG", a topic count, or why it is down. */
  detail: string;
}
