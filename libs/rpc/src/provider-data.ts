/** What a provider publishes at zkPaths.provider(service, '<host:port>') (libs/catalog). */
export interface ProviderData {
  host: string;
  port: number;
  weight: number;
  version: string;
  protocol: 'spear-rpc/2';
  methods: string[];
  pid: number;
  startedAt: number;
}

/** Checks data read from ZooKeeper before a client dials it. */
export function isProviderData(value: unknown): value is ProviderData {
  const v = value as Partial<ProviderData> | null;
  return (
    typeof v === 'object' && v !== null && v.protocol === 'spear-rpc/2' && typeof v.host === 'string' &&
    Number.isInteger(v.port) && (v.port as number) > 0 && typeof v.weight === 'number' && v.weight > 0
  );
}
