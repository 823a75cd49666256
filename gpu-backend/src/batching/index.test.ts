import { EdgeclipError } from '@edgeclip/core'
import { describe, expect, it } from 'vitest'
import { BatchQueue, selectBatch } from '.'

const lengths = (values: number[]) => values.map((length) => ({ length }))

describe('selectBatch', () => {
  it('always takes the oldest item and fills up with the nearest lengths', () => {
    const selection = selectBatch(lengths([100, 10, 90, 12, 110]), 3, Number.POSITIVE_INFINITY)
    expect(selection.indices).toEqual([0, 2, 4])
    expect(selection.full).toBe(true)
  })

  it('keeps the padded size (items x longest) under the token budget', () => {
    const selection = selectBatch(lengths([16, 16, 2048, 16]), 32, 1024)
    expect(selection.indices).toEqual([0, 1, 3])
    expect(selection.full).toBe(true)
  })

  it('runs an item longer than the budget alone rather than never', () => {
    expect(selectBatch(lengths([4096, 16]), 32, 1024)).toEqual({ indices: [0], full: true })
  })

  it('is not full while every waiting item fits', () => {
    expect(selectBatch(lengths([5, 6]), 4, 1000)).toEqual({ indices: [0, 1], full: false })
  })
})

/** A run function that records its batches and answers each input doubled. */
function recordingRun() {
  const batches: number[][] = []
  return {
    batches,
    run: async (inputs: number[]) => {
      batches.push([...inputs])
      return inputs.map((value) => value * 2)
    },
  }
}

describe('BatchQueue', () => {
  it('merges items enqueued by different callers into one run and answers each its own output', async () => {
    const { batches, run } = recordingRun()
    const queue = new BatchQueue<number, number>({ run, maxBatchSize: 8, maxWaitMs: 50, maxQueuedItems: 100 })
    const first = queue.enqueue([1, 2])
    const second = queue.enqueue([3])
    const third = queue.enqueue([4, 5])
    const outputs = await Promise.all([...first, ...second, ...third])
    expect(outputs.map((result) => result.output)).toEqual([2, 4, 6, 8, 10])
    expect(batches).toEqual([[1, 2, 3, 4, 5]])
    expect(outputs.every((result) => result.batchSize === 5)).toBe(true)
  })

  it('closes a batch at maxBatchSize without waiting', async () => {
    const { batches, run } = recordingRun()
    const queue = new BatchQueue<number, number>({
      run,
      maxBatchSize: 2,
      maxWaitMs: 60_000,
      maxQueuedItems: 100,
    })
    const outputs = await Promise.all(queue.enqueue([1, 2, 3, 4]))
    expect(outputs.map((result) => result.output)).toEqual([2, 4, 6, 8])
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ])
  })

  it('groups texts by length so short ones do not pay for a long one', async () => {
    const { batches, run } = recordingRun()
    const queue = new BatchQueue<number, number>({
      run,
      maxBatchSize: 8,
      maxWaitMs: 10,
      maxQueuedItems: 100,
      lengthOf: (value) => value,
      maxBatchTokens: 64,
    })
    await Promise.all(queue.enqueue([8, 60, 8, 8]))
    expect(batches).toEqual([[8, 8, 8], [60]])
  })

  it('refuses a request that does not fit the queue with 503 and retry-after, queueing none of it', async () => {
    const { batches, run } = recordingRun()
    const queue = new BatchQueue<number, number>({
      run,
      maxBatchSize: 8,
      maxWaitMs: 60_000,
      maxQueuedItems: 3,
      retryAfterSeconds: 2,
    })
    const waiting = queue.enqueue([1, 2])
    let refused: unknown
    try {
      queue.enqueue([3, 4])
    } catch (error) {
      refused = error
    }
    expect(refused).toBeInstanceOf(EdgeclipError)
    expect(refused).toMatchObject({ status: 503, code: 'backend_overloaded', retryAfter: 2 })
    expect(queue.depth).toBe(2)
    await queue.drain()
    expect((await Promise.all(waiting)).map((result) => result.output)).toEqual([2, 4])
    expect(batches).toEqual([[1, 2]])
  })

  it('drain runs waiting items at once instead of after their wait', async () => {
    const { run } = recordingRun()
    const queue = new BatchQueue<number, number>({
      run,
      maxBatchSize: 8,
      maxWaitMs: 600_000,
      maxQueuedItems: 10,
    })
    const pending = queue.enqueue([7])
    await queue.drain()
    expect(queue.busy).toBe(false)
    expect((await pending[0])?.output).toBe(14)
  })

  it('takes the waiting items of an aborted caller out, and leaves its running ones and the others alone', async () => {
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const batches: number[][] = []
    const queue = new BatchQueue<number, number>({
      run: async (inputs) => {
        batches.push([...inputs])
        await gate
        return inputs.map((value) => value * 2)
      },
      maxBatchSize: 2,
      maxWaitMs: 600_000,
      maxQueuedItems: 10,
    })
    const controller = new AbortController()
    // 1 and 2 fill a batch and run at once; 3 waits, and so does the other caller's 4.
    const mine = queue.enqueue([1, 2, 3], controller.signal)
    const theirs = queue.enqueue([4])
    expect(queue.depth).toBe(2)
    controller.abort(new Error('client went away'))
    expect(queue.depth).toBe(1)
    await expect(mine[2]).rejects.toThrow('client went away')
    release()
    expect((await Promise.all(mine.slice(0, 2))).map((result) => result.output)).toEqual([2, 4])
    await queue.drain()
    expect((await theirs[0])?.output).toBe(8)
    expect(batches).toEqual([[1, 2], [4]])
  })

  it('fails every item of a batch whose run throws, and keeps serving later batches', async () => {
    let calls = 0
    const queue = new BatchQueue<number, number>({
      run: async (inputs) => {
        calls++
        if (calls === 1) throw new Error('session failed')
        return inputs
      },
      maxBatchSize: 8,
      maxWaitMs: 0,
      maxQueuedItems: 10,
    })
    const failed = queue.enqueue([1, 2])
    await expect(Promise.all(failed)).rejects.toThrow('session failed')
    expect((await Promise.all(queue.enqueue([3]))).map((result) => result.output)).toEqual([3])
  })
})
