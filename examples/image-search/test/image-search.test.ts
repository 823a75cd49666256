// The example end to end: index sample images through the SDK against a freshly started stack,
// serve the page, and drive it in headless Chromium (text search, then search by example image).
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type RunningStack, startStack, writeSampleImages } from '@edgeclip/example-support'
import { EdgeClip } from '@edgeclip/sdk'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { indexFolder } from '../src/index-folder'
import { createSearchServer } from '../src/search-server'
import { JsonVectorStore } from '../src/vector-store'

const outputDirectory = fileURLToPath(new URL('../test-output/', import.meta.url))

function chromiumPath(): string | undefined {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

let stack: RunningStack
let imageDirectory: string
let files: string[]
let store: JsonVectorStore
let server: Server
let pageURL: string
let client: EdgeClip

beforeAll(async () => {
  stack = await startStack()
  imageDirectory = await mkdtemp(join(tmpdir(), 'edgeclip-image-search-'))
  files = await writeSampleImages(imageDirectory)
  client = new EdgeClip({ baseURL: stack.url, maxBatchSize: 3 })
  store = await indexFolder(client, imageDirectory)
  server = createSearchServer({ client, store, imageDirectory })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  pageURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
  await stack?.close()
  if (imageDirectory) await rm(imageDirectory, { recursive: true, force: true })
})

describe('indexing', () => {
  it('stores one vector per image and survives a save/load round trip', async () => {
    expect(store.entries.map((entry) => entry.file)).toEqual([...files].sort())
    const path = join(imageDirectory, '.edgeclip-index.json')
    await store.save(path)
    const loaded = await JsonVectorStore.load(path)
    expect(loaded.entries.map((entry) => Array.from(entry.vector))).toEqual(
      store.entries.map((entry) => Array.from(entry.vector)),
    )
  })

  it('finds an indexed image first when searching with its own bytes', async () => {
    const { embeddings } = await client.embedImage(join(imageDirectory, 'green-square.png'))
    const [best] = store.search(embeddings[0]!, 1)
    expect(best?.file).toBe('green-square.png')
    expect(best?.score).toBeCloseTo(1, 5)
  })
})

const executablePath = chromiumPath()
// Under CI a skipped browser test would hide a broken CI image behind a green run.
if (!executablePath && (process.env.CI === 'true' || process.env.CI === '1'))
  throw new Error('CI=true and Chromium is missing: no `chromium` on PATH (apt-get install chromium)')
describe.skipIf(!executablePath)('the page in headless Chromium (needs `chromium` on PATH)', () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: executablePath!,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
  })
  afterAll(() => browser?.close())

  it('searches by text and by example image, and renders the results', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } })
    await page.goto(pageURL)

    await page.fill('#query', 'a red circle')
    await page.click('#text-form button')
    await page.waitForSelector(`#results .result >> nth=${files.length - 1}`)
    expect(await page.locator('#results .result').count()).toBe(files.length)
    expect(await page.textContent('#status')).toContain(`${files.length} results`)
    // Every result's thumbnail loads from the example server.
    const loaded = await page.$$eval('#results img', (images) =>
      images.map(
        (image) => (image as HTMLImageElement).complete && (image as HTMLImageElement).naturalWidth > 0,
      ),
    )
    expect(loaded).toEqual(files.map(() => true))

    await page.setInputFiles('#image-input', join(imageDirectory, 'night-sky.png'))
    await page.waitForFunction(() =>
      document.querySelector('#status')?.textContent?.includes('night-sky.png'),
    )
    await page.waitForSelector('#results .result')
    expect(await page.textContent('#results .result >> nth=0 >> .file')).toBe('night-sky.png')
    expect(await page.textContent('#results .result >> nth=0 >> .score')).toBe('1.000')

    await mkdir(outputDirectory, { recursive: true })
    await page.screenshot({ path: join(outputDirectory, 'image-search.png'), fullPage: true })
  })

  it('shows the error when the upload is not an image', async () => {
    const page = await browser.newPage()
    await page.goto(pageURL)
    await page.setInputFiles('#image-input', {
      name: 'notes.png',
      mimeType: 'image/png',
      buffer: Buffer.from('hello'),
    })
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('Error:'))
    expect(await page.textContent('#status')).toMatch(/not a supported image|invalid/i)
    expect(await page.locator('#results .result').count()).toBe(0)
  })
})
