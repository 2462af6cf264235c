import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/.run', '**/vite.config.*.timestamp*', '**/vitest.config.*.timestamp*'],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    rules: {
      // Apps never import apps; libs only import libs; a scope only sees itself and shared code.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:ticket', onlyDependOnLibsWithTags: ['scope:ticket', 'scope:shared'] },
            { sourceTag: 'scope:spear', onlyDependOnLibsWithTags: ['scope:spear', 'scope:shared'] },
            { sourceTag: 'scope:idgen', onlyDependOnLibsWithTags: ['scope:idgen', 'scope:shared'] },
            { sourceTag: 'scope:stat', onlyDependOnLibsWithTags: ['scope:stat', 'scope:shared'] },
            { sourceTag: 'scope:minions', onlyDependOnLibsWithTags: ['scope:minions', 'scope:shared'] },
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Used only where a preceding check proves the value (see each use).
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Tool configs share one root helper (vitest.shared.mts); they are not project code.
    files: ['**/vitest.config.mts', '**/vite.config.mts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
