// Embed a text and an image into one space and compare them.
//   EDGECLIP_BASE_URL=http://127.0.0.1:8787 pnpm --filter @edgeclip/example-quickstart start [image] [text]
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { localApiKey, runExample } from '@edgeclip/example-support/local-dev-key'
import { cosineSimilarity, EdgeClip } from '@edgeclip/sdk'

// Reads EDGECLIP_BASE_URL (default http://127.0.0.1:8787) and EDGECLIP_API_KEY, else the dev key a
// local `pnpm start` keeps in .edgeclip/dev-key (none needed with EDGECLIP_AUTH=off).
const client = new EdgeClip({ apiKey: localApiKey() })

// pnpm runs scripts inside the package: a relative path means the directory you typed it in.
const image = process.argv[2]
  ? resolve(process.env.INIT_CWD ?? '.', process.argv[2])
  : fileURLToPath(new URL('../assets/red-circle.png', import.meta.url))
const text = process.argv[3] ?? 'a red circle'

await runExample(async () => {
  // A file path, URL, Blob or bytes all work as an image; texts are plain strings.
  const { embeddings, usage, model } = await client.embed([text, { image }])
  const [textVector, imageVector] = embeddings as [Float32Array, Float32Array]

  console.log(`model: ${model}, ${textVector.length} dimensions, ${usage.totalTokens} tokens`)
  console.log(`similarity("${text}", ${image}) = ${cosineSimilarity(textVector, imageVector).toFixed(4)}`)
})
