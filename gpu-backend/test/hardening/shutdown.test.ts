// Shutdown as a gateway with pooled keep-alive connections sees it: the answers in flight when it
// begins are sent, and they close their sockets, so neither side waits out the keep-alive timeout
// and no next request goes to a socket that is about to close.
import { describe, expect, it } from 'vitest'
import { metricValue, postBatch, scrapeMetrics, startFixtureBackend, textIds } from '../backend-test-support'

describe('shutdown', () => {
  it('answers the requests in flight with connection: close and then finishes closing', async () => {
    // Items wait ten minutes for company: only shutdown's drain runs them.
    const backend = await startFixtureBackend({ BATCH_MAX_WAIT_MS: '600000' })
    const inFlight = [1, 2].map((seed) => postBatch(backend.url, [{ kind: 'text', ids: textIds(seed, 6) }]))
    for (;;) {
      const depth = metricValue(
        await scrapeMetrics(backend.url),
        'edgeclip_backend_queue_depth{tower="text"}',
      )
      if (depth === 2) break
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const closed = backend.close()
    for (const response of await Promise.all(inFlight)) {
      expect(response.status).toBe(200)
      expect(response.result!.items[0]!.ok).toBe(true)
      expect(response.headers.get('connection')).toBe('close')
    }
    await closed
    await expect(fetch(`${backend.url}/healthz`)).rejects.toThrow()
  })
})
