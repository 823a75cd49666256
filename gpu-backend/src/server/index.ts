export { bearerSecret } from './auth'
export { type BatchRouteOptions, batchRoute, type ServingModel, serverTiming } from './batch-route'
export { type BackendAppOptions, createBackendApp } from './create-backend-app'
export { healthRoutes } from './health'
