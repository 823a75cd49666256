// ColdStartBackend's policy over a backend whose warmth the test controls, on an injected clock.
import type { BackendItem, BackendResult } from '@edgeclip/core'
import { describe, expect, it } from 'vitest'
import { expectEdgeclipError } from '../testing/expect-edgeclip-error'
import { backendErrors, ColdStartBackend, type WakeableBackend } from '.'

const items: BackendItem[] = [{ kind: 'text', ids: [101, 102] }]

function controlledBackend() {
  const state = { wakes: 0, batches: 0, ready: true, failNext: false }
  let answerWake: ((ready: boolean) => void) | undefined
  const backend: WakeableBackend = {
    name: 'controlled',
    ready: async () => state.ready,
    wake: () => {
      state.wakes++
      return new Promise((resolve) => {
        answerWake = resolve
      })
    },
    embedBatch: async (): Promise<BackendResult> => {
      state.batches++
      if (state.failNext) {
        state.failNext = false
        throw backendErrors.unreachable(new Error('gone'))
      }
      return { items: [{ ok: true, vector: Float32Array.of(1) }] }
    },
  }
  return { backend, state, answerWake: (ready: boolean) => answerWake?.(ready) }
}

describe('ColdStartBackend', () => {
  it('answers 503 with the boot time still expected, shares one probe, and passes through once warm', async () => {
    let now = 1_000_000
    const { backend, state, answerWake } = controlledBackend()
    const guarded = new ColdStartBackend(backend, {
      coldWaitMs: 20,
      expectedColdStartMs: 30_000,
      warmForMs: 60_000,
      now: () => now,
    })
    const first = await expectEdgeclipError(guarded.embedBatch('m', items), 503, 'backend_cold_start')
    expect(first.retryAfter).toBe(30)
    now += 10_000
    const second = await expectEdgeclipError(guarded.embedBatch('m', items), 503, 'backend_cold_start')
    expect(second.retryAfter).toBe(20)
    expect([state.wakes, state.batches]).toEqual([1, 0])

    answerWake(true)
    await expect.poll(() => guarded.warm).toBe(true)
    await guarded.embedBatch('m', items)
    await guarded.embedBatch('m', items)
    expect([state.wakes, state.batches]).toEqual([1, 2])

    now += 60_001 // quiet for longer than the warm belief: Modal may have scaled it down
    const probing = guarded.embedBatch('m', items)
    await expect.poll(() => state.wakes).toBe(2)
    answerWake(true)
    await probing
    expect(state.batches).toBe(3)
  })

  it('says unavailable when the probe fails, and probes again after the backend vanishes', async () => {
    const { backend, state, answerWake } = controlledBackend()
    const guarded = new ColdStartBackend(backend, { coldWaitMs: 5_000 })
    const refused = guarded.embedBatch('m', items)
    await expect.poll(() => state.wakes).toBe(1)
    answerWake(false)
    await expectEdgeclipError(refused, 503, 'backend_unavailable')

    const served = guarded.embedBatch('m', items)
    await expect.poll(() => state.wakes).toBe(2)
    answerWake(true)
    await served
    state.failNext = true
    await expectEdgeclipError(guarded.embedBatch('m', items), 503, 'backend_unavailable')
    expect(guarded.warm).toBe(false)
  })
})
