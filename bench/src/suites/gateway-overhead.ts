// Figure b: what the gateway costs over a bare Hono handler returning the same bytes, on loopback
// with autocannon: cache hits, and edge-tower requests (every body a fresh text, so every one a miss).
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { startChildServer } from '../child'
import { round, summarize } from '../stats'
import type { SuiteContext, SuiteResult } from '../suite'

const CONNECTIONS = 8
const CACHED_BODY = JSON.stringify({ input: 'a photo of a cat' })
const headers = { 'content-type': 'application/json' }

interface RunFigures {
  rps: number
  p50: number
  p99: number
  failures: number
}

/** Digits tokenize to real ids in any BERT vocab, so each counter value is its own cache key. */
const freshBody = (sequence: number) => JSON.stringify({ input: `photo ${sequence} ${sequence * 7919}` })

async function load(url: string, seconds: number, fresh: boolean, offset: number): Promise<RunFigures> {
  let sequence = offset
  const result = await autocannon({
    url: `${url}/v1/embeddings`,
    method: 'POST',
    headers,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers,
        setupRequest: (request) => ({ ...request, body: fresh ? freshBody(sequence++) : CACHED_BODY }),
      },
    ],
  })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  }
}

async function probe(
  url: string,
  body: string,
): Promise<{ route: string; cache: string; bytes: Uint8Array; type: string }> {
  const response = await fetch(`${url}/v1/embeddings`, { method: 'POST', headers, body })
  const bytes = new Uint8Array(await response.arrayBuffer())
  if (!response.ok) throw new Error(`gateway answered ${response.status}: ${new TextDecoder().decode(bytes)}`)
  return {
    route: response.headers.get('x-edgeclip-route') ?? '?',
    cache: response.headers.get('x-edgeclip-cache') ?? '?',
    bytes,
    type: response.headers.get('content-type') ?? 'application/json',
  }
}

export async function gatewayOverhead(context: SuiteContext): Promise<SuiteResult> {
  const seconds = context.quick ? 5 : 15
  const runs = context.quick ? 2 : 3
  const dataDir = await mkdtemp(join(context.workDir, 'gateway-'))
  const gateway = await startChildServer('http-target.ts', ['gateway', dataDir])
  const notes: string[] = []
  const figures: Record<'cache' | 'edge' | 'bare', RunFigures[]> = { cache: [], edge: [], bare: [] }
  let gatewayPeak = Number.NaN
  let barePeak = Number.NaN
  try {
    await probe(gateway.url, CACHED_BODY)
    const cached = await probe(gateway.url, CACHED_BODY)
    const first = await probe(gateway.url, freshBody(-1))
    const second = await probe(gateway.url, freshBody(-2))
    notes.push(
      `Probe: repeated body answered route=${cached.route} cache=${cached.cache}; fresh bodies route=${first.route}/${second.route} cache=${first.cache}/${second.cache}.`,
    )
    const bodyFile = join(dataDir, 'cached-response.bin')
    await writeFile(bodyFile, cached.bytes)
    const bare = await startChildServer('http-target.ts', ['bare', bodyFile, cached.type])
    try {
      // Alternate the three so machine drift lands on all of them alike.
      for (let run = 0; run < runs; run++) {
        context.log(`gateway-overhead: run ${run + 1}/${runs} (${seconds} s each)`)
        figures.bare.push(await load(bare.url, seconds, false, 0))
        figures.cache.push(await load(gateway.url, seconds, false, 0))
        figures.edge.push(await load(gateway.url, seconds, true, (run + 1) * 10_000_000))
      }
    } finally {
      barePeak = await bare.stop()
    }
  } finally {
    gatewayPeak = await gateway.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
  const bareRps = summarize(figures.bare.map((figure) => figure.rps)).median
  const rows = (['bare', 'cache', 'edge'] as const).map((kind) => {
    const rps = summarize(figures[kind].map((figure) => figure.rps))
    return {
      target:
        kind === 'bare'
          ? 'bare Hono, same bytes'
          : kind === 'cache'
            ? 'gateway, cache hit'
            : 'gateway, edge tower (miss)',
      'req/s': round(rps.median, 0),
      'req/s iqr': round(rps.iqr, 0),
      'p50 ms': round(summarize(figures[kind].map((figure) => figure.p50)).median, 1),
      'p99 ms': round(summarize(figures[kind].map((figure) => figure.p99)).median, 1),
      'vs bare': round(rps.median / bareRps, 3),
      failures: figures[kind].reduce((sum, figure) => sum + figure.failures, 0),
      runs: rps.n,
    }
  })
  notes.push(
    `${CONNECTIONS} connections, ${seconds} s per run, medians over ${runs} runs; autocannon runs in the bench process, each server in its own.`,
    `Peak RSS: gateway process ${round(gatewayPeak, 0)} MiB, bare Hono process ${round(barePeak, 0)} MiB.`,
  )
  return {
    name: 'gateway-overhead',
    title: 'b. Gateway overhead on loopback (Node host, fixture model, auth off, no backend)',
    model: 'fixture text model (testkit), edge tower on onnxruntime-node in the gateway process',
    tables: [{ title: 'throughput and latency', rows }],
    notes,
  }
}
