import { createHash } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeFixtureFiles } from '../workers/fixture/write-fixture-files'
import { loadNodeModel } from '.'

const directories: string[] = []
afterAll(() => Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true }))))

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'edgeclip-model-'))
  directories.push(directory)
  return directory
}

describe('loadNodeModel', () => {
  it('says how to get the model when the directory is empty', async () => {
    const dir = await temporaryDirectory()
    await expect(loadNodeModel({ kind: 'dir', dir })).rejects.toThrow(/edgeclip model fetch/)
  })

  it('serves a directory laid out like the Hugging Face repo, text tower loaded on first use', async () => {
    const dir = await temporaryDirectory()
    const fixture = await writeFixtureFiles()
    await mkdir(join(dir, 'onnx'))
    await copyFile(fixture.vocabPath, join(dir, 'vocab.txt'))
    await copyFile(fixture.modelPath, join(dir, 'onnx/text_model.onnx'))
    const model = await loadNodeModel({ kind: 'fixture', dir })
    const { ids } = model.tokenizer.encode('hello world')
    const tower = await model.edgeTower!()
    const [row] = await tower.embed([ids])
    expect(row?.length).toBe(model.spec.dimensions)
    await model.release()
  })

  it('refuses to serve a fixture folder as jina-clip-v1, and names its tower by the file it loads', async () => {
    const dir = await temporaryDirectory()
    const fixture = await writeFixtureFiles()
    await mkdir(join(dir, 'onnx'))
    await copyFile(fixture.vocabPath, join(dir, 'vocab.txt'))
    await copyFile(fixture.modelPath, join(dir, 'onnx/text_model.onnx'))
    await expect(loadNodeModel({ kind: 'dir', dir })).rejects.toThrow(/EDGECLIP_MODEL=fixture/)
    const served = await loadNodeModel({ kind: 'fixture', dir })
    expect(served.edgeIdentity).toEqual({
      weights: createHash('sha256')
        .update(await readFile(fixture.modelPath))
        .digest('hex'),
      numerics: 'fp32/onnxruntime-node-cpu',
    })
  })

  it('runs without an edge tower when the directory has no text model', async () => {
    const dir = await temporaryDirectory()
    await copyFile((await writeFixtureFiles()).vocabPath, join(dir, 'vocab.txt'))
    const model = await loadNodeModel({ kind: 'fixture', dir })
    expect(model.edgeTower).toBeUndefined()
  })
})
