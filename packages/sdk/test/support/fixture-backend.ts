// A real HTTP server speaking the gateway<->backend protocol on the fixture towers (onnxruntime-node),
// so image calls go through the gateway's real fetch/validate/route path to real inference, in
// process and fast. full-stack.test.ts runs the real @edgeclip/gpu-backend and checks both agree.
import type { IncomingMessage } from 'node:http'
import {
  BACKEND_BATCH_PATH,
  BACKEND_RESPONSE_TYPE,
  type BackendItemResult,
  decodeBackendRequest,
  EdgeclipError,
  encodeBackendResponse,
  fixtureModelSpec,
  OnnxImageTower,
  OnnxTextTower,
  preprocessImage,
} from '@edgeclip/core'
import { SharpImageDecoder } from '@edgeclip/core/node'
import { createNodeSession } from '@edgeclip/core/onnx-node'
import {
  buildFixtureTextModel,
  buildFixtureVisionModel,
  type RunningHttpServer,
  startHttpServer,
} from '@edgeclip/testkit'

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return new Uint8Array(Buffer.concat(chunks))
}

export async function startFixtureBackend(): Promise<RunningHttpServer & { batches: number[] }> {
  const spec = fixtureModelSpec
  const textTower = new OnnxTextTower(await createNodeSession(buildFixtureTextModel()), spec)
  const imageTower = new OnnxImageTower(await createNodeSession(buildFixtureVisionModel()), spec)
  const decoder = new SharpImageDecoder()
  const batches: number[] = []

  const embedItem = async (item: ReturnType<typeof decodeBackendRequest>['items'][number]) => {
    if (item.kind === 'text') return (await textTower.embed([item.ids]))[0]!
    return (await imageTower.embed([preprocessImage(await decoder.decode(item.bytes), spec.image)]))[0]!
  }

  const server = await startHttpServer(async (request, response) => {
    if (request.url === '/readyz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
      return
    }
    if (request.method !== 'POST' || request.url !== BACKEND_BATCH_PATH) {
      response.writeHead(404).end()
      return
    }
    const { items } = decodeBackendRequest(await readBody(request))
    batches.push(items.length)
    const results = await Promise.all(
      items.map(async (item): Promise<BackendItemResult> => {
        try {
          return { ok: true, vector: await embedItem(item) }
        } catch (error) {
          if (!(error instanceof EdgeclipError)) throw error
          return { ok: false, status: error.status, code: error.code, message: error.message }
        }
      }),
    )
    response
      .writeHead(200, { 'content-type': BACKEND_RESPONSE_TYPE })
      .end(encodeBackendResponse({ items: results }, spec.dimensions))
  })
  return { ...server, batches }
}
