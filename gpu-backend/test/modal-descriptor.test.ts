// The Modal descriptor cannot be deployed here (no `modal` package, no account), so this checks
// what can be: it compiles, and its parsed source defines what docs/backend-modal.md promises and
// what the gateway's ModalBackend calls (app and function names, proxy auth, concurrency, volume).
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BACKEND_BATCH_PATH, BACKEND_REQUEST_TYPE } from '@edgeclip/core'
import { describe, expect, it } from 'vitest'

const appPath = join(import.meta.dirname, '..', 'modal', 'app.py')
const docPath = join(import.meta.dirname, '..', '..', 'docs', 'backend-modal.md')
const python = spawnSync('python3', ['--version']).status === 0

/** Functions, their decorators (source text) and module-level string/number constants, via Python's ast. */
const inspectScript = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
functions = {}
constants = {}
for node in tree.body:
    if isinstance(node, ast.FunctionDef):
        functions[node.name] = {
            "decorators": [ast.unparse(d) for d in node.decorator_list],
            "args": [ast.unparse(a) for a in node.args.args],
            "returns": ast.unparse(node.returns) if node.returns else None,
        }
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
        for target in node.targets:
            if isinstance(target, ast.Name):
                constants[target.id] = node.value.value
print(json.dumps({"functions": functions, "constants": constants}))
`

interface Descriptor {
  functions: Record<string, { decorators: string[]; args: string[]; returns: string | null }>
  constants: Record<string, string | number>
}

describe.skipIf(!python)('modal/app.py', () => {
  if (!python) console.warn('skipping: python3 is not on PATH')

  it('compiles', () => {
    // The bytecode goes to a temp dir, not a __pycache__ beside the descriptor.
    const result = spawnSync('python3', ['-m', 'py_compile', appPath], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPYCACHEPREFIX: join(tmpdir(), 'edgeclip-pycache') },
    })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
  })

  const inspect = (): Descriptor => {
    const result = spawnSync('python3', ['-c', inspectScript, appPath], { encoding: 'utf8' })
    if (result.status !== 0) throw new Error(result.stderr)
    return JSON.parse(result.stdout) as Descriptor
  }

  it('serves the backend behind proxy auth, many requests per container, on a GPU with a model volume', () => {
    const { functions, constants } = inspect()
    const serve = functions.serve?.decorators ?? []
    expect(serve.find((text) => text.startsWith('modal.web_server('))).toMatch(/requires_proxy_auth=True/)
    expect(serve.find((text) => text.startsWith('modal.web_server('))).toMatch(/startup_timeout=/)
    expect(serve.some((text) => /^modal\.concurrent\(max_inputs=/.test(text))).toBe(true)
    const appFunction = serve.find((text) => text.startsWith('app.function('))
    for (const option of ['gpu=', 'volumes=', 'secrets=', 'min_containers=', 'scaledown_window=']) {
      expect(appFunction).toContain(option)
    }
    expect(constants.BATCH_PATH).toBe(BACKEND_BATCH_PATH)
    expect(readFileSync(appPath, 'utf8')).toContain(BACKEND_REQUEST_TYPE)
  })

  it('defines the bulk function the gateway calls (MODAL_FUNCTION default embed_batch): bytes in, bytes out', () => {
    const { functions, constants } = inspect()
    expect(constants.BATCH_FUNCTION).toBe('embed_batch')
    expect(functions.embed_batch?.args).toEqual(['frame: bytes'])
    expect(functions.embed_batch?.returns).toBe('bytes')
    expect(functions.embed_batch?.decorators.some((text) => text.startsWith('app.function('))).toBe(true)
    expect(functions.fill_model_volume?.decorators.some((text) => text.includes('volumes='))).toBe(true)
  })

  it.skipIf(!existsSync(docPath))('matches the names docs/backend-modal.md gives', () => {
    const { functions, constants } = inspect()
    const doc = readFileSync(docPath, 'utf8')
    expect(doc).toContain(`app \`${constants.APP_NAME}\``)
    expect(doc).toContain(`MODAL_APP=${constants.APP_NAME}`)
    expect(doc).toContain(`MODAL_FUNCTION=${constants.BATCH_FUNCTION}`)
    expect(doc).toContain(`modal secret create ${constants.SECRET_NAME}`)
    expect(doc).toContain(`Volume \`${constants.MODEL_VOLUME}\``)
    for (const name of ['fill_model_volume', 'serve', 'embed_batch']) {
      expect(functions[name], name).toBeDefined()
      expect(doc).toContain(`\`${name}\``)
    }
  })
})
