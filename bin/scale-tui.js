#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a fresh clone needs no build step.
// React's development build keeps debugging data per render, which over hours of redraws
// is a steady heap growth; the tool runs the production build unless told otherwise.
process.env.NODE_ENV ??= 'production';
const { register } = await import('tsx/esm/api');
register();
await import('../src/cli/main.ts');
