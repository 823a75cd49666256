// The opt-in client cache against the real Node gateway: repeated inputs make no call, options
// that change the vector miss, the bounded store evicts, and identical inputs in flight coalesce.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CachedRow, EdgeClip, type EdgeClipOptions, UnprocessableEntityError } from '../../src'
import { gradientPng } from '../support/png'
import { startTestStack, type TestStack } from '../support/test-stack'

let stack: TestStack
let apiKey: string

beforeAll(async () => {
  stack = await startTestStack()
  apiKey = await stack.createKey()
}, 60_000)

afterAll(async () => {
  await stack?.close()
})

/** A client whose every embeddings call is recorded with the inputs it carried. */
function recordingClient(options: Partial<EdgeClipOptions> = {}) {
  const posts: unknown[][] = []
  const client = new EdgeClip({
    baseURL: stack.url,
    apiKey,
    cache: true,
    ...options,
    fetch: async (input, init) => {
      if (String(input).endsWith('/v1/embeddings') && typeof init?.body === 'string')
        posts.push((JSON.parse(init.body) as { input: unknown[] }).input)
      return fetch(input, init)
    },
  })
  return { client, posts }
}

const rows = (response: { embeddings: CachedRow[] }) => response.embeddings.map((row) => Array.from(row))

describe('client cache', () => {
  it('answers a repeated text without a call, with the same row, and sends only the misses', async () => {
    const { client, posts } = recordingClient()
    const first = await client.embedText('cached text')
    const again = await client.embedText('cached text')
    expect(posts).toEqual([[{ text: 'cached text' }]])
    expect(rows(again)).toEqual(rows(first))
    expect(again.usage.promptTokens).toBe(0)
    expect(again.requestIDs).toEqual([])
    const mixed = await client.embedText(['new text', 'cached text', 'new text'])
    expect(posts.at(-1)).toEqual([{ text: 'new text' }])
    expect(rows(mixed)[1]).toEqual(rows(first)[0])
    expect(rows(mixed)[2]).toEqual(rows(mixed)[0])
    // A caller changing a returned row changes nothing the cache holds.
    again.embeddings[0]!.fill(0)
    expect(rows(await client.embedText('cached text'))).toEqual(rows(first))
  })

  it('keys on the options that change the vector: normalization, encoding, truncation', async () => {
    const { client, posts } = recordingClient()
    const unit = await client.embedText('options text')
    const raw = await client.embedText('options text', { normalized: false })
    const packed = await client.embedText('options text', { encoding: 'binary' })
    const truncated = await client.embedText('options text', { truncate: true })
    expect(posts).toHaveLength(4)
    expect(rows(raw)).not.toEqual(rows(unit))
    expect(packed.embeddings[0]).toBeInstanceOf(Uint8Array)
    expect(rows(truncated)).toEqual(rows(unit))
    await client.embedText('options text', { normalized: false })
    expect(posts).toHaveLength(4)
  })

  it('keys images on their bytes', async () => {
    const { client, posts } = recordingClient()
    const first = await client.embedImage(gradientPng(1))
    const sameBytes = await client.embedImage(new Blob([gradientPng(1)], { type: 'image/png' }))
    expect(posts).toHaveLength(1)
    expect(rows(sameBytes)).toEqual(rows(first))
    await client.embedImage(gradientPng(2))
    expect(posts).toHaveLength(2)
  })

  it('evicts the least recently used rows past its bound', async () => {
    const { client, posts } = recordingClient({ cache: { maxEntries: 2 } })
    await client.embedText('evict a')
    await client.embedText('evict b')
    await client.embedText('evict c')
    expect(posts).toHaveLength(3)
    await client.embedText('evict c')
    expect(posts).toHaveLength(3)
    await client.embedText('evict a')
    expect(posts).toHaveLength(4)
  })

  it('coalesces identical inputs in flight at once into one call', async () => {
    const { client, posts } = recordingClient()
    const answers = await Promise.all([
      client.embedText('together'),
      client.embedText('together'),
      client.embedText(['together', 'together']),
      client.embedText('together'),
    ])
    expect(posts).toEqual([[{ text: 'together' }]])
    const expected = rows(answers[0]!)[0]
    for (const answer of answers) for (const row of rows(answer)) expect(row).toEqual(expected)
  })

  it('gives every caller sharing a failed call its error', async () => {
    const { client, posts } = recordingClient()
    const notAnImage = new Uint8Array([1, 2, 3, 4])
    const results = await Promise.allSettled([client.embedImage(notAnImage), client.embedImage(notAnImage)])
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected'])
    for (const result of results)
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(UnprocessableEntityError)
    expect(posts).toHaveLength(1)
  })

  it("uses the caller's store, shared by clients", async () => {
    const map = new Map<string, CachedRow>()
    const store = {
      get: (key: string) => map.get(key),
      set: (key: string, row: CachedRow) => map.set(key, row),
    }
    const first = recordingClient({ cache: store })
    await first.client.embedText(['stored one', 'stored two'])
    expect(map.size).toBe(2)
    const second = recordingClient({ cache: store })
    await second.client.embedText(['stored two', 'stored one'])
    expect(second.posts).toEqual([])
  })

  it("names the caller's item in an error, and caches nothing from the failed call", async () => {
    const { client, posts } = recordingClient()
    await client.embedText('fine')
    const error = await client
      .embed(['fine', { image: new Uint8Array([1, 2, 3, 4]) }, 'also new'])
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UnprocessableEntityError)
    expect(error).toMatchObject({ status: 422, param: 'input[1]' })
    await client.embedText('also new')
    expect(posts.at(-1)).toEqual([{ text: 'also new' }])
  })
})
