// The gateway on jina-clip-v1's spec with the split edge tower, as the split-edge tests drive it
// inside workerd: its env, the artifact uploaded to R2, and calls through its fetch handler.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { jinaClipV1 } from '@edgeclip/core'
import { EDGE_MANIFEST_FILE, parseEdgeManifest } from '@edgeclip/edge-model'
import { inject } from 'vitest'
import {
  EDGE_BUILD_HEADER,
  edgeArtifactKey,
  r2ModelKey,
  TENSOR_BUNDLE_TYPE,
  VOCAB_FILE,
} from '../../../src/workers/edge-tower'
import type { WorkersEnv } from '../../../src/workers/env'
import { fixtureVocabText } from '../../../src/workers/fixture'
import type { WorkersHandler } from '../../../src/workers/workers-handler'
import type { EmbeddingsBody } from './requests'
import { FILES_PATH } from './shared'
import { env } from './worker'

export const spec = jinaClipV1
export const splitBackendUrl = inject('splitBackendUrl')

// The synthetic model shares the fixture's 512-token vocab, so it stands in for jina-clip-v1's.
export const gatewayEnv = (overrides: Partial<WorkersEnv> = {}): WorkersEnv => ({
  ...env,
  EDGECLIP_MODEL: spec.id,
  EDGECLIP_AUTH: 'off',
  BACKEND_URL: splitBackendUrl,
  ...overrides,
})

/** Puts a build's files (the first, or the rebuilt one) into R2 under the revision's keys. */
export async function uploadFiles(names: readonly string[], prefix = ''): Promise<void> {
  for (const name of names) {
    const response = await fetch(`${splitBackendUrl}${FILES_PATH}${prefix}${name}`)
    if (!response.ok) throw new Error(`GET ${prefix}${name}: ${response.status}`)
    await env.MODELS.put(edgeArtifactKey(spec, name), await response.arrayBuffer())
  }
}

export async function uploadArtifact(): Promise<void> {
  await env.MODELS.put(r2ModelKey(spec, VOCAB_FILE), fixtureVocabText)
  await uploadFiles(inject('edgeArtifactFiles'))
}

export async function buildIdInR2(): Promise<string> {
  const object = await env.MODELS.get(edgeArtifactKey(spec, EDGE_MANIFEST_FILE))
  return parseEdgeManifest(await object!.text()).buildId
}

async function call(handler: WorkersHandler, request: Request, overrides: Partial<WorkersEnv>) {
  const context = createExecutionContext()
  const response = await handler.fetch(request, gatewayEnv(overrides), context)
  await waitOnExecutionContext(context)
  return response
}

export function embed(
  handler: WorkersHandler,
  input: string | string[],
  overrides: Partial<WorkersEnv> = {},
): Promise<Response> {
  const request = new Request('https://gateway.test/v1/embeddings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input, normalized: false }),
  })
  return call(handler, request, overrides)
}

export type ReadyBody = { status: string; checks: Record<string, string> }

export function readyz(handler: WorkersHandler): Promise<Response> {
  return call(handler, new Request('https://gateway.test/readyz'), {})
}

/**
 * POSTs a tensor bundle to the first part Worker, as the gateway's EDGE_TOWER binding does, naming
 * `buildId` (default: the build R2 holds; null: none).
 */
export async function sendToParts(
  body: Uint8Array<ArrayBuffer>,
  buildId: string | null | undefined = undefined,
): Promise<Response> {
  const build = buildId === undefined ? await buildIdInR2() : buildId
  return env.EDGE_TOWER!.fetch(
    new Request('https://edge-tower.internal/embed', {
      method: 'POST',
      headers: {
        'content-type': TENSOR_BUNDLE_TYPE,
        ...(build === null ? {} : { [EDGE_BUILD_HEADER]: build }),
      },
      body,
    }),
  )
}

export async function vectorsOf(response: Response): Promise<Float32Array[]> {
  if (response.status !== 200) throw new Error(`status ${response.status}: ${await response.text()}`)
  return ((await response.json()) as EmbeddingsBody).data.map((item) => Float32Array.from(item.embedding))
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let [dot, normA, normB] = [0, 0, 0]
  a.forEach((value, index) => {
    dot += value * b[index]!
    normA += value * value
    normB += b[index]! * b[index]!
  })
  return dot / Math.sqrt(normA * normB)
}
