import type { TextTower } from '@edgeclip/core'
import { describe, expect, it, vi } from 'vitest'
import { resolveGatewayConfig } from '../config'
import { StageTimings } from '../middleware/timing'
import { EdgeQueue, EdgeQueueFullError, edgeQueueFor, embedRequest } from '.'
import { fakeDeps, RecordingBackend, recordingTower } from './fake-deps.test-support'

function deferred() {
  let release!: () => void
  const promise = new Promise<void>((resolve) => {
    release = resolve
  })
  return { promise, release }
}

describe('EdgeQueue', () => {
  it('runs at most maxRunning tasks, queues maxWaiting in order and refuses the rest at once', async () => {
    const queue = new EdgeQueue({ maxRunning: 1, maxWaiting: 1 })
    const gate = deferred()
    const order: string[] = []
    const first = queue.run(async () => {
      await gate.promise
      order.push('first')
    })
    const second = queue.run(async () => {
      order.push('second')
    })
    expect([queue.running, queue.waiting]).toEqual([1, 1])
    await expect(queue.run(async () => order.push('third'))).rejects.toBeInstanceOf(EdgeQueueFullError)
    gate.release()
    await Promise.all([first, second])
    expect(order).toEqual(['first', 'second'])
    expect([queue.running, queue.waiting]).toEqual([0, 0])
  })

  it('frees its slot when a task fails', async () => {
    const queue = new EdgeQueue({ maxRunning: 1, maxWaiting: 0 })
    await expect(queue.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    await expect(queue.run(async () => 'ok')).resolves.toBe('ok')
  })
})

describe('a busy edge tower', () => {
  const config = resolveGatewayConfig({ edgeMaxRunning: 1, edgeMaxWaiting: 0 })

  function blockingTower(gate: Promise<void>): TextTower {
    const inner = recordingTower()
    return {
      ...inner,
      embed: async (batch, options) => {
        await gate
        return inner.embed(batch, options)
      },
    }
  }

  it('overflows to the backend, or answers 503 edge_overloaded without one', async () => {
    const gate = deferred()
    const tower = blockingTower(gate.promise)
    const loadTower = async () => tower
    const backend = new RecordingBackend()
    const withBackend = fakeDeps({ edgeTower: loadTower, backend })
    const run = (deps = withBackend) =>
      embedRequest({ input: 'hi' }, { deps, config, timings: new StageTimings() })
    const first = run()
    // Wait until the first request holds the only slot.
    await vi.waitFor(
      () => expect(edgeQueueFor(loadTower, { maxRunning: 1, maxWaiting: 0 }).running).toBe(1),
      { timeout: 15_000 },
    )
    const overflow = await run(fakeDeps({ edgeTower: loadTower, backend }))
    expect(overflow.route).toBe('backend')
    const refused = await run(fakeDeps({ edgeTower: loadTower, backend: undefined })).catch((error) => error)
    expect(refused).toMatchObject({ status: 503, code: 'edge_overloaded' })
    expect(refused.retryAfter).toBeGreaterThan(0)
    gate.release()
    expect((await first).route).toBe('edge')
  })
})
