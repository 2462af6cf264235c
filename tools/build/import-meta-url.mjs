// Injected into every bundle (bundle-app.mjs) as what `import.meta.url` means in the bundle's ES
// modules: a CommonJS file has no import.meta, so the bundle's own file URL stands in for it.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
