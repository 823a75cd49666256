import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { declaredBodyLimit } from '.'

const app = new Hono()
app.use('*', declaredBodyLimit({ maxSize: 8, onError: (context) => context.text('too large', 413) }))
app.post('/', async (context) => context.text(`read ${(await context.req.arrayBuffer()).byteLength}`))

const streamOf = (text: string) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text))
      controller.close()
    },
  })

describe('declaredBodyLimit', () => {
  it('checks a declared content-length without reading the body', async () => {
    const fits = await app.request('/', {
      method: 'POST',
      body: '12345678',
      headers: { 'content-length': '8' },
    })
    expect(await fits.text()).toBe('read 8')
    // Refused on the declaration alone: the one byte sent is never counted.
    const over = await app.request('/', { method: 'POST', body: '1', headers: { 'content-length': '9' } })
    expect(over.status).toBe(413)
  })

  it('counts a body that declares no length (chunked) as it streams', async () => {
    const fits = await app.request('/', {
      method: 'POST',
      body: streamOf('1234'),
      duplex: 'half',
    } as RequestInit)
    expect(await fits.text()).toBe('read 4')
    const over = await app.request('/', {
      method: 'POST',
      body: streamOf('x'.repeat(64)),
      duplex: 'half',
    } as RequestInit)
    expect(over.status).toBe(413)
  })
})
