// DIR/manifest.json: the sha256 and size of every file as downloaded, and the revision it came from.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ModelSpec } from '../../model-spec'

export interface ManifestEntry {
  sha256: string
  size: number
}

export interface ModelManifest {
  model: string
  repo: string
  revision: string
  files: Record<string, ManifestEntry>
}

export const manifestFileName = 'manifest.json'

export function emptyManifest(spec: ModelSpec): ModelManifest {
  return { model: spec.id, repo: spec.repo, revision: spec.revision, files: {} }
}

/** The manifest in `dir`, or undefined when there is none or it is unreadable. */
export async function readManifest(dir: string): Promise<ModelManifest | undefined> {
  let text: string
  try {
    text = await readFile(join(dir, manifestFileName), 'utf8')
  } catch {
    return undefined
  }
  try {
    const parsed = JSON.parse(text) as ModelManifest
    return typeof parsed.revision === 'string' && typeof parsed.files === 'object' ? parsed : undefined
  } catch {
    return undefined
  }
}

export async function writeManifest(dir: string, manifest: ModelManifest): Promise<void> {
  const path = join(dir, manifestFileName)
  // Written beside and renamed, so a crash never leaves half a manifest.
  await writeFile(`${path}.partial`, `${JSON.stringify(manifest, null, 2)}\n`)
  await rename(`${path}.partial`, path)
}

export async function sha256File(path: string, hash = createHash('sha256')): Promise<string> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
