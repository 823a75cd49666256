// A server for the gateway-overhead suite, in its own process so its peak RSS is its own.
// usage: http-target.ts gateway <dataDir> <optionsJson> | http-target.ts bare <bodiesJsonFile>
// Prints {"url", "apiKey"?} once listening, {"cpuMicros"} per `cpu` line on stdin, then
// {"peakRssMiB"} and exits when stdin closes.

import { Buffer } from 'node:buffer'
import { readFile } from 'node:fs/promises'
import { createApiKey } from '@edgeclip/core'
import { SqliteKeyStore } from '@edgeclip/gateway/adapters/node'
import { loadNodeModel, readNodeSettings, startNodeGateway } from '@edgeclip/gateway/node'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { peakRssMiB } from '../child'
import { BENCH_CASE_HEADER } from '../suites/gateway-cases'
import type { GatewayTargetOptions } from './gateway-target-options'

interface Target {
  url: string
  apiKey?: string
  close: () => Promise<void>
}

const [mode, first, second] = process.argv.slice(2)

async function startGateway(dataDir: string, options: GatewayTargetOptions): Promise<Target> {
  let apiKey: string | undefined
  if (options.auth) {
    const store = new SqliteKeyStore(dataDir)
    const created = await createApiKey('bench')
    await store.create(created.record)
    store.close()
    apiKey = created.key
  }
  const settings = readNodeSettings({
    PORT: '0',
    EDGECLIP_MODEL: 'fixture',
    EDGECLIP_DATA_DIR: dataDir,
    EDGECLIP_AUTH: options.auth ? 'on' : 'off',
    BACKEND_URL: 'off',
    EDGECLIP_MEMORY_CACHE_BYTES: String(options.memoryCacheBytes),
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    // Limits stay on (they are charged per request) but so high that no request is refused.
    EDGECLIP_RPM: String(1e9),
    EDGECLIP_TPM: String(1e12),
  })
  const model = await loadNodeModel({ kind: 'fixture' })
  const gateway = await startNodeGateway({ settings, model, log: () => {} })
  return { url: gateway.url, ...(apiKey ? { apiKey } : {}), close: () => gateway.close() }
}

async function startBare(bodiesFile: string): Promise<Target> {
  // {case: base64 of the bytes the gateway answered for that case}
  const recorded = JSON.parse(await readFile(bodiesFile, 'utf8')) as Record<string, string>
  const bodies = new Map(
    Object.entries(recorded).map(([name, bytes]) => [name, Buffer.from(bytes, 'base64')]),
  )
  const app = new Hono()
  // Reads the request body as the gateway must, then answers the very bytes the gateway answered.
  app.post('/v1/embeddings', async (context) => {
    await context.req.arrayBuffer()
    const body = bodies.get(context.req.header(BENCH_CASE_HEADER) ?? '')
    if (!body) return context.text('unknown bench case', 400)
    return context.body(new Uint8Array(body), 200, { 'content-type': 'application/json' })
  })
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started))
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

if (!first || (mode !== 'gateway' && mode !== 'bare'))
  throw new Error('usage: http-target.ts gateway DIR OPTIONS_JSON | bare BODIES_JSON')
const target =
  mode === 'gateway'
    ? await startGateway(first, JSON.parse(second ?? '{}') as GatewayTargetOptions)
    : await startBare(first)
process.stdout.write(`${JSON.stringify({ url: target.url, apiKey: target.apiKey })}\n`)
// CPU time is this process's alone: on a shared machine it varies far less than req/s does.
process.stdin.setEncoding('utf8').on('data', (chunk: string) => {
  for (const line of chunk.split('\n')) {
    if (line.trim() !== 'cpu') continue
    const { user, system } = process.cpuUsage()
    process.stdout.write(`${JSON.stringify({ cpuMicros: user + system })}\n`)
  }
})
process.stdin.on('end', async () => {
  await target.close()
  process.stdout.write(`${JSON.stringify({ peakRssMiB: peakRssMiB() })}\n`)
  process.exit(0)
})
