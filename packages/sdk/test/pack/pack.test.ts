// The SDK as another project gets it: `pnpm pack`'s tarball, installed with npm into an empty
// project outside the repository (no workspace links, no dev dependencies), then imported from ESM
// and from CommonJS and type-checked against its own .d.ts / .d.cts. A file missing from `files`,
// an export condition pointing nowhere or types that resolve to `any` fail here, not for a user.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const sdkDir = resolve(import.meta.dirname, '../..')
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc')
let work: string
let project: string

/** What each consumer checks: the classes and helpers are there and behave (no server needed). */
const usage = (load: string) => `${load}
const client = new EdgeClip({ baseURL: 'http://127.0.0.1:9', maxRetries: 0, timeout: 2000 })
const same = cosineSimilarity(new Float32Array([1, 0]), new Float32Array([1, 0]))
client.embed(['a cat']).then(
  () => { throw new Error('embedded through a closed port') },
  (error) => console.log(JSON.stringify({ same, connection: error instanceof APIConnectionError })),
)
`

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'edgeclip-sdk-pack-'))
  execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: sdkDir, stdio: 'pipe' })
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'))
  if (!tarball) throw new Error(`pnpm pack left no tarball in ${work}`)
  project = join(work, 'consumer')
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }))
  // No dependencies to fetch: this works offline.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(work, tarball)], {
    cwd: project,
    stdio: 'pipe',
  })
}, 120_000)

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('the packed SDK in a project of its own', () => {
  it('imports from ESM', () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      usage(`import { APIConnectionError, cosineSimilarity, EdgeClip } from '@edgeclip/sdk'`),
    )
    const out = execFileSync(process.execPath, ['esm.mjs'], { cwd: project, encoding: 'utf8' })
    expect(JSON.parse(out)).toEqual({ same: 1, connection: true })
  })

  it('requires from CommonJS', () => {
    writeFileSync(
      join(project, 'cjs.cjs'),
      usage(`const { APIConnectionError, cosineSimilarity, EdgeClip } = require('@edgeclip/sdk')`),
    )
    const out = execFileSync(process.execPath, ['cjs.cjs'], { cwd: project, encoding: 'utf8' })
    expect(JSON.parse(out)).toEqual({ same: 1, connection: true })
  })

  it('type-checks against its declarations from ESM and CommonJS (nodenext, no @types/node)', () => {
    const typed = (load: string) => `${load}
const client = new EdgeClip({ baseURL: 'https://embed.example.com', apiKey: 'ec_x_y' })
export const rows: Promise<readonly Float32Array[]> = client.embed(['a cat']).then((r) => r.embeddings)
export const score: number = cosineSimilarity(new Float32Array(2), new Float32Array(2))
// @ts-expect-error: a typed client refuses a numeric key (declarations that were \`any\` would not)
new EdgeClip({ apiKey: 42 })
`
    writeFileSync(
      join(project, 'esm.mts'),
      typed(`import { cosineSimilarity, EdgeClip } from '@edgeclip/sdk'`),
    )
    writeFileSync(
      join(project, 'cjs.cts'),
      typed(`import sdk = require('@edgeclip/sdk')\nconst { cosineSimilarity, EdgeClip } = sdk`),
    )
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2022', 'dom'],
          types: [],
          strict: true,
          noEmit: true,
        },
        files: ['esm.mts', 'cjs.cts'],
      }),
    )
    const result = (() => {
      try {
        return execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' })
      } catch (error) {
        return (error as { stdout: string }).stdout
      }
    })()
    expect(result).toBe('')
  })
})
