// Isolate memory read the way Cloudflare counts it, through workerd's V8 inspector (one target per
// Worker): the JS heap after a full GC (a heap snapshot collects first) plus every ArrayBuffer
// backing store, WebAssembly.Memory included. Runtime.getHeapUsage alone leaves WebAssembly.Memory
// out; the snapshot's "system / JSArrayBufferData" nodes hold both, so their sum is added to the
// JS heap. The `ws` package talks CDP: the inspector sends snapshots as many chunked messages.
import WebSocket from 'ws'

const ARRAY_BUFFER_DATA = 'system / JSArrayBufferData'

export interface IsolateMemory {
  /** V8's used JS heap right after the snapshot's GC. */
  jsHeapBytes: number
  /** Every live ArrayBuffer's backing store: WebAssembly.Memory, model bytes, tensors. */
  arrayBufferBytes: number
  /** The biggest single backing store (WebAssembly.Memory, once a session exists). */
  largestBufferBytes: number
  /** jsHeapBytes + arrayBufferBytes: the figure held against the 128 MB isolate limit. */
  isolateBytes: number
}

interface Pending {
  resolve(result: unknown): void
  reject(error: Error): void
}

export class InspectorSession {
  readonly #socket: WebSocket
  readonly #pending = new Map<number, Pending>()
  #nextId = 1
  #chunks: string[] = []

  private constructor(socket: WebSocket) {
    this.#socket = socket
    socket.on('message', (data) => this.#receive(String(data)))
    socket.on('close', () => {
      for (const pending of this.#pending.values()) pending.reject(new Error('inspector closed'))
      this.#pending.clear()
    })
  }

  static async connect(url: string): Promise<InspectorSession> {
    // Snapshots of a 100 MiB isolate run to tens of MB of JSON in chunks: no payload cap.
    const socket = new WebSocket(url, { maxPayload: 0 })
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return new InspectorSession(socket)
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject })
      this.#socket.send(JSON.stringify({ id, method, params }))
    })
  }

  #receive(text: string): void {
    const message = JSON.parse(text) as {
      id?: number
      method?: string
      params?: { chunk?: string }
      result?: unknown
      error?: { message: string }
    }
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk') {
      this.#chunks.push(message.params?.chunk ?? '')
      return
    }
    if (message.id === undefined) return
    const pending = this.#pending.get(message.id)
    if (!pending) return
    this.#pending.delete(message.id)
    if (message.error) pending.reject(new Error(`inspector: ${message.error.message}`))
    else pending.resolve(message.result)
  }

  /** One snapshot: V8 collects garbage first, so the figures are what the isolate really holds. */
  async memory(): Promise<IsolateMemory> {
    this.#chunks = []
    await this.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false })
    const buffers = arrayBufferData(this.#chunks.join(''))
    this.#chunks = []
    const usage = await this.send<{ usedSize: number }>('Runtime.getHeapUsage')
    return {
      jsHeapBytes: usage.usedSize,
      arrayBufferBytes: buffers.total,
      largestBufferBytes: buffers.largest,
      isolateBytes: usage.usedSize + buffers.total,
    }
  }

  close(): void {
    this.#socket.close()
  }
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[] } }
  nodes: number[]
  strings: string[]
}

/** Sum and largest of the snapshot's ArrayBuffer backing stores. */
function arrayBufferData(json: string): { total: number; largest: number } {
  const snapshot = JSON.parse(json) as HeapSnapshot
  const fields = snapshot.snapshot.meta.node_fields
  const stride = fields.length
  const nameField = fields.indexOf('name')
  const sizeField = fields.indexOf('self_size')
  const name = snapshot.strings.indexOf(ARRAY_BUFFER_DATA)
  let total = 0
  let largest = 0
  for (let node = 0; node < snapshot.nodes.length; node += stride) {
    if (snapshot.nodes[node + nameField] !== name) continue
    const size = snapshot.nodes[node + sizeField]!
    total += size
    largest = Math.max(largest, size)
  }
  return { total, largest }
}

/** The inspector's targets (one per Worker), by Worker name. */
export async function inspectorTargets(inspectorUrl: string): Promise<Map<string, string>> {
  const base = inspectorUrl.replace(/^ws/, 'http').replace(/\/$/, '')
  const targets = (await (await fetch(`${base}/json/list`)).json()) as {
    title?: string
    id?: string
    webSocketDebuggerUrl: string
  }[]
  return new Map(targets.map((target) => [target.title ?? target.id ?? '', target.webSocketDebuggerUrl]))
}

/** The worst sample of one isolate over a phase. */
export interface PhasePeak {
  samples: number
  peak: IsolateMemory
}

/**
 * Snapshots every isolate over and over while `work` runs, and once more after it: the worst of
 * them per isolate. A snapshot waits for the isolate's next pause (an await: an R2 read, a hop),
 * so this sees what is held across awaits, not inside one synchronous stretch of WASM.
 */
export async function sampleDuring<T>(
  sessions: ReadonlyMap<string, InspectorSession>,
  work: () => Promise<T>,
): Promise<{ result: T; peaks: Map<string, PhasePeak> }> {
  let done = false
  const peaks = new Map<string, PhasePeak>()
  const sampleOnce = async (name: string, session: InspectorSession) => {
    const memory = await session.memory()
    const current = peaks.get(name)
    if (!current) peaks.set(name, { samples: 1, peak: memory })
    else {
      current.samples++
      if (memory.isolateBytes > current.peak.isolateBytes) current.peak = memory
    }
  }
  const loops = [...sessions].map(async ([name, session]) => {
    while (!done) await sampleOnce(name, session)
  })
  try {
    const result = await work()
    return { result, peaks }
  } finally {
    done = true
    await Promise.all(loops)
    await Promise.all([...sessions].map(([name, session]) => sampleOnce(name, session)))
  }
}
