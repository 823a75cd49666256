// Figure b: what a cached embedding lookup costs over a bare Hono handler answering the same bytes,
// on loopback with autocannon, side by side in one run: the gateway's cache tiers (auth on), an
// edge-tower miss, float and base64, 1 and 16 inputs per request.
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { type ChildServer, startChildServer } from '../child'
import { round, summarize } from '../stats'
import type { SuiteContext, SuiteResult } from '../suite'
import {
  BENCH_CASE_HEADER,
  type BenchCase,
  benchCases,
  benchTexts,
  type CacheTier,
  freshBody,
  tierLabels,
  tierOptions,
} from './gateway-cases'
import { redisForBench } from './local-redis'
import { startWorkerdGateway } from './workerd-gateway'

const CONNECTIONS = 8

interface RunFigures {
  rps: number
  p50: number
  p99: number
  failures: number
  /** Server process CPU (user + system) per answered request. */
  cpuMicrosPerRequest: number
}

interface Target {
  server: ChildServer
  apiKey?: string
  dataDir?: string
}

const headersFor = (target: Target, benchCase: string): Record<string, string> => ({
  'content-type': 'application/json',
  [BENCH_CASE_HEADER]: benchCase,
  ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}),
})

async function load(
  target: Target,
  seconds: number,
  benchCase: string,
  body: () => string,
): Promise<RunFigures> {
  const headers = headersFor(target, benchCase)
  const cpuBefore = await target.server.cpuMicros()
  const result = await autocannon({
    url: `${target.server.url}/v1/embeddings`,
    method: 'POST',
    headers,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: 'POST', headers, setupRequest: (request) => ({ ...request, body: body() }) }],
  })
  const cpuUsed = (await target.server.cpuMicros()) - cpuBefore
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    cpuMicrosPerRequest: cpuUsed / Math.max(1, result.requests.total),
  }
}

async function probe(target: Target, benchCase: BenchCase) {
  const response = await fetch(`${target.server.url}/v1/embeddings`, {
    method: 'POST',
    headers: headersFor(target, benchCase.name),
    body: benchCase.body,
  })
  const bytes = Buffer.from(await response.arrayBuffer())
  if (!response.ok) throw new Error(`${benchCase.name} answered ${response.status}: ${bytes.toString()}`)
  return { cache: response.headers.get('x-edgeclip-cache') ?? '?', bytes }
}

async function startGateway(context: SuiteContext, tier: CacheTier, redisUrl?: string): Promise<Target> {
  const dataDir = await mkdtemp(join(context.workDir, `gateway-${tier}-`))
  const server = await startChildServer('http-target.ts', [
    'gateway',
    dataDir,
    JSON.stringify(tierOptions(tier, redisUrl)),
  ])
  const apiKey = typeof server.info.apiKey === 'string' ? server.info.apiKey : undefined
  return { server, dataDir, ...(apiKey ? { apiKey } : {}) }
}

const uptime = (): string => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim()
  } catch {
    return 'uptime unavailable'
  }
}

type RowKey = `${CacheTier | 'bare' | 'miss' | 'workerd'}:${string}`

async function measureWorkerd(
  context: SuiteContext,
  seconds: number,
  runs: number,
  record: (key: RowKey, figure: RunFigures) => void,
  notes: string[],
): Promise<void> {
  let workerd: Awaited<ReturnType<typeof startWorkerdGateway>> | undefined
  try {
    workerd = await startWorkerdGateway(context.workDir, benchTexts)
    const { cpuMicros, url, apiKey } = workerd
    const target: Target = { server: { url, info: {}, cpuMicros, stop: async () => 0 }, apiKey }
    for (const benchCase of benchCases) {
      const hit = await probe(target, benchCase)
      if (hit.cache !== 'hit') throw new Error(`workerd ${benchCase.name}: answered cache=${hit.cache}`)
    }
    for (let run = 0; run < runs; run++) {
      context.log(`gateway-overhead: workerd run ${run + 1}/${runs}`)
      for (const benchCase of benchCases)
        record(`workerd:${benchCase.name}`, await load(target, seconds, benchCase.name, () => benchCase.body))
    }
    notes.push(
      'workerd rows: CPU is the workerd process (user + system) per request: an upper bound on Workers-billed CPU per hit, since it also holds workerd HTTP handling, wrangler dev proxy worker and the local KV/Durable Object simulators; vs bare compares with bare Hono on Node.',
    )
  } catch (error) {
    notes.push(`workerd rows left out: ${String(error).slice(0, 300)}`)
  } finally {
    await workerd?.stop()
  }
}

export async function gatewayOverhead(context: SuiteContext): Promise<SuiteResult> {
  const seconds = context.quick ? 3 : 6
  const runs = context.quick ? 1 : 2
  const notes: string[] = [`uptime before: ${uptime()}`]
  const redis = await redisForBench(context.workDir)
  notes.push(
    redis
      ? `Redis: ${redis.source}.`
      : 'Redis: no REDIS_URL and no redis-server binary; Redis rows left out.',
  )
  const tiers: CacheTier[] = redis ? ['l1', 'sqlite', 'redis'] : ['l1', 'sqlite']
  const targets = new Map<CacheTier, Target>()
  const figures = new Map<RowKey, RunFigures[]>()
  const record = (key: RowKey, figure: RunFigures) => figures.set(key, [...(figures.get(key) ?? []), figure])
  let bare: Target | undefined
  const peaks: string[] = []
  const stopTarget = async (tier: CacheTier, target: Target) => {
    peaks.push(`${tier} ${round(await target.server.stop(), 0)} MiB`)
    if (target.dataDir) await rm(target.dataDir, { recursive: true, force: true })
  }
  try {
    for (const tier of tiers) targets.set(tier, await startGateway(context, tier, redis?.url))
    // Fill the cache through the L1 gateway (SQLite and Redis each through their own), then
    // record the bytes each case answers: the bare server replays exactly those.
    const recorded: Record<string, string> = {}
    for (const benchCase of benchCases) {
      for (const tier of tiers) {
        const target = targets.get(tier)!
        await probe(target, benchCase)
        const hit = await probe(target, benchCase)
        if (hit.cache !== 'hit')
          throw new Error(`${tier} ${benchCase.name}: repeat answered cache=${hit.cache}`)
        const reference = recorded[benchCase.name]
        if (reference === undefined) recorded[benchCase.name] = hit.bytes.toString('base64')
        else if (reference !== hit.bytes.toString('base64'))
          notes.push(`${tier} ${benchCase.name}: body differs from the L1 gateway's (same vector expected).`)
      }
    }
    const bodiesFile = join(context.workDir, 'gateway-bodies.json')
    await writeFile(bodiesFile, JSON.stringify(recorded))
    bare = { server: await startChildServer('http-target.ts', ['bare', bodiesFile]) }
    let sequence = 0
    for (let run = 0; run < runs; run++) {
      context.log(`gateway-overhead: run ${run + 1}/${runs} (${seconds} s per row)`)
      // Each case's rows back to back, so machine drift lands on them alike.
      for (const benchCase of benchCases) {
        record(`bare:${benchCase.name}`, await load(bare, seconds, benchCase.name, () => benchCase.body))
        for (const tier of tiers)
          record(
            `${tier}:${benchCase.name}`,
            await load(targets.get(tier)!, seconds, benchCase.name, () => benchCase.body),
          )
        if (benchCase.encoding === 'float') {
          const fresh = () => freshBody(sequence++, benchCase.inputs)
          record(`miss:${benchCase.name}`, await load(targets.get('l1')!, seconds, benchCase.name, fresh))
        }
      }
    }
    // Workers: after the Node processes are gone, so workerd does not share the cores with them.
    for (const [tier, target] of targets) await stopTarget(tier, target)
    targets.clear()
    await measureWorkerd(context, seconds, runs, record, notes)
  } finally {
    for (const [tier, target] of targets) await stopTarget(tier, target)
    if (bare) peaks.push(`bare ${round(await bare.server.stop(), 0)} MiB`)
    notes.push(`Peak RSS per server process: ${peaks.join(', ')}.`)
    await rm(join(context.workDir, 'gateway-bodies.json'), { force: true })
    await redis?.stop()
  }
  const median = (key: RowKey, pick: (figure: RunFigures) => number) =>
    summarize((figures.get(key) ?? []).map(pick)).median
  const rows = benchCases.flatMap((benchCase) => {
    const bareRps = median(`bare:${benchCase.name}`, (figure) => figure.rps)
    const bareCpu = median(`bare:${benchCase.name}`, (figure) => figure.cpuMicrosPerRequest)
    const kinds = [
      'bare',
      ...tiers,
      ...(benchCase.encoding === 'float' ? (['miss'] as const) : []),
      ...(figures.has(`workerd:${benchCase.name}`) ? (['workerd'] as const) : []),
    ] as const
    return kinds.map((kind) => {
      const key: RowKey = `${kind}:${benchCase.name}`
      const rps = summarize((figures.get(key) ?? []).map((figure) => figure.rps))
      return {
        path: kind,
        encoding: benchCase.encoding,
        inputs: benchCase.inputs,
        'req/s': round(rps.median, 0),
        'req/s iqr': round(rps.iqr, 0),
        'p50 ms': round(
          median(key, (figure) => figure.p50),
          1,
        ),
        'p99 ms': round(
          median(key, (figure) => figure.p99),
          1,
        ),
        'vs bare': round(rps.median / bareRps, 3),
        'server CPU µs/req': round(
          median(key, (figure) => figure.cpuMicrosPerRequest),
          0,
        ),
        'CPU: bare/this': round(bareCpu / median(key, (figure) => figure.cpuMicrosPerRequest), 3),
        failures: (figures.get(key) ?? []).reduce((sum, figure) => sum + figure.failures, 0),
        runs: rps.n,
      }
    })
  })
  notes.push(
    ...Object.entries(tierLabels).map(([kind, label]) => `${kind}: ${label}.`),
    `Hit rows also use the gateway's L0 memo (exact text -> token ids + key) and its encoded-fragment cache; the cache tier is still read on every request.`,
    `${CONNECTIONS} connections, ${seconds} s per row, medians over ${runs} run(s); autocannon runs in the bench process, each server in its own, all on the same shared cores.`,
    `server CPU µs/req: the server process's user+system CPU over the row divided by the requests answered (includes its GC and idle polling); CPU: bare/this is the req/s ratio the two would reach on one free core each, the figure least moved by other load on a shared machine.`,
    `vs bare: against bare Hono answering that row's case (same encoding and input count) in the same run; a miss is compared with the bare float row of its input count.`,
    `uptime after: ${uptime()}`,
  )
  return {
    name: 'gateway-overhead',
    title: 'b. Cached lookups vs bare Hono on loopback (Node host, fixture model, auth on)',
    model: 'fixture text model (testkit); misses on the in-process edge tower (onnxruntime-node, fp32)',
    tables: [{ title: 'throughput and latency per path, encoding and inputs per request', rows }],
    notes,
  }
}
