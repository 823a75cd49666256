// Shared by the integration tests: a backend on the fixture model on a free port, a client that
// speaks the ECB1 protocol over real HTTP, reference vectors computed without the service, and
// test images made with sharp.
import {
  BACKEND_BATCH_PATH,
  BACKEND_REQUEST_TYPE,
  type BackendItem,
  type BackendResult,
  decodeBackendResponse,
  encodeBackendRequest,
  fixtureModelSpec,
  OnnxImageTower,
  OnnxTextTower,
  preprocessImage,
} from '@edgeclip/core'
import { SharpImageDecoder } from '@edgeclip/core/node'
import { createNodeSession } from '@edgeclip/core/onnx-node'
import { buildFixtureTextModel, buildFixtureVisionModel } from '@edgeclip/testkit'
import sharp from 'sharp'
import { type BackendConfig, type RunningBackend, readBackendConfig, startBackend } from '../src'

export const SECRET = 'test-secret'

export async function startFixtureBackend(env: Record<string, string> = {}): Promise<RunningBackend> {
  const config: BackendConfig = readBackendConfig({
    EDGECLIP_MODEL: 'fixture',
    BACKEND_SECRET: SECRET,
    PORT: '0',
    EDGECLIP_BACKEND_PROVIDER: 'cpu',
    ...env,
  })
  const backend = await startBackend({ config, log: () => {} })
  await backend.ready
  return backend
}

export interface BatchResponse {
  status: number
  headers: Headers
  result?: BackendResult
  error?: { error: { code: string; message: string } }
}

export async function postBatch(
  url: string,
  items: BackendItem[],
  options: { secret?: string | null; model?: string; revision?: string } = {},
): Promise<BatchResponse> {
  const secret = options.secret === undefined ? SECRET : options.secret
  const response = await fetch(`${url}${BACKEND_BATCH_PATH}`, {
    method: 'POST',
    headers: {
      'content-type': BACKEND_REQUEST_TYPE,
      ...(secret === null ? {} : { authorization: `Bearer ${secret}` }),
    },
    body: encodeBackendRequest({
      model: options.model ?? fixtureModelSpec.id,
      ...(options.revision === undefined ? {} : { revision: options.revision }),
      items,
    }) as Uint8Array<ArrayBuffer>,
  })
  const bytes = new Uint8Array(await response.arrayBuffer())
  if (response.status !== 200) {
    return {
      status: response.status,
      headers: response.headers,
      error: JSON.parse(new TextDecoder().decode(bytes)),
    }
  }
  return { status: 200, headers: response.headers, result: decodeBackendResponse(bytes, items.length) }
}

/** Vectors straight from the towers, one item per session.run: what the service must return. */
export async function referenceVectors(items: BackendItem[]): Promise<Float32Array[]> {
  const textTower = new OnnxTextTower(await createNodeSession(buildFixtureTextModel()), fixtureModelSpec)
  const imageTower = new OnnxImageTower(await createNodeSession(buildFixtureVisionModel()), fixtureModelSpec)
  const decoder = new SharpImageDecoder()
  const vectors: Float32Array[] = []
  for (const item of items) {
    if (item.kind === 'text') vectors.push(...(await textTower.embed([item.ids])))
    else {
      const tensor = preprocessImage(await decoder.decode(item.bytes), fixtureModelSpec.image)
      vectors.push(...(await imageTower.embed([tensor])))
    }
  }
  await Promise.all([textTower.release(), imageTower.release()])
  return vectors
}

/** A seeded noise image, so different seeds give clearly different vectors. */
export async function noiseImage(seed: number, width = 96, height = 64): Promise<Uint8Array> {
  const pixels = Buffer.alloc(width * height * 3)
  let state = seed * 2654435761
  for (let index = 0; index < pixels.length; index++) {
    state = (state * 1103515245 + 12345) >>> 0
    pixels[index] = state >>> 24
  }
  const png = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer()
  return new Uint8Array(png)
}

/** Token ids of a text of `length` tokens ([CLS] ... [SEP]); different seeds differ. */
export function textIds(seed: number, length: number): number[] {
  const { clsId, sepId, vocabSize } = fixtureModelSpec.tokenizer
  // Ids above the special tokens, inside the fixture's small vocab.
  const first = sepId + 8
  const body = Array.from(
    { length: length - 2 },
    (_, index) => first + ((seed * 31 + index * 7) % (vocabSize - first)),
  )
  return [clsId, ...body, sepId]
}

export function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-4): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`)
  let worst = 0
  for (let index = 0; index < actual.length; index++) {
    worst = Math.max(worst, Math.abs(actual[index]! - expected[index]!))
  }
  if (worst > tolerance) throw new Error(`vectors differ by ${worst} (tolerance ${tolerance})`)
}

export async function scrapeMetrics(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${SECRET}` } })
  return response.text()
}

export function metricValue(metrics: string, series: string): number {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}
