// Index a folder of images, then serve a page that searches it by text or by example image.
//   pnpm --filter @edgeclip/example-image-search start <image-folder> [port]
import { resolve } from 'node:path'
import { localApiKey, runExample } from '@edgeclip/example-support/local-dev-key'
import { EdgeClip } from '@edgeclip/sdk'
import { indexFolder } from './index-folder'
import { createSearchServer } from './search-server'

const [folder, port = '3000'] = process.argv.slice(2)
if (!folder) {
  console.error('usage: pnpm --filter @edgeclip/example-image-search start <image-folder> [port]')
  process.exit(2)
}
const imageDirectory = resolve(process.env.INIT_CWD ?? process.cwd(), folder)

// Reads EDGECLIP_BASE_URL and EDGECLIP_API_KEY, else a local `pnpm start`'s dev key. The SDK packs
// images into batches that stay under the gateway's body limit and reads each file only when its
// batch goes out.
const client = new EdgeClip({ apiKey: localApiKey() })
await runExample(async () => {
  const store = await indexFolder(client, imageDirectory, ({ completed, total }) =>
    console.log(`indexed ${completed}/${total}`),
  )
  await store.save(resolve(imageDirectory, '.edgeclip-index.json'))

  const server = createSearchServer({ client, store, imageDirectory })
  server.listen(Number(port), '127.0.0.1', () => {
    console.log(`${store.entries.length} images indexed; search them at http://127.0.0.1:${port}/`)
  })
})
