/** See profile-on-signal.cjs. */
export function profileOnSignal(options: { dir: string; name: string; heap?: boolean | 'survivors' | 'live' }): void;
export function heapModeFromEnv(value?: string): boolean | 'survivors' | 'live';
