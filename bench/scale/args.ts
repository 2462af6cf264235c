/** The scale bench's command line: `--quick`, `--update-docs`, `--engines <kind>` (or `--engines=<kind>`); anything else is refused. */
export interface ScaleArgs {
  quick: boolean;
  updateDocs: boolean;
  /** As given; engines.ts checks the value. */
  engines?: string;
}

export function parseScaleArgs(argv: string[]): ScaleArgs {
  const out: ScaleArgs = { quick: false, updateDocs: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') out.quick = true;
    else if (arg === '--update-docs') out.updateDocs = true;
    else if (arg === '--engines' || arg.startsWith('--engines=')) {
      const value = arg === '--engines' ? argv[++i] : arg.slice('--engines='.length);
      if (!value || value.startsWith('--')) throw new Error('--engines needs a value (e.g. --engines single-redis)');
      out.engines = value;
    } else throw new Error(`unknown argument ${arg} (known: --quick, --update-docs, --engines <kind>)`);
  }
  return out;
}

/** How the report names the command that made it. */
export function commandOf(a: ScaleArgs): string {
  const flags = [a.quick ? '--quick' : '', a.updateDocs ? '--update-docs' : '', a.engines ? `--engines ${a.engines}` : ''].filter(Boolean);
  return flags.length === 0 ? 'npm run bench:scale' : `npm run bench:scale -- ${flags.join(' ')}`;
}
