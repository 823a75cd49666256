export { type DeclaredBodyLimitOptions, declaredBodyLimit } from './declared-body-limit'
