export { registerMethodNotAllowed, registerRootRoute } from './root-routes'
