// The split edge tower as it ships, inside workerd, for the suites that time it or check its
// vectors: edge-fit's host (the `wrangler deploy --dry-run` bundles of the gateway and the part
// Workers, wired as the deploy configs wire them) with one build's artifact and vocab in R2.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { jinaClipV1 } from '@edgeclip/core'
import {
  decodeTensorBundle,
  type EdgeManifest,
  encodeTensorBundle,
  parseEdgeManifest,
} from '@edgeclip/edge-model'
import { EDGE_BUILD_HEADER } from '@edgeclip/gateway'
// A Node-safe leaf of the gateway's Workers code: the hop's body type.
import { TENSOR_BUNDLE_TYPE } from '../../../workers/gateway/src/workers/edge-tower/edge-artifact'
import { uploadModelFiles } from '../../edge-fit/model-files'
import { buildShippedBundles } from '../../edge-fit/shipped-bundles'
import { GATEWAY_WORKER, partWorker, startWorkerd } from '../../edge-fit/workerd-host'

const spec = jinaClipV1
/** No backend in this bench: texts over the edge limit would fail, and none are sent. */
const NO_BACKEND_URL = 'http://127.0.0.1:9'

export interface SplitEdgeHost {
  manifest: EdgeManifest
  /** POST /v1/embeddings on the gateway (auth off), raw float vectors. */
  embed(texts: readonly string[]): Promise<Response>
  /** Token-id rows straight to part 0, as the gateway's EDGE_TOWER binding sends them (padded with 0). */
  embedIds(rows: readonly (readonly number[])[]): Promise<Float32Array[]>
  dispose(): Promise<void>
}

export async function startSplitEdgeHost(options: {
  edgeDir: string
  vocabText: string
  workDir: string
}): Promise<SplitEdgeHost> {
  const manifest = parseEdgeManifest(await readFile(join(options.edgeDir, 'manifest.json'), 'utf8'))
  const bundles = await buildShippedBundles(options.workDir)
  if (bundles.parts.length !== manifest.parts.length) {
    throw new Error(
      `the build has ${manifest.parts.length} parts; the deploy config ships ${bundles.parts.length}`,
    )
  }
  const host = await startWorkerd(bundles, { EDGECLIP_EDGE_MAX_TOKENS: '16', BACKEND_URL: NO_BACKEND_URL })
  await uploadModelFiles(host, options.edgeDir, options.vocabText)
  return {
    manifest,
    async embed(texts) {
      const send = () =>
        host.fetch(
          GATEWAY_WORKER,
          new Request('https://gateway.bench/v1/embeddings', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ input: texts, normalized: false }),
          }),
        )
      // After minutes idle (the peers' runs), workerd has closed the keep-alive socket that Node's
      // fetch pool still holds: the first call fails before reaching the gateway. Once more is safe.
      return send().catch(send)
    },
    async embedIds(rows) {
      const sequence = Math.max(...rows.map((row) => row.length))
      const ids = new BigInt64Array(rows.length * sequence).fill(BigInt(spec.tokenizer.padId))
      rows.forEach((row, rowIndex) => {
        row.forEach((id, column) => {
          ids[rowIndex * sequence + column] = BigInt(id)
        })
      })
      const response = await host.fetch(
        partWorker(0),
        new Request('https://edge-tower.internal/embed', {
          method: 'POST',
          headers: { 'content-type': TENSOR_BUNDLE_TYPE, [EDGE_BUILD_HEADER]: manifest.buildId },
          body: encodeTensorBundle({
            [manifest.idsInput]: { type: 'int64', data: ids, dims: [rows.length, sequence] },
          }),
        }),
      )
      if (!response.ok) throw new Error(`part 0 answered ${response.status}: ${await response.text()}`)
      const output = decodeTensorBundle(new Uint8Array(await response.arrayBuffer()))[manifest.output]
      if (!output) throw new Error(`the chain gave no ${manifest.output}`)
      const width = output.dims.at(-1) ?? 0
      const data = output.data as Float32Array
      return rows.map((_, index) => data.slice(index * width, (index + 1) * width))
    },
    dispose: () => host.dispose(),
  }
}
