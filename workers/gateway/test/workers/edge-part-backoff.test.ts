// A part Worker's load backs off after a failure (load-backoff.ts), inside workerd, on a clock the
// test moves: while backing off no load runs (no 36–59 MB re-read from R2), and callers get the
// outage at once with how long to wait.
import { EdgeclipError } from '@edgeclip/core'
import { describe, expect, it } from 'vitest'
import {
  LOAD_BACKOFF_BASE_MS,
  LOAD_BACKOFF_CAP_MS,
  loadWithBackoff,
} from '../../src/workers/edge-part/load-backoff'

function flakyLoad(outcomes: ('fail' | 'ok')[]) {
  const state = { loads: 0 }
  const load = async () => {
    const outcome = outcomes[state.loads++] ?? 'ok'
    if (outcome === 'fail') throw new Error('part-1.onnx is not a valid model')
    return 'session'
  }
  return { state, load }
}

describe('part load backoff', () => {
  it('does not load again until the backoff ends, doubling it on each failure in a row', async () => {
    let clock = 1_000_000
    const { state, load } = flakyLoad(['fail', 'fail', 'ok'])
    const part = loadWithBackoff(load, () => clock)
    const first = await part.get().catch((error: unknown) => error)
    expect(first).toMatchObject({ status: 503, code: 'edge_part_load_failed' })
    expect((first as EdgeclipError).retryAfter).toBe(LOAD_BACKOFF_BASE_MS / 1000)
    clock += LOAD_BACKOFF_BASE_MS - 500
    const waiting = await part.get().catch((error: unknown) => error)
    expect(waiting).toMatchObject({ status: 503, code: 'edge_part_load_failed', retryAfter: 1 })
    expect(state.loads).toBe(1)
    clock += 500
    await expect(part.get()).rejects.toMatchObject({ retryAfter: (2 * LOAD_BACKOFF_BASE_MS) / 1000 })
    expect(state.loads).toBe(2)
    clock += 2 * LOAD_BACKOFF_BASE_MS - 1
    await expect(part.get()).rejects.toBeInstanceOf(EdgeclipError)
    expect(state.loads).toBe(2)
    clock += 1
    await expect(part.get()).resolves.toBe('session')
    await expect(part.get()).resolves.toBe('session')
    expect(state.loads).toBe(3)
  })

  it('caps the backoff, keeps a 503 outage as it was, and shares one load between callers', async () => {
    let clock = 0
    const missing = new EdgeclipError('jina-clip-v1/rev/edge/part-2.onnx.data is missing', {
      status: 503,
      code: 'model_unavailable',
    })
    let loads = 0
    const part = loadWithBackoff(
      async () => {
        loads++
        throw missing
      },
      () => clock,
    )
    const callers = await Promise.allSettled([part.get(), part.get(), part.get()])
    expect(loads).toBe(1)
    for (const caller of callers) expect(caller).toMatchObject({ reason: { code: 'model_unavailable' } })
    for (let failure = 0; failure < 12; failure++) {
      clock += LOAD_BACKOFF_CAP_MS
      await part.get().catch(() => undefined)
    }
    const capped = await part.get().catch((error: EdgeclipError) => error)
    expect(capped).toMatchObject({ code: 'model_unavailable', message: missing.message })
    expect((capped as EdgeclipError).retryAfter).toBeLessThanOrEqual(LOAD_BACKOFF_CAP_MS / 1000)
    expect(loads).toBe(13)
  })
})
