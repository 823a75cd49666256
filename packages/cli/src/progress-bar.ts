// Download progress on stderr: one redrawn line on a terminal, a line per file otherwise (CI logs).
import type { FetchProgress } from '@edgeclip/core/node'
import type { CommandIo } from './command'

const redrawIntervalMs = 100
const barWidth = 24

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`
}

export function createProgressReporter(io: CommandIo): (progress: FetchProgress) => void {
  let lastDraw = 0
  let startedAt = Date.now()
  let currentFile: string | undefined
  return (progress) => {
    if (progress.file !== currentFile) {
      currentFile = progress.file
      startedAt = Date.now()
      if (!io.stderrIsTTY && progress.state === 'downloading') io.stderr(`fetching ${progress.file}\n`)
    }
    if (progress.state !== 'downloading') {
      const summary =
        progress.state === 'absent'
          ? 'not in the repo (optional)'
          : `${progress.state === 'reused' ? 'already here, verified' : 'done'} (${formatBytes(progress.bytesDone)})`
      io.stderr(`${io.stderrIsTTY ? '\r\x1b[2K' : ''}${progress.file}: ${summary}\n`)
      return
    }
    if (!io.stderrIsTTY) return
    const now = Date.now()
    if (now - lastDraw < redrawIntervalMs) return
    lastDraw = now
    const { bytesDone, bytesTotal } = progress
    const fraction = bytesTotal ? Math.min(1, bytesDone / bytesTotal) : 0
    const filled = Math.round(fraction * barWidth)
    const seconds = Math.max(0.001, (now - startedAt) / 1000)
    const total = bytesTotal === undefined ? '?' : formatBytes(bytesTotal)
    io.stderr(
      `\r\x1b[2K${progress.file} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ` +
        `${(fraction * 100).toFixed(0)}% ${formatBytes(bytesDone)}/${total} ${formatBytes(bytesDone / seconds)}/s`,
    )
  }
}
