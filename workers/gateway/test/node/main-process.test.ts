// `pnpm --filter @edgeclip/gateway start` as a real process: configured from env, serving, and on
// SIGTERM draining its cache write-backs before exiting 0.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixtureModelSpec, textCacheKey, WordPieceTokenizer } from '@edgeclip/core'
import { sha256File } from '@edgeclip/core/node'
import { afterAll, describe, expect, it } from 'vitest'
import { SqliteEmbeddingCache } from '../../src/adapters/node'
import { CACHE_FILE_NAME } from '../../src/node'
import { writeFixtureFiles } from '../../src/workers/fixture/write-fixture-files'
import { type GatewayProcess, startGatewayProcess } from './support/gateway-process'

let gateway: GatewayProcess | undefined
let dataDir: string | undefined

afterAll(async () => {
  await gateway?.stop(0)
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

describe('Node gateway process', () => {
  it('serves from env settings and drains on SIGTERM, exiting 0', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'edgeclip-main-'))
    gateway = await startGatewayProcess({
      EDGECLIP_AUTH: 'off',
      BACKEND_URL: 'off',
      EDGECLIP_DATA_DIR: dataDir,
    })
    const { url } = gateway
    const response = await fetch(`${url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'hello world' }),
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-edgeclip-route')).toBe('edge')

    expect(await gateway.stop()).toBe(0)

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
