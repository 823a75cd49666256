// The smallest useful vector store: rows in memory, saved to and loaded from one JSON file.
import { readFile, writeFile } from 'node:fs/promises'
import { topK } from '@edgeclip/sdk'

export interface StoredImage {
  /** File name inside the indexed folder. */
  file: string
  vector: Float32Array
}

export interface SearchResult {
  file: string
  score: number
}

export class JsonVectorStore {
  readonly entries: StoredImage[] = []

  add(file: string, vector: Float32Array): void {
    const existing = this.entries.findIndex((entry) => entry.file === file)
    if (existing >= 0) this.entries[existing] = { file, vector }
    else this.entries.push({ file, vector })
  }

  search(query: Float32Array, k: number): SearchResult[] {
    const vectors = this.entries.map((entry) => entry.vector)
    return topK(query, vectors, k).map(({ index, score }) => ({ file: this.entries[index]!.file, score }))
  }

  async save(path: string): Promise<void> {
    const rows = this.entries.map((entry) => ({ file: entry.file, vector: Array.from(entry.vector) }))
    await writeFile(path, JSON.stringify({ version: 1, rows }))
  }

  static async load(path: string): Promise<JsonVectorStore> {
    const { rows } = JSON.parse(await readFile(path, 'utf8')) as {
      rows: { file: string; vector: number[] }[]
    }
    const store = new JsonVectorStore()
    for (const row of rows) store.add(row.file, Float32Array.from(row.vector))
    return store
  }
}
