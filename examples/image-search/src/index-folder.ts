// Embeds every image in a folder through the SDK (one job: the SDK splits and parallelizes it).
import { readdir } from 'node:fs/promises'
import { extname, join } from 'node:path'
import type { EdgeClip, Progress } from '@edgeclip/sdk'
import { JsonVectorStore } from './vector-store'

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.avif'])

export async function listImages(directory: string): Promise<string[]> {
  const names = await readdir(directory)
  return names.filter((name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase())).sort()
}

export async function indexFolder(
  client: EdgeClip,
  directory: string,
  onProgress?: (progress: Progress) => void,
): Promise<JsonVectorStore> {
  const files = await listImages(directory)
  const store = new JsonVectorStore()
  if (files.length === 0) return store
  // File paths go straight to the SDK, which reads them on Node.
  const { embeddings } = await client.embedImage(
    files.map((file) => join(directory, file)),
    onProgress ? { onProgress } : {},
  )
  for (const [index, file] of files.entries()) store.add(file, embeddings[index]!)
  return store
}
