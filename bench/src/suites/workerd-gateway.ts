// The gateway Worker in real workerd (`wrangler dev --local`: KV, the rate-limit Durable Object and
// the fixture model as deployed), its KV seeded through `wrangler kv bulk put` with an API key and
// the bench texts' rows, so every request is an authenticated cache hit. CPU is the workerd
// process's own (user + system) from /proc: an upper bound on what Workers bills, since it also
// counts workerd's HTTP handling and the local KV/DO simulators' work inside the process.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createApiKey, fixtureModelSpec, textCacheKey, WordPieceTokenizer } from '@edgeclip/core'
import { IN_PROCESS_EDGE_NUMERICS } from '@edgeclip/gateway'
import { freePort } from '@edgeclip/testkit'

const gatewayDir = fileURLToPath(new URL('../../../workers/gateway/', import.meta.url))
const wrangler = join(gatewayDir, 'node_modules/.bin/wrangler')
const STARTUP_TIMEOUT_MS = 120_000
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' }

export interface WorkerdGateway {
  url: string
  apiKey: string
  cpuMicros(): Promise<number>
  stop(): Promise<void>
}

/** The Node gateway's vector for each text is not needed: any finite row of the model's width is a hit. */
function seededRow(index: number): Float32Array {
  const row = new Float32Array(fixtureModelSpec.dimensions)
  for (let dimension = 0; dimension < row.length; dimension++)
    row[dimension] = Math.sin(index * 31 + dimension)
  return row
}

async function bulkPut(binding: string, persistDir: string, entries: object[], file: string): Promise<void> {
  await writeFile(file, JSON.stringify(entries))
  execFileSync(
    wrangler,
    ['kv', 'bulk', 'put', file, '--binding', binding, '--local', '--persist-to', persistDir],
    {
      cwd: gatewayDir,
      env,
      stdio: 'ignore',
    },
  )
}

function descendants(pid: number): number[] {
  let listed = ''
  try {
    listed = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
  } catch {
    // ps exits 1 when the process has no children.
  }
  const children = listed
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((child) => child > 0)
  return children.flatMap((child) => [child, ...descendants(child)])
}

async function processCpuMicros(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

export async function startWorkerdGateway(
  workDir: string,
  texts: readonly string[],
): Promise<WorkerdGateway> {
  execFileSync(join(gatewayDir, 'node_modules/.bin/tsx'), ['src/workers/fixture/write-fixture-files.ts'], {
    cwd: gatewayDir,
    stdio: 'ignore',
  })
  const persistDir = join(workDir, 'wrangler-state')
  // Limits stay on (the Durable Object is asked on every request) but never refuse.
  const { key: apiKey, record } = await createApiKey('bench', {
    requestsPerMinute: 1e9,
    tokensPerMinute: 1e12,
  })
  await bulkPut(
    'KEYS',
    persistDir,
    [
      { key: `apikey:hash:${record.hash}`, value: JSON.stringify(record) },
      { key: `apikey:id:${record.id}`, value: record.hash },
    ],
    join(workDir, 'keys.json'),
  )
  const vocab = await readFile(join(gatewayDir, 'src/workers/fixture/vocab.txt'), 'utf8')
  const tokenizer = WordPieceTokenizer.fromVocab(vocab, fixtureModelSpec.tokenizer)
  // Keyed as the Workers gateway keys them: the bundled fixture tower's hash and its numerics.
  const model = await readFile(join(gatewayDir, 'src/workers/fixture/text_model.onnx'))
  const tower = {
    weights: createHash('sha256').update(model).digest('hex'),
    numerics: IN_PROCESS_EDGE_NUMERICS,
  }
  const rows = await Promise.all(
    texts.map(async (text, index) => {
      const key = await textCacheKey({ spec: fixtureModelSpec, tower }, tokenizer.encode(text).ids)
      const bytes = new Uint8Array(seededRow(index).buffer)
      return { key: `emb:${key}`, value: Buffer.from(bytes).toString('base64'), base64: true }
    }),
  )
  await bulkPut('CACHE', persistDir, rows, join(workDir, 'rows.json'))
  const port = await freePort()
  const child: ChildProcess = spawn(
    wrangler,
    ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persistDir],
    { cwd: gatewayDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // Its own process group: wrangler, its esbuild and workerd go together.
  const stop = async () => {
    process.kill(-child.pid!, 'SIGTERM')
    await exited
    for (const path of [persistDir, join(workDir, 'keys.json'), join(workDir, 'rows.json')])
      await rm(path, { recursive: true, force: true })
  }
  try {
    return await attach(child, port, apiKey, stop)
  } catch (error) {
    await stop()
    throw error
  }
}

async function attach(
  child: ChildProcess,
  port: number,
  apiKey: string,
  stop: () => Promise<void>,
): Promise<WorkerdGateway> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('wrangler dev did not start in time')),
      STARTUP_TIMEOUT_MS,
    )
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('Ready on')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.stderr?.resume()
    child.once('exit', (code) => reject(new Error(`wrangler dev exited with ${code}`)))
  })
  const workerd = descendants(child.pid!).find((pid) => {
    try {
      return execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).trim() === 'workerd'
    } catch {
      return false
    }
  })
  if (workerd === undefined) throw new Error('no workerd process under wrangler dev')
  return { url: `http://127.0.0.1:${port}`, apiKey, cpuMicros: () => processCpuMicros(workerd), stop }
}
