import { describe, expect, it } from 'vitest'
import type { CommandIo } from './command'
import { createProgressReporter, formatBytes } from './progress-bar'

function capture(stderrIsTTY: boolean) {
  let stderr = ''
  const io: CommandIo = {
    stdout: () => {},
    stderr: (text) => {
      stderr += text
    },
    env: {},
    cwd: '/',
    stderrIsTTY,
  }
  return { io, stderr: () => stderr }
}

describe('createProgressReporter', () => {
  it('redraws one line with a bar on a terminal', () => {
    const { io, stderr } = capture(true)
    const report = createProgressReporter(io)
    report({
      file: 'onnx/text_model.onnx',
      bytesDone: 512 * 1024,
      bytesTotal: 1024 * 1024,
      state: 'downloading',
    })
    report({ file: 'onnx/text_model.onnx', bytesDone: 1024 * 1024, bytesTotal: 1024 * 1024, state: 'done' })
    expect(stderr()).toContain(
      '\r\x1b[2Konnx/text_model.onnx [############------------] 50% 512.0 KiB/1.0 MiB',
    )
    expect(stderr()).toMatch(/onnx\/text_model\.onnx: done \(1\.0 MiB\)\n$/)
  })

  it('writes plain lines, no escape codes, when stderr is a file or pipe', () => {
    const { io, stderr } = capture(false)
    const report = createProgressReporter(io)
    report({ file: 'vocab.txt', bytesDone: 0, bytesTotal: 10, state: 'downloading' })
    report({ file: 'vocab.txt', bytesDone: 5, bytesTotal: 10, state: 'downloading' })
    report({ file: 'vocab.txt', bytesDone: 10, bytesTotal: 10, state: 'done' })
    report({ file: 'tokenizer.json', bytesDone: 0, bytesTotal: 0, state: 'absent' })
    expect(stderr()).toBe(
      'fetching vocab.txt\nvocab.txt: done (10 B)\ntokenizer.json: not in the repo (optional)\n',
    )
  })
})

describe('formatBytes', () => {
  it('picks a binary unit', () => {
    expect([
      formatBytes(999),
      formatBytes(2048),
      formatBytes(548_000_000),
      formatBytes(3 * 1024 ** 3),
    ]).toEqual(['999 B', '2.0 KiB', '522.6 MiB', '3.00 GiB'])
  })
})
