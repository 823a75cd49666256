// The phases whose isolate memory is measured, each sampled on every isolate while it runs: the
// parts' session creation and table load (their first request), the largest edge batches the
// gateway sends at its defaults and at its maxima, and the gateway parsing a maximum-size body
// while its L1 cache is full.
import { encodeTensorBundle } from '@edgeclip/edge-model'
import { EDGE_BUILD_HEADER } from '@edgeclip/gateway'
import { type InspectorSession, type PhasePeak, sampleDuring } from './inspector'
import { type EdgeBuild, spec, storeCachedTexts } from './model-files'
import { GATEWAY_WORKER, partWorker, type WorkerdHost } from './workerd-host'

export interface PhaseResult {
  phase: string
  /** What the phase sent, and what came back. */
  request: string
  status: number
  peaks: Map<string, PhasePeak>
}

/** [CLS] … [SEP] rows of `tokens` ids spread over the vocabulary: a full batch, no padding. */
function idsBundle(batch: number, tokens: number) {
  const { clsId, sepId } = spec.tokenizer
  const data = BigInt64Array.from({ length: batch * tokens }, (_, index) => {
    const column = index % tokens
    if (column === 0) return BigInt(clsId)
    if (column === tokens - 1) return BigInt(sepId)
    return BigInt(1000 + ((index * 7919) % 28_000))
  })
  return encodeTensorBundle({ input_ids: { type: 'int64', data, dims: [batch, tokens] } })
}

/** A batch as the gateway's EDGE_TOWER call sends it to part 0 (`ServiceBindingTextTower`). */
export async function partBatch(
  host: WorkerdHost,
  build: EdgeBuild,
  sessions: ReadonlyMap<string, InspectorSession>,
  phase: string,
  batch: number,
  tokens: number,
): Promise<PhaseResult> {
  const body = idsBundle(batch, tokens)
  const { result, peaks } = await sampleDuring(sessions, async () => {
    const response = await host.fetch(
      partWorker(0),
      new Request('https://edge-tower.internal/embed', {
        method: 'POST',
        headers: { [EDGE_BUILD_HEADER]: build.manifest.buildId },
        body,
      }),
    )
    const answer = new Uint8Array(await response.arrayBuffer())
    if (!response.ok)
      throw new Error(`${phase}: part 0 answered ${response.status}: ${new TextDecoder().decode(answer)}`)
    return response.status
  })
  return { phase, request: `${batch}×${tokens} token ids to part 0`, status: result, peaks }
}

async function postEmbeddings(host: WorkerdHost, body: string): Promise<Response> {
  return host.fetch(
    GATEWAY_WORKER,
    new Request('https://gateway.bench/v1/embeddings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }),
  )
}

/** Texts per fill request: few enough that KV answers each lookup within the L2 timeout. */
const FILL_REQUEST_TEXTS = 256

/** Texts of one short word each (≤ 16 tokens), distinct. */
const shortTexts = (count: number) => Array.from({ length: count }, (_, index) => `cached text ${index}`)

/**
 * Fills the gateway's L1 (its in-isolate LRU) from KV hits: every request must come back a full
 * cache hit, or the figure would be of a part-empty L1.
 */
export async function fillGatewayL1(
  host: WorkerdHost,
  build: EdgeBuild,
  sessions: ReadonlyMap<string, InspectorSession>,
  vocab: string,
  entries: number,
): Promise<PhaseResult> {
  const texts = shortTexts(entries)
  await storeCachedTexts(host, build, vocab, texts)
  // Not sampled while filling: each snapshot pauses the gateway, and an L2 read slower than the
  // tiered cache's timeout would read as a miss. The full L1 is a steady state, sampled after.
  for (let start = 0; start < texts.length; start += FILL_REQUEST_TEXTS) {
    const response = await postEmbeddings(
      host,
      JSON.stringify({ input: texts.slice(start, start + FILL_REQUEST_TEXTS), encoding_format: 'base64' }),
    )
    const cache = response.headers.get('x-edgeclip-cache')
    await response.arrayBuffer()
    if (response.status !== 200 || cache !== 'hit') {
      throw new Error(
        `filling L1: ${response.status}, cache ${cache} (a slow KV read, or the bench's cache keys differ from the gateway's)`,
      )
    }
  }
  const { result, peaks } = await sampleDuring(sessions, async () => 200)
  return {
    phase: 'L1 cache full',
    request: `${entries} cached texts in requests of ${FILL_REQUEST_TEXTS}`,
    status: result,
    peaks,
  }
}

/** The largest body the gateway accepts: `maxInputs` long texts filling `maxBodyBytes`. */
export async function maximumBody(
  host: WorkerdHost,
  sessions: ReadonlyMap<string, InspectorSession>,
  maxBodyBytes: number,
  maxInputs: number,
): Promise<PhaseResult> {
  const overhead = '{"input":[]}'.length + maxInputs * 3
  const perText = Math.floor((maxBodyBytes - overhead) / maxInputs)
  // Whole words, ~5 characters a token, each text its own (duplicates are tokenized once): every
  // text stays under the model's token limit, and every one is parsed and tokenized.
  const filler = 'word '.repeat(Math.ceil(perText / 5))
  const texts = Array.from({ length: maxInputs }, (_, index) =>
    `${index} ${filler}`.slice(0, perText).trimEnd(),
  )
  const body = JSON.stringify({ input: texts })
  if (body.length > maxBodyBytes) throw new Error(`the body is ${body.length} bytes, over ${maxBodyBytes}`)
  const { result, peaks } = await sampleDuring(sessions, async () => {
    const response = await postEmbeddings(host, body)
    await response.arrayBuffer()
    return response.status
  })
  return {
    phase: 'maximum body, L1 full',
    request: `${(body.length / 2 ** 20).toFixed(1)} MiB JSON: ${maxInputs} distinct texts of ${perText} characters`,
    status: result,
    peaks,
  }
}
