#!/usr/bin/env node
// `pnpm test`: lint, then every package's typecheck and tests through turbo, sized to this machine.
//
// Most test files start real processes (a GPU backend, a gateway, workerd, Chromium), so one vitest
// worker keeps about two cores busy. Turbo's default (10 tasks) times vitest's default (cores - 1
// workers) drove a 2-core machine to a load of 14-17 and tests that take 5 s alone hit their 60 s
// timeouts. So both counts come from os.availableParallelism(): one turbo task per 4 cores, and
// two cores per vitest worker within it (2 cores: 1 x 1; 8 cores: 2 x 2; 16 cores: 4 x 2).
// EDGECLIP_TEST_TASKS and VITEST_MAX_WORKERS override them.
//
// Every step runs even when an earlier one fails (lint does not hide the tests, one package's failing
// test does not cancel the others: turbo --continue), and the exit status is non-zero if any failed.
import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { delimiter, join } from 'node:path'

const cores = availableParallelism()
const tasks = Number(process.env.EDGECLIP_TEST_TASKS) || Math.max(1, Math.floor(cores / 4))
const workers = Number(process.env.VITEST_MAX_WORKERS) || Math.max(1, Math.floor(cores / tasks / 2))

// biome and turbo from the workspace, also when this file is run with plain `node`.
const bin = join(import.meta.dirname, '..', 'node_modules', '.bin')
process.env.PATH = `${bin}${delimiter}${process.env.PATH ?? ''}`

/** Runs a command with this terminal; its exit status (1 when it could not start or was killed). */
function run(command, args, env = process.env) {
  console.log(`\n$ ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, { stdio: 'inherit', env })
  if (result.error) console.error(`test: ${command}: ${result.error.message}`)
  return result.status ?? 1
}

const extra = process.argv.slice(2)
console.log(`test: ${cores} cores: ${tasks} turbo task(s) at a time, ${workers} vitest worker(s) each`)
const lint = run('biome', ['ci', '.'])
const suites = run(
  'turbo',
  [
    'run',
    'typecheck',
    'test',
    `--concurrency=${tasks}`,
    // Tasks whose builds failed have nothing to test; every other task runs.
    '--continue=dependencies-successful',
    ...extra,
  ],
  { ...process.env, VITEST_MAX_WORKERS: String(workers) },
)
if (lint !== 0) console.error('\ntest: lint (biome ci .) failed; see above')
if (suites !== 0) console.error('\ntest: some typecheck or test tasks failed; see the summary above')
process.exit(lint !== 0 ? lint : suites)
