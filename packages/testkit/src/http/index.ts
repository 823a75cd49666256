export type { HttpHandler, RunningHttpServer } from './start-http-server'
export { freePort, startHttpServer } from './start-http-server'
