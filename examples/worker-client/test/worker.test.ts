/// <reference types="@cloudflare/vitest-plugin/types" />
// The Worker inside workerd, called as a client would (SELF.fetch), reaching the real gateway.
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

// A 1x1 opaque PNG, as bare base64.
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='

function similarity(body: unknown): Promise<Response> {
  return SELF.fetch('https://worker.test/similarity', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }) as Promise<Response>
}

describe('worker-client', () => {
  it('answers the similarity of a text and an image, computed by the gateway', async () => {
    const response = await similarity({
      text: 'a single pixel',
      image: `data:image/png;base64,${PNG_BASE64}`,
    })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { similarity: number; tokens: number; requestID: string }
    expect(body.similarity).toBeGreaterThanOrEqual(-1)
    expect(body.similarity).toBeLessThanOrEqual(1)
    expect(body.tokens).toBeGreaterThan(0)
    expect(body.requestID).toMatch(/\S/)
  })

  it("passes the gateway's 4xx through with its code and the offending item", async () => {
    const response = await similarity({ text: 'hello', image: 'bm90IGFuIGltYWdl' })
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ code: 'unsupported_image', param: 'input[1]' })
  })

  it('refuses a malformed request itself', async () => {
    expect((await similarity({ text: 'no image' })).status).toBe(400)
    expect((await SELF.fetch('https://worker.test/similarity')).status).toBe(405)
  })
})
