// Where a cache hit's CPU goes: starts the bench gateway (auth on) under `node --cpu-prof`, loads it
// with one request body, and leaves the .cpuprofile in the given directory (open it in Chrome
// DevTools, Performance tab; the last `--seconds` of it are the load).
// usage: pnpm --filter @edgeclip/bench exec tsx src/profile-cache-hit.ts [--dir D] [--seconds N]
//        [--tier l1|sqlite] [--body JSON]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { startChildServer } from './child'
import { tierOptions } from './suites/gateway-cases'

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: join(tmpdir(), 'edgeclip-cache-hit-profile') },
    seconds: { type: 'string', default: '5' },
    tier: { type: 'string', default: 'l1' },
    body: { type: 'string', default: JSON.stringify({ input: 'a photo of a cat' }) },
  },
})
const tier = values.tier === 'sqlite' ? 'sqlite' : 'l1'
const dataDir = await mkdtemp(join(tmpdir(), 'edgeclip-profile-'))
const server = await startChildServer(
  'http-target.ts',
  ['gateway', dataDir, JSON.stringify(tierOptions(tier))],
  {
    ...process.env,
    NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${values.dir}`,
  },
)
const headers = {
  'content-type': 'application/json',
  authorization: `Bearer ${String(server.info.apiKey)}`,
}
try {
  const url = `${server.url}/v1/embeddings`
  // The first call fills the cache; the load is all hits.
  const first = await fetch(url, { method: 'POST', headers, body: values.body })
  if (!first.ok) throw new Error(`gateway answered ${first.status}: ${await first.text()}`)
  const result = await autocannon({
    url,
    method: 'POST',
    headers,
    body: values.body,
    connections: 8,
    duration: Number(values.seconds),
  })
  console.log(
    JSON.stringify({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 }),
  )
} finally {
  await server.stop()
  await rm(dataDir, { recursive: true, force: true })
}
console.error(`profiles in ${values.dir}`)
