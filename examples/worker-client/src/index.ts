// POST /similarity {"text": "...", "image": "<https URL | data URI | base64>"}: how close a text and
// an image are, computed by an edgeclip gateway that this Worker reaches through @edgeclip/sdk.
import { APIError, cosineSimilarity, EdgeClip, EdgeClipSDKError } from '@edgeclip/sdk'
import type { Env } from './env'

interface SimilarityRequest {
  text?: unknown
  image?: unknown
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname !== '/similarity') {
      return Response.json({
        usage: 'POST /similarity {"text": "...", "image": "https://... | data:image/..."}',
      })
    }
    if (request.method !== 'POST') return Response.json({ error: 'use POST' }, { status: 405 })
    const body = (await request.json().catch(() => ({}))) as SimilarityRequest
    if (typeof body.text !== 'string' || typeof body.image !== 'string') {
      return Response.json({ error: 'send {"text": string, "image": string}' }, { status: 400 })
    }

    // Workers have no process.env: configuration comes from the bindings.
    const client = new EdgeClip({
      baseURL: env.EDGECLIP_BASE_URL,
      apiKey: env.EDGECLIP_API_KEY,
      maxRetries: 1,
    })
    try {
      const { embeddings, usage, requestIDs } = await client.embed([body.text, { image: body.image }])
      return Response.json({
        similarity: cosineSimilarity(embeddings[0]!, embeddings[1]!),
        tokens: usage.totalTokens,
        requestID: requestIDs[0],
      })
    } catch (error) {
      return errorResponse(error)
    }
  },
}

/** The gateway's 4xx are the caller's mistakes and pass through; anything else is a bad gateway. */
function errorResponse(error: unknown): Response {
  if (error instanceof APIError && error.status !== undefined && error.status < 500) {
    return Response.json(
      { error: error.message, code: error.code, param: error.param },
      { status: error.status },
    )
  }
  const message = error instanceof EdgeClipSDKError ? error.message : 'unexpected error'
  return Response.json({ error: message }, { status: 502 })
}
