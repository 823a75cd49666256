import { createServer } from 'node:http'
import { describe, expect, it } from 'vitest'
import { freePort, startHttpServer } from './start-http-server'

describe('startHttpServer', () => {
  it('serves the handler over real HTTP and stops on close', async () => {
    const server = await startHttpServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' })
      response.end(`path=${request.url}`)
    })
    const response = await fetch(`${server.url}/hello`)
    expect(await response.text()).toBe('path=/hello')
    await server.close()
    await expect(fetch(`${server.url}/hello`)).rejects.toThrow()
  })

  it('answers 500 when the handler throws', async () => {
    const server = await startHttpServer(() => {
      throw new Error('handler failed')
    })
    const response = await fetch(server.url)
    expect(response.status).toBe(500)
    expect(await response.text()).toContain('handler failed')
    await server.close()
  })
})

describe('freePort', () => {
  it('returns a port another server can bind', async () => {
    const port = await freePort()
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
    expect(port).toBeGreaterThan(0)
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
})
