// The committed wasm bytes are built from wasm/pillow-resample.c; this rebuilds them where clang
// with the wasm32 target is installed and fails when the committed file is stale. Exactness
// itself is pillow-parity-random.test.ts's job.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { setWasmResampleEnabled, wasmResample } from './pillow-resample-wasm'

const clang = process.env.CLANG ?? 'clang-14'
const clangMissing = spawnSync(clang, ['--version']).error !== undefined
if (clangMissing)
  console.warn(`skipping the wasm rebuild check: ${clang} not found (apt-get install clang-14 lld-14)`)

describe('the WebAssembly resize module', () => {
  it('compiles and instantiates under Node', () => {
    expect(wasmResample()).toBeDefined()
  })

  it('is not used when turned off, so the JS passes can be tested', () => {
    setWasmResampleEnabled(false)
    try {
      expect(wasmResample()).toBeUndefined()
    } finally {
      setWasmResampleEnabled(true)
    }
  })

  it.skipIf(clangMissing)('matches what wasm/build.sh makes from the C source', () => {
    const committed = readFileSync(join(import.meta.dirname, 'pillow-resample-wasm-bytes.ts'), 'utf8')
    const directory = mkdtempSync(join(tmpdir(), 'edgeclip-wasm-'))
    try {
      const output = join(directory, 'bytes.ts')
      const build = spawnSync('sh', [join(import.meta.dirname, '../../wasm/build.sh')], {
        encoding: 'utf8',
        env: { ...process.env, OUTPUT: output },
      })
      expect(build.status, build.stderr).toBe(0)
      expect(readFileSync(output, 'utf8')).toBe(committed)
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  })
})
