// The built ESM file in headless Chromium: a page on its own origin calls the gateway across
// origins (CORS allowed for it), with a Blob image, as a browser app would.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { missingOutsideCi, type RunningHttpServer, startHttpServer } from '@edgeclip/testkit'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gradientPng } from '../support/png'
import { startTestStack, type TestStack } from '../support/test-stack'

const bundle = new URL('../../dist/index.js', import.meta.url)

function chromiumPath(): string | undefined {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}
const found = chromiumPath()
const executablePath = missingOutsideCi(
  'Chromium',
  found ? undefined : 'no `chromium` on PATH (apt-get install chromium)',
)
  ? undefined
  : found

describe.skipIf(!executablePath || !existsSync(bundle))(
  'the SDK in a browser (needs `chromium` and a build)',
  () => {
    let site: RunningHttpServer
    let stack: TestStack
    let browser: Browser
    let apiKey: string

    beforeAll(async () => {
      // The page's origin is known only once its server listens; the gateway then allows exactly it.
      const code = await readFile(bundle)
      site = await startHttpServer((request, response) => {
        if (request.url === '/sdk.js') {
          response.writeHead(200, { 'content-type': 'text/javascript' }).end(code)
          return
        }
        response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sdk</title>')
      })
      stack = await startTestStack(8, { EDGECLIP_CORS_ORIGINS: site.url })
      apiKey = await stack.createKey()
      browser = await chromium.launch({
        executablePath: executablePath!,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      })
    }, 60_000)

    afterAll(async () => {
      await browser?.close()
      await stack?.close()
      await site?.close()
    })

    it('embeds a text and a Blob image across origins and throws typed errors', async () => {
      const page = await browser.newPage()
      await page.goto(`${site.url}/`)
      // Loaded by the page itself: vitest would rewrite an import() written inside evaluate().
      await page.addScriptTag({ type: 'module', content: "import * as sdk from '/sdk.js'; window.sdk = sdk" })
      await page.waitForFunction(() => 'sdk' in window)
      const png = Array.from(gradientPng(7))
      const result = await page.evaluate(
        async ({ baseURL, apiKey, png }) => {
          // biome-ignore lint/suspicious/noExplicitAny: the SDK's ESM build, set on window above
          const sdk = (window as any).sdk
          const client = new sdk.EdgeClip({ baseURL, apiKey })
          const image = new Blob([new Uint8Array(png)], { type: 'image/png' })
          const { embeddings, requestIDs } = await client.embed(['a gradient', { image }])
          const stranger = new sdk.EdgeClip({ baseURL, apiKey: 'ec_nobody_secret', maxRetries: 0 })
          const error = await stranger.embedText('hi').catch((caught: unknown) => caught)
          return {
            types: embeddings.map((row: Float32Array) => row.constructor.name),
            lengths: embeddings.map((row: Float32Array) => row.length),
            similarity: sdk.cosineSimilarity(embeddings[0], embeddings[1]),
            requestID: requestIDs[0],
            errorIsTyped: error instanceof sdk.AuthenticationError,
            errorRequestID: (error as { requestID?: string }).requestID,
          }
        },
        { baseURL: stack.url, apiKey, png },
      )
      expect(result.types).toEqual(['Float32Array', 'Float32Array'])
      expect(result.lengths).toEqual([768, 768])
      expect(Math.abs(result.similarity)).toBeLessThanOrEqual(1)
      // Exposed by the gateway's CORS policy, so a browser app can quote it.
      expect(result.requestID).toMatch(/\S/)
      expect(result.errorIsTyped).toBe(true)
      expect(result.errorRequestID).toMatch(/\S/)
    })
  },
)
