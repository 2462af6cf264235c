// Entry point of the `release` Nx target:
//   node tools/release/release.mjs <app> <profile>          (what project.json runs)
//   node tools/release/release.mjs <app> --profile=<p> [--out=<dir>]
// Kept as .mjs so project.json's command needs no loader flag: it loads tsx
// itself (both its ESM and CJS hooks), then the TypeScript implementation.
await import('tsx');
await import('./cli.ts');
