// A fixed pool of image worker threads; each job goes to the worker with the fewest in flight.
// Errors come back as plain data and are rebuilt as EdgeclipError, so an item's 4xx survives.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { EdgeclipError, type ImageSpec } from '@edgeclip/core'
import type { ImageJob, ImageJobResult, ImageWorkerData } from './image-worker'

export interface ImageWorkerPoolOptions {
  threads: number
  spec: ImageSpec
  maxPixels: number
}

interface PoolWorker {
  worker: Worker
  pending: Map<number, { resolve: (tensor: Float32Array) => void; reject: (error: unknown) => void }>
}

/** The worker runs from TypeScript source, so it needs the tsx loader wherever this module does. */
function workerExecArgv(): string[] {
  if (!import.meta.url.endsWith('.ts')) return process.execArgv
  const loader = createRequire(import.meta.url).resolve('tsx')
  return ['--import', pathToFileURL(loader).href]
}

export class ImageWorkerPool {
  readonly #workers: PoolWorker[]
  #nextId = 0
  #closed = false

  readonly #workerData: ImageWorkerData
  readonly #execArgv = workerExecArgv()

  constructor({ threads, spec, maxPixels }: ImageWorkerPoolOptions) {
    this.#workerData = { spec, maxPixels }
    this.#workers = Array.from({ length: threads }, () => this.#spawn())
  }

  #spawn(): PoolWorker {
    const worker = new Worker(new URL('./image-worker.ts', import.meta.url), {
      workerData: this.#workerData,
      execArgv: this.#execArgv,
    })
    const entry: PoolWorker = { worker, pending: new Map() }
    worker.on('message', (result: ImageJobResult) => {
      const job = entry.pending.get(result.id)
      if (!job) return
      entry.pending.delete(result.id)
      if (entry.pending.size === 0) worker.unref()
      if ('tensor' in result) job.resolve(result.tensor)
      else job.reject(new EdgeclipError(result.error.message, result.error))
    })
    const fail = (error: unknown) => {
      for (const job of entry.pending.values()) job.reject(error)
      entry.pending.clear()
    }
    worker.on('error', fail)
    // A crashed worker is replaced, so one poisonous image cannot shrink the pool for good.
    worker.on('exit', (code) => {
      fail(new Error(`image worker exited with code ${code}`))
      const index = this.#workers.indexOf(entry)
      if (!this.#closed && index >= 0) this.#workers[index] = this.#spawn()
    })
    // A worker keeps the process alive only while it has jobs, never once everything is done.
    worker.unref()
    return entry
  }

  /** Decodes and preprocesses one image into a CHW float32 tensor. */
  prepare(bytes: Uint8Array): Promise<Float32Array> {
    if (this.#closed) return Promise.reject(new Error('the image worker pool is closed'))
    const entry = this.#workers.reduce((least, candidate) =>
      candidate.pending.size < least.pending.size ? candidate : least,
    )
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      entry.pending.set(id, { resolve, reject })
      entry.worker.ref()
      entry.worker.postMessage({ id, bytes } satisfies ImageJob)
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()))
  }
}
