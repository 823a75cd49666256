import { defineConfig } from 'vitest/config'

// turbo runs every package's suite at once; on a 2-core CI machine an ONNX or sharp test can wait
// seconds for a core. The timeouts only catch hangs: speed is measured in bench/, never here.
export default defineConfig({
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
})
