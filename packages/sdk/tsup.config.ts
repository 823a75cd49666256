// ESM + CJS + declarations for each; platform-neutral so nothing Node-only is pulled into the bundle.
import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'neutral',
  target: 'es2022',
  clean: true,
  treeshake: true,
  // The SDK installs with no dependencies (browsers, Workers, offline installs): lru-cache, the
  // memory store behind `cache: true`, is bundled in rather than required at run time.
  noExternal: ['lru-cache'],
})
