// A fixed pool of image worker threads fed from one queue here, one job per thread at a time: a job
// whose request went away is dropped before it starts, and an idle thread takes the next job.
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
  /** Called for each job dropped before it started because its signal aborted. */
  onCancelled?: () => void
}

interface Job {
  bytes: Uint8Array
  resolve: (tensor: Float32Array) => void
  reject: (error: unknown) => void
  /** Detaches the abort listener once the job leaves the queue. */
  detach: () => void
}

interface PoolWorker {
  worker: Worker
  current: { id: number; job: Job } | undefined
}

/** The worker runs from TypeScript source, so it needs the tsx loader wherever this module does. */
export function workerExecArgv(): string[] {
  if (!import.meta.url.endsWith('.ts')) return process.execArgv
  const loader = createRequire(import.meta.url).resolve('tsx')
  return ['--import', pathToFileURL(loader).href]
}

export class ImageWorkerPool {
  readonly #workers: PoolWorker[]
  readonly #waiting: Job[] = []
  readonly #onCancelled: (() => void) | undefined
  #nextId = 0
  #closed = false

  readonly #workerData: ImageWorkerData
  readonly #execArgv = workerExecArgv()

  constructor({ threads, spec, maxPixels, onCancelled }: ImageWorkerPoolOptions) {
    this.#workerData = { spec, maxPixels }
    this.#onCancelled = onCancelled
    this.#workers = Array.from({ length: threads }, () => this.#spawn())
  }

  /** Images waiting for a thread (started ones excluded). */
  get depth(): number {
    return this.#waiting.length
  }

  #spawn(): PoolWorker {
    const worker = new Worker(new URL('./image-worker.ts', import.meta.url), {
      workerData: this.#workerData,
      execArgv: this.#execArgv,
    })
    const entry: PoolWorker = { worker, current: undefined }
    worker.on('message', (result: ImageJobResult) => {
      if (entry.current?.id !== result.id) return
      const { job } = entry.current
      entry.current = undefined
      // A worker keeps the process alive only while it has a job, never once everything is done.
      worker.unref()
      if ('tensor' in result) job.resolve(result.tensor)
      else job.reject(new EdgeclipError(result.error.message, result.error))
      this.#dispatch()
    })
    const fail = (error: unknown) => {
      const job = entry.current?.job
      entry.current = undefined
      job?.reject(error)
    }
    worker.on('error', fail)
    // A crashed worker is replaced, so one poisonous image cannot shrink the pool for good.
    worker.on('exit', (code) => {
      fail(new Error(`image worker exited with code ${code}`))
      const index = this.#workers.indexOf(entry)
      if (!this.#closed && index >= 0) {
        this.#workers[index] = this.#spawn()
        this.#dispatch()
      }
    })
    worker.unref()
    return entry
  }

  /** Decodes and preprocesses one image into a CHW float32 tensor; `signal` drops it while it waits. */
  prepare(bytes: Uint8Array, signal?: AbortSignal): Promise<Float32Array> {
    if (this.#closed) return Promise.reject(new Error('the image worker pool is closed'))
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const job: Job = { bytes, resolve, reject, detach: () => {} }
      if (signal) {
        const cancel = () => {
          const index = this.#waiting.indexOf(job)
          if (index < 0) return
          this.#waiting.splice(index, 1)
          this.#onCancelled?.()
          reject(signal.reason)
        }
        signal.addEventListener('abort', cancel, { once: true })
        job.detach = () => signal.removeEventListener('abort', cancel)
      }
      this.#waiting.push(job)
      this.#dispatch()
    })
  }

  #dispatch(): void {
    for (const entry of this.#workers) {
      if (entry.current) continue
      const job = this.#waiting.shift()
      if (!job) return
      job.detach()
      const id = this.#nextId++
      entry.current = { id, job }
      entry.worker.ref()
      entry.worker.postMessage({ id, bytes: job.bytes } satisfies ImageJob)
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const job of this.#waiting.splice(0)) {
      job.detach()
      job.reject(new Error('the image worker pool is closed'))
    }
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()))
  }
}
