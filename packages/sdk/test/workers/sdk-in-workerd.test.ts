/// <reference types="@cloudflare/vitest-plugin/types" />
// The SDK inside workerd: the Worker above calls the Node gateway over real HTTP.
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { AuthenticationError, EdgeClip } from '../../src'
import worker, { type Env } from './sdk-worker'

// A 1x1 opaque PNG.
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='
const bindings = env as unknown as Env

describe('the SDK in workerd', () => {
  it('embeds a text and an image through the gateway from a Worker', async () => {
    const url = `https://worker.test/?text=${encodeURIComponent('a red pixel')}&image=${encodeURIComponent(PNG_BASE64)}`
    const response = await worker.fetch(new Request(url), bindings)
    expect(response.status).toBe(200)
    const body = (await response.json()) as { similarity: number; dimensions: number[]; promptTokens: number }
    expect(body.dimensions).toEqual([768, 768])
    expect(body.similarity).toBeGreaterThanOrEqual(-1)
    expect(body.similarity).toBeLessThanOrEqual(1)
    expect(body.promptTokens).toBeGreaterThan(0)
  })

  it('throws typed errors in workerd too', async () => {
    const client = new EdgeClip({ baseURL: bindings.EDGECLIP_BASE_URL, apiKey: 'ec_nobody_secret' })
    await expect(client.embedText('hi')).rejects.toBeInstanceOf(AuthenticationError)
  })

  it('passes a string that is neither URL nor base64 through (no file system in Workers)', async () => {
    const client = new EdgeClip({ baseURL: bindings.EDGECLIP_BASE_URL, apiKey: bindings.EDGECLIP_API_KEY })
    const error = await client.embedImage('./not-here.png').catch((caught: unknown) => caught)
    expect(error).toMatchObject({ status: 400, param: 'input[0]' })
  })
})
