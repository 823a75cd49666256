// Runs edge-part Workers inside real workerd (the binary wrangler and Miniflare use, driven by a
// capnp config) and reads the process's memory from /proc: workerd exposes no isolate heap figure
// to scripts, so peak RSS over an idle baseline is the measure, next to the WASM heap the script
// reports from inside. One process per measurement keeps each figure to the Workers it holds.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@edgeclip/testkit'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const workerdBinary = (require('workerd') as { default: string }).default
/** The gateway's compatibility date (workers/gateway/wrangler.jsonc). */
const COMPATIBILITY_DATE = '2026-11-01'
const STARTUP_TIMEOUT_MS = 30_000

let bundled: Promise<{ script: string; wasm: Uint8Array }> | undefined

/** The worker bundled as wrangler would (workerd conditions), with ORT's .wasm as a separate module. */
export function bundleWorker(): Promise<{ script: string; wasm: Uint8Array }> {
  bundled ??= (async () => {
    const result = await build({
      entryPoints: [join(here, 'worker', 'edge-part-worker.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      external: ['./ort.wasm'],
      target: 'es2022',
      write: false,
      logLevel: 'error',
    })
    const wasmPath = join(dirname(require.resolve('onnxruntime-web/wasm')), 'ort-wasm-simd-threaded.wasm')
    return { script: result.outputFiles[0]!.text, wasm: new Uint8Array(await readFile(wasmPath)) }
  })()
  return bundled
}

export interface WorkerSpec {
  name: string
  /** `single:<file>` or `edge:<dir>:<part>`. */
  model: string
  next?: string
}

export interface WorkerdHost {
  fetch(worker: string, path: string, body?: Uint8Array<ArrayBuffer>): Promise<Response>
  /** Current and peak resident memory of the workerd process, bytes. */
  memory(): Promise<{ rss: number; peak: number }>
  dispose(): Promise<void>
}

const capnpString = (value: string) => JSON.stringify(value)

function capnpConfig(workers: readonly WorkerSpec[], ports: readonly number[], modelUrl: string): string {
  const services = workers.map(
    (worker, index) => `(name = ${capnpString(worker.name)}, worker = .worker${index})`,
  )
  const sockets = workers.map(
    (worker, index) =>
      `(name = ${capnpString(`s_${worker.name}`)}, address = "127.0.0.1:${ports[index]}", http = (), service = ${capnpString(worker.name)})`,
  )
  const definitions = workers.map((worker, index) => {
    const bindings = [
      `(name = "MODEL_URL", text = ${capnpString(modelUrl)})`,
      `(name = "MODEL", text = ${capnpString(worker.model)})`,
      ...(worker.next ? [`(name = "NEXT", service = ${capnpString(worker.next)})`] : []),
    ]
    return `const worker${index} :Workerd.Worker = (
  modules = [(name = "worker.mjs", esModule = embed "worker.mjs"), (name = "ort.wasm", wasm = embed "ort.wasm")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  bindings = [${bindings.join(', ')}],
  globalOutbound = "loopback",
);`
  })
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [${[...services, '(name = "loopback", network = (allow = ["local", "private", "public"]))'].join(', ')}],
  sockets = [${sockets.join(', ')}],
  # gc() lets the harness read memory after garbage collection, as the isolate's steady state.
  v8Flags = ["--expose-gc"],
);
${definitions.join('\n')}
`
}

async function statusBytes(pid: number, field: string): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`workerd exited (${child.exitCode}): ${output()}`)
    const up = await fetch(`${url}/ping`).then(
      (response) => response.ok,
      () => false,
    )
    if (up) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`workerd did not start within ${STARTUP_TIMEOUT_MS} ms: ${output()}`)
}

export async function startWorkerd(workers: readonly WorkerSpec[], modelUrl: string): Promise<WorkerdHost> {
  const { script, wasm } = await bundleWorker()
  const dir = await mkdtemp(join(here, '..', 'results', 'tmp', 'workerd-'))
  await mkdir(dir, { recursive: true })
  const ports: number[] = []
  for (const _ of workers) ports.push(await freePort())
  await writeFile(join(dir, 'worker.mjs'), script)
  await writeFile(join(dir, 'ort.wasm'), wasm)
  await writeFile(join(dir, 'config.capnp'), capnpConfig(workers, ports, modelUrl))
  let output = ''
  const child = spawn(workerdBinary, ['serve', join(dir, 'config.capnp'), '--experimental'], {
    stdio: 'pipe',
  })
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000)
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000)
  })
  const urls = new Map(workers.map((worker, index) => [worker.name, `http://127.0.0.1:${ports[index]}`]))
  try {
    for (const url of urls.values()) await waitUntilUp(url, child, () => output)
  } catch (error) {
    child.kill()
    throw error
  }
  const pid = child.pid!
  return {
    fetch: (worker, path, body) =>
      fetch(`${urls.get(worker)}${path}`, { method: body ? 'POST' : 'GET', ...(body ? { body } : {}) }),
    async memory() {
      return { rss: await statusBytes(pid, 'VmRSS'), peak: await statusBytes(pid, 'VmHWM') }
    },
    async dispose() {
      if (process.env.EDGE_FIT_DEBUG) console.error(output)
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill()
      await exited
      await rm(dir, { recursive: true, force: true })
    },
  }
}
