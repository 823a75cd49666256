// What the gateway sends back (docs/api.md); only the fields the client reads.

export interface WireEmbeddingsResponse {
  model: string
  data: { index: number; embedding: unknown }[]
  usage?: { prompt_tokens?: number; total_tokens?: number }
}

export interface WireModelList {
  data?: {
    id?: string
    revision?: string
    dimensions?: number
    max_tokens?: number
    max_inputs?: number
    modalities?: string[]
  }[]
}
