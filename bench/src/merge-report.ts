// `--merge`: suites re-run on their own replace theirs in the last report and keep the others', so
// one suite can be re-measured without the others' minutes.
import type { Report } from './report'

/**
 * `previous` with each suite of `current` in its place (new suites at the end), each stamped with
 * the run that measured it. A failed re-run keeps the previous figures. Modes must match: quick
 * figures beside full ones would read as one run's.
 */
export function mergeReports(previous: Report, current: Report): Report {
  if (previous.mode !== current.mode) {
    throw new Error(
      `cannot merge a ${current.mode} run into a ${previous.mode} report; run without --merge or in ${previous.mode} mode`,
    )
  }
  const run = { startedAt: current.startedAt, durationS: current.durationS, machine: current.machine }
  const suites = [...previous.suites]
  for (const suite of current.suites) {
    const index = suites.findIndex((kept) => kept.name === suite.name)
    if (suite.failed && index >= 0) continue
    const stamped = { ...suite, run }
    if (index >= 0) suites[index] = stamped
    else suites.push(stamped)
  }
  return { ...previous, suites }
}
