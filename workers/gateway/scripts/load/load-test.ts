// `pnpm --filter @edgeclip/gateway load`: a bounded load test on loopback. The Node gateway (in this
// process, fixture model) in front of the real GPU backend process takes mixed traffic from
// LOAD_CONCURRENCY clients for LOAD_DURATION_S seconds; rps, latency percentiles, errors and heap
// growth go to bench/results/load-latest.{json,md}. Not part of `pnpm test`: it measures, not checks.
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { loadNodeModel, readNodeSettings, startNodeGateway } from '../../src/node'
import { startRealBackend } from '../../test/support/real-backend'
import { type LoadReport, summarize, writeReport } from './load-report'
import { bodyFor, pickKind, TRAFFIC_MIX, type TrafficKind } from './load-traffic'

const durationSeconds = Number(process.env.LOAD_DURATION_S ?? 30)
const warmupSeconds = Number(process.env.LOAD_WARMUP_S ?? 5)
const concurrency = Number(process.env.LOAD_CONCURRENCY ?? 8)

setFlagsFromString('--expose_gc')
const collectGarbage = runInNewContext('gc') as () => void
const heapMiB = () => {
  collectGarbage()
  collectGarbage()
  const { heapUsed, rss } = process.memoryUsage()
  return { heapMiB: heapUsed / 2 ** 20, rssMiB: rss / 2 ** 20 }
}

export interface Sample {
  kind: TrafficKind
  status: number
  milliseconds: number
  ok: boolean
}

/** Mulberry32: a seeded generator, so two runs send the same mix. */
function seeded(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let value = Math.imul(state ^ (state >>> 15), 1 | state)
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296
  }
}

async function drive(
  url: string,
  until: number,
  sequenceStart: number,
  random: () => number,
): Promise<Sample[]> {
  const samples: Sample[] = []
  let sequence = sequenceStart
  while (performance.now() < until) {
    const kind = pickKind(random)
    const body = JSON.stringify(bodyFor(kind, sequence++))
    const started = performance.now()
    let status = 0
    try {
      const response = await fetch(`${url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      await response.arrayBuffer()
      status = response.status
    } catch {
      status = 0
    }
    const expected = kind === 'bad' ? 400 : 200
    samples.push({ kind, status, milliseconds: performance.now() - started, ok: status === expected })
  }
  return samples
}

async function phase(url: string, seconds: number, seed: number): Promise<Sample[]> {
  const until = performance.now() + seconds * 1000
  const runs = Array.from({ length: concurrency }, (_, client) =>
    drive(url, until, (seed * concurrency + client) * 1_000_000, seeded(seed * 1000 + client)),
  )
  return (await Promise.all(runs)).flat()
}

async function main(): Promise<void> {
  const backend = await startRealBackend()
  const dataDir = await mkdtemp(join(tmpdir(), 'edgeclip-load-'))
  const settings = readNodeSettings({
    PORT: '0',
    EDGECLIP_MODEL: 'fixture',
    EDGECLIP_DATA_DIR: dataDir,
    EDGECLIP_AUTH: 'off',
    BACKEND_URL: backend.url,
    BACKEND_SECRET: backend.secret,
    EDGECLIP_RPM: String(1e9),
    EDGECLIP_TPM: String(1e12),
  })
  const model = await loadNodeModel({ kind: 'fixture' })
  const gateway = await startNodeGateway({ settings, model, log: () => {} })
  try {
    console.log(`load: warm-up ${warmupSeconds} s, then ${durationSeconds} s at concurrency ${concurrency}`)
    await phase(gateway.url, warmupSeconds, 1)
    await gateway.idle()
    const before = heapMiB()
    const memorySamples: { second: number; heapMiB: number; rssMiB: number }[] = []
    const started = performance.now()
    const sampler = setInterval(() => {
      const { heapUsed, rss } = process.memoryUsage()
      memorySamples.push({
        second: Math.round((performance.now() - started) / 1000),
        heapMiB: heapUsed / 2 ** 20,
        rssMiB: rss / 2 ** 20,
      })
    }, 1000)
    const samples = await phase(gateway.url, durationSeconds, 2)
    const elapsedSeconds = (performance.now() - started) / 1000
    clearInterval(sampler)
    await gateway.idle()
    const after = heapMiB()
    const report: LoadReport = summarize(samples, {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: totalmem() / 2 ** 30,
        node: process.version,
      },
      setup: {
        gateway: 'Node host, fixture model, edge tower on onnxruntime-node, SQLite L2 cache, auth off',
        backend: 'real @edgeclip/gpu-backend process, fixture model, CPU',
        concurrency,
        durationSeconds,
        warmupSeconds,
        mix: Object.fromEntries(TRAFFIC_MIX),
      },
      elapsedSeconds,
      memory: { before, after, growthHeapMiB: after.heapMiB - before.heapMiB, samples: memorySamples },
    })
    const paths = await writeReport(report)
    console.log(
      `load: ${report.requests} requests, ${report.rps.toFixed(1)} rps, p99 ${report.latencyMs.p99.toFixed(1)} ms, ${report.errors} errors, heap ${report.memory.growthHeapMiB.toFixed(1)} MiB growth`,
    )
    console.log(`load: wrote ${paths.join(', ')}`)
  } finally {
    await gateway.close()
    await backend.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

await main()
