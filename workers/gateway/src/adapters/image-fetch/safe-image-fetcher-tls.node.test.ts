// HTTPS through the pinned connection: the certificate is still checked against the URL's host
// name. Uses a throwaway certificate from the openssl CLI; skips when openssl is absent.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEdgeclipError } from '../testing/expect-edgeclip-error'
import { pngBytes } from './image-server.test-support'
import { NodeSafeImageFetcher } from './node'

const hasOpenssl = spawnSync('openssl', ['version']).status === 0
if (!hasOpenssl) console.warn('skipping image-fetch TLS tests: no openssl CLI to make a test certificate')

describe.skipIf(!hasOpenssl)('NodeSafeImageFetcher over https', () => {
  let directory: string
  let certificate: string
  let server: Server
  let port: number

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'edgeclip-tls-'))
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=images.example',
      '-addext',
      'subjectAltName=DNS:images.example',
      '-keyout',
      join(directory, 'key.pem'),
      '-out',
      join(directory, 'cert.pem'),
    ])
    expect(made.status, made.stderr?.toString()).toBe(0)
    certificate = readFileSync(join(directory, 'cert.pem'), 'utf8')
    const key = readFileSync(join(directory, 'key.pem'), 'utf8')
    server = createServer({ key, cert: certificate }, (_request, response) => {
      response.writeHead(200).end(pngBytes(3, 5))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
    rmSync(directory, { recursive: true, force: true })
  })

  const fetcherFor = (hostname: string) =>
    new NodeSafeImageFetcher({
      ca: certificate,
      resolver: async (name) => (name === hostname ? [{ address: '127.0.0.1', family: 4 }] : []),
      allowAddress: (address, allowedPort) => address === '127.0.0.1' && allowedPort === port,
    })

  it('fetches from the pinned address with the certificate checked against the host name', async () => {
    const fetched = await fetcherFor('images.example').fetch(`https://images.example:${port}/cat.png`)
    expect([fetched.width, fetched.height]).toEqual([3, 5])
  })

  it('refuses a certificate that does not name the host, even at an allowed address', async () => {
    const error = await expectEdgeclipError(
      fetcherFor('other.example').fetch(`https://other.example:${port}/cat.png`),
      422,
      'image_fetch_failed',
    )
    expect(error.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID')
  })
})
