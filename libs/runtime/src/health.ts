/** A dependency probe: resolves when the dependency is usable, rejects (with why) when not. */
export type HealthCheck = () => Promise<void>;

export interface HealthReport {
  ok: boolean;
  /** name -> "ok" or the reason it failed */
  checks: Record<string, string>;
  failing: string[];
}

/** The named dependency checks behind GET /healthz; each is bounded by a timeout. */
export class HealthChecks {
  private readonly checks = new Map<string, HealthCheck>();

  constructor(private readonly timeoutMs = 1000) {}

  add(name: string, check: HealthCheck): this {
    this.checks.set(name, check);
    return this;
  }

  async run(): Promise<HealthReport> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await this.probe(check)] as const),
    );
    const checks = Object.fromEntries(results);
    const failing = results.filter(([, r]) => r !== 'ok').map(([n]) => n);
    return { ok: failing.length === 0, checks, failing };
  }

  private async probe(check: HealthCheck): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      await Promise.race([check(), timeout]);
      return 'ok';
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      clearTimeout(timer);
    }
  }
}
