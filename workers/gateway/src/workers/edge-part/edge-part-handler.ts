// The part Worker's fetch handler: a tensor bundle in, this part's layers run, and the result
// either forwarded to the next part (NEXT) or, from the last part, answered as `text_embeds`.
// Only service bindings reach it (no route, no workers.dev URL; see wrangler.edge-part.jsonc).
import { EdgeclipError, isEdgeclipError } from '@edgeclip/core'
import { encodeTensorBundle, type TensorMap } from '@edgeclip/edge-model'
import { EDGE_BUILD_HEADER, EDGE_PART_HEADER, TENSOR_BUNDLE_TYPE } from '../edge-tower'
import type { EdgePartEnv } from './edge-part-env'
import { type LoadWithBackoff, loadWithBackoff } from './load-backoff'
import { buildMismatch, type LoadedEdgePart, loadEdgePart } from './load-edge-part'
import { decodeHop, partFeeds } from './part-feeds'

/** The slice of the Workers ExecutionContext the part uses. */
interface PartContext {
  waitUntil(promise: Promise<unknown>): void
}

export interface EdgePartHandler {
  fetch(request: Request, env: EdgePartEnv, context?: PartContext): Promise<Response>
}

function errorResponse(error: unknown, part: string): Response {
  const headers: Record<string, string> = { [EDGE_PART_HEADER]: part }
  if (isEdgeclipError(error)) {
    if (error.retryAfter) headers['retry-after'] = String(error.retryAfter)
    return Response.json(error.toBody(), { status: error.status, headers })
  }
  console.error('edge part failed:', error)
  const failure = new EdgeclipError(`The edge part failed: ${String(error)}`, {
    status: 500,
    code: 'edge_part_failed',
  })
  return Response.json(failure.toBody(), { status: 500, headers })
}

const bundleRequest = (url: string, buildId: string, tensors: TensorMap) =>
  new Request(url, {
    method: 'POST',
    headers: { 'content-type': TENSOR_BUNDLE_TYPE, [EDGE_BUILD_HEADER]: buildId },
    body: encodeTensorBundle(tensors),
  })

/** The build the sender's layers belong to; a hop without one cannot be told apart from another build's. */
function requestedBuild(request: Request): string {
  const buildId = request.headers.get(EDGE_BUILD_HEADER)
  if (!buildId) {
    throw new EdgeclipError(`Send the edge build id in ${EDGE_BUILD_HEADER}.`, {
      status: 400,
      code: 'missing_edge_build',
    })
  }
  return buildId
}

/** `wasmModule`: ONNX Runtime's .wasm as wrangler compiled it (workerd cannot compile bytes). */
export function createEdgePartHandler(wasmModule: WebAssembly.Module): EdgePartHandler {
  // One part per isolate, loaded by the first request; a failed load is retried after a backoff.
  let part: LoadWithBackoff<LoadedEdgePart> | undefined
  return {
    async fetch(request, env, context) {
      try {
        if (request.method !== 'POST') {
          throw new EdgeclipError('POST a tensor bundle.', { status: 405, code: 'method_not_allowed' })
        }
        const buildId = requestedBuild(request)
        const tensors = decodeHop(new Uint8Array(await request.arrayBuffer()))
        part ??= loadWithBackoff(() => loadEdgePart(env, wasmModule))
        const loading = part.get()
        // The load outlives this request: a caller that gives up (the gateway's edge deadline)
        // must not cancel the R2 reads that later requests wait on.
        context?.waitUntil(loading.catch(() => undefined))
        const loaded = await loading
        // Checked before running: this part's layers on another build's hidden states are garbage.
        if (loaded.manifest.buildId !== buildId) {
          throw buildMismatch(
            `Part ${loaded.index} holds edge build ${loaded.manifest.buildId}, not ${buildId}.`,
          )
        }
        const outputs = await loaded.session.run(partFeeds(loaded, tensors))
        const { manifest } = loaded
        if (loaded.last) {
          const output = outputs[manifest.output]
          if (!output) throw new Error(`the last part gave no ${manifest.output}`)
          return new Response(encodeTensorBundle({ [manifest.output]: output }), {
            headers: { 'content-type': TENSOR_BUNDLE_TYPE },
          })
        }
        if (!env.NEXT) {
          throw new EdgeclipError(`Part ${loaded.index} is not the last, and its NEXT binding is unset.`, {
            status: 503,
            code: 'edge_part_misconfigured',
          })
        }
        // The later parts rebuild the pad mask and ALiBi bias from the ids, so they travel along.
        const ids = tensors[manifest.idsInput]!
        return await env.NEXT.fetch(
          bundleRequest(request.url, buildId, { [manifest.idsInput]: ids, ...outputs }),
        )
      } catch (error) {
        return errorResponse(error, env.EDGE_PART_INDEX)
      }
    },
  }
}
