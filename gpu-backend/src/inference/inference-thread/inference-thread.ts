// The main thread's side of the inference thread: sessions that look like any other OnnxSession to
// the towers (so the batchers feed them unchanged) but run on the one worker that owns them, off the
// event loop. Requests are answered in order; a thread that dies fails everything waiting on it.
import { Worker } from 'node:worker_threads'
import type { TensorValue } from '@edgeclip/core'
import type { PlacedSession, PlacedSessionOptions } from '../../providers/ort-session'
import type { NodePlacement } from '../../providers/placement'
import { workerExecArgv } from '../image-pool/image-worker-pool'
import type { ThreadReply, ThreadRequest } from './protocol'

type Pending = { resolve: (reply: ThreadReply) => void; reject: (error: Error) => void }
type Request = ThreadRequest extends infer R ? (R extends ThreadRequest ? Omit<R, 'id'> : never) : never

export class InferenceThread {
  readonly #worker: Worker
  readonly #pending = new Map<number, Pending>()
  #nextId = 0
  #failure: Error | undefined

  constructor() {
    this.#worker = new Worker(new URL('./inference-worker.ts', import.meta.url), {
      execArgv: workerExecArgv(),
    })
    this.#worker.on('message', (reply: ThreadReply) => {
      const pending = this.#pending.get(reply.id)
      if (!pending) return
      this.#pending.delete(reply.id)
      if ('error' in reply) pending.reject(new Error(reply.error))
      else pending.resolve(reply)
    })
    const fail = (error: Error) => {
      this.#failure ??= error
      for (const pending of this.#pending.values()) pending.reject(error)
      this.#pending.clear()
    }
    this.#worker.on('error', fail)
    this.#worker.on('exit', (code) => fail(new Error(`the inference thread exited (code ${code})`)))
  }

  #request(request: Request, transfer: ArrayBuffer[] = []): Promise<ThreadReply> {
    if (this.#failure) return Promise.reject(this.#failure)
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#worker.postMessage({ ...request, id }, transfer)
    })
  }

  async createSession(model: Uint8Array, options: PlacedSessionOptions): Promise<PlacedSession> {
    // A copy goes over: the caller may keep its bytes (the CPU fallback reads the same variant).
    const reply = (await this.#request({ type: 'create', model: model.slice(), options })) as {
      sessionId: number
      inputNames: string[]
      outputNames: string[]
    }
    const { sessionId } = reply
    return {
      inputNames: reply.inputNames,
      outputNames: reply.outputNames,
      run: async (feeds) => {
        // postMessage copies the feeds; moving them would save that copy, but the port never said
        // the caller is done with its arrays.
        const answer = await this.#request({ type: 'run', sessionId, feeds })
        return (answer as { outputs: Record<string, TensorValue> }).outputs
      },
      placement: async () => {
        const answer = await this.#request({ type: 'placement', sessionId })
        return (answer as { placement: NodePlacement | undefined }).placement
      },
      release: async () => {
        if (this.#failure) return
        await this.#request({ type: 'release', sessionId })
      },
    }
  }

  /** Ends the thread; its sessions must have been released (terminate frees the rest anyway). */
  async close(): Promise<void> {
    await this.#worker.terminate()
  }
}
