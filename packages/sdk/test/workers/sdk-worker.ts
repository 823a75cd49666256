// A Worker that embeds through the SDK: GET /?text=...&image=<base64 PNG> answers their similarity.
import { cosineSimilarity, EdgeClip } from '../../src'

export interface Env {
  EDGECLIP_BASE_URL: string
  EDGECLIP_API_KEY: string
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    // Workers have no process.env by default: configuration comes from bindings.
    const client = new EdgeClip({ baseURL: env.EDGECLIP_BASE_URL, apiKey: env.EDGECLIP_API_KEY })
    const url = new URL(request.url)
    const text = url.searchParams.get('text') ?? ''
    const image = Uint8Array.from(atob(url.searchParams.get('image') ?? ''), (char) => char.charCodeAt(0))
    const { embeddings, usage } = await client.embed([text, { image }])
    return Response.json({
      similarity: cosineSimilarity(embeddings[0]!, embeddings[1]!),
      dimensions: embeddings.map((row) => row.length),
      promptTokens: usage.promptTokens,
    })
  },
}
