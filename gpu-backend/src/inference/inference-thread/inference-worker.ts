// Worker thread: owns every WebGPU session of the process and runs one request at a time. WebGPU's
// session.run blocks the thread it runs on, and two threads each holding a WebGPU session crash the
// process, so the backend keeps exactly one of these and feeds it from the batchers.
import { parentPort } from 'node:worker_threads'
import type { TensorValue } from '@edgeclip/core'
import { createPlacedSession, type PlacedSession } from '../../providers/ort-session'
import type { ThreadReply, ThreadRequest } from './protocol'

const sessions = new Map<number, PlacedSession>()
let nextSession = 0

async function handle(request: ThreadRequest): Promise<{ reply: ThreadReply; transfer: ArrayBuffer[] }> {
  const { id } = request
  switch (request.type) {
    case 'create': {
      const session = await createPlacedSession(request.model, request.options)
      const sessionId = nextSession++
      sessions.set(sessionId, session)
      const { inputNames, outputNames } = session
      return {
        reply: { id, sessionId, inputNames: [...inputNames], outputNames: [...outputNames] },
        transfer: [],
      }
    }
    case 'run': {
      const outputs = await sessionOf(request.sessionId).run(request.feeds)
      const transfer: ArrayBuffer[] = []
      const copied: Record<string, TensorValue> = {}
      for (const [name, value] of Object.entries(outputs)) {
        // ORT may own an output's memory; a copy is ours to hand over without a second copy.
        const data = value.data.slice()
        transfer.push(data.buffer as ArrayBuffer)
        copied[name] = { ...value, data }
      }
      return { reply: { id, outputs: copied }, transfer }
    }
    case 'placement':
      return { reply: { id, placement: await sessionOf(request.sessionId).placement() }, transfer: [] }
    case 'release':
      await sessionOf(request.sessionId).release()
      sessions.delete(request.sessionId)
      return { reply: { id }, transfer: [] }
  }
}

function sessionOf(sessionId: number): PlacedSession {
  const session = sessions.get(sessionId)
  if (!session) throw new Error(`no session ${sessionId} on the inference thread`)
  return session
}

let previous: Promise<void> = Promise.resolve()
parentPort!.on('message', (request: ThreadRequest) => {
  previous = previous.then(async () => {
    try {
      const { reply, transfer } = await handle(request)
      parentPort!.postMessage(reply, transfer)
    } catch (error) {
      parentPort!.postMessage({
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
      })
    }
  })
})
