// `pnpm --filter @edgeclip/gateway start` as a real process: configured from env, serving, and on
// SIGTERM draining its cache write-backs before exiting 0.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fixtureModelSpec, textCacheKey, WordPieceTokenizer } from '@edgeclip/core'
import { sha256File } from '@edgeclip/core/node'
import { afterAll, describe, expect, it } from 'vitest'
import { SqliteEmbeddingCache } from '../../src/adapters/node'
import { CACHE_FILE_NAME } from '../../src/node'
import { writeFixtureFiles } from '../../src/workers/fixture/write-fixture-files'

const packageDir = resolve(import.meta.dirname, '../..')
let child: ChildProcess | undefined
let dataDir: string | undefined

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

function waitForUrl(process: ChildProcess): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk
      const match = /edgeclip gateway: (http:\/\/\S+) model=/.exec(output)
      if (match) resolveUrl(match[1]!)
    }
    process.stdout?.on('data', onData)
    process.stderr?.on('data', onData)
    process.once('exit', (code) =>
      reject(new Error(`gateway exited with ${code} before listening:\n${output}`)),
    )
  })
}

describe('Node gateway process', () => {
  it('serves from env settings and drains on SIGTERM, exiting 0', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'edgeclip-main-'))
    child = spawn(join(packageDir, 'node_modules/.bin/tsx'), ['src/node/main.ts'], {
      cwd: packageDir,
      env: {
        ...process.env,
        PORT: '0',
        EDGECLIP_MODEL: 'fixture',
        EDGECLIP_AUTH: 'off',
        BACKEND_URL: 'off',
        EDGECLIP_DATA_DIR: dataDir,
      },
      stdio: 'pipe',
    })
    const url = await waitForUrl(child)
    const response = await fetch(`${url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'hello world' }),
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-edgeclip-route')).toBe('edge')

    const exited = new Promise<number | null>((resolveExit) => child!.once('exit', resolveExit))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)

    const vocab = await readFile((await writeFixtureFiles()).vocabPath, 'utf8')
    const ids = WordPieceTokenizer.fromVocab(vocab, fixtureModelSpec.tokenizer).encode('hello world').ids
    const cache = new SqliteEmbeddingCache(join(dataDir, CACHE_FILE_NAME))
    // Stored under the in-process tower's identity: the fixture file's sha256, run by onnxruntime-node.
    const tower = {
      weights: await sha256File((await writeFixtureFiles()).modelPath),
      numerics: 'fp32/onnxruntime-node-cpu',
    }
    const [row] = await cache.getMany([await textCacheKey({ spec: fixtureModelSpec, tower }, ids)])
    expect(row?.length).toBe(fixtureModelSpec.dimensions)
  }, 60_000)
})
