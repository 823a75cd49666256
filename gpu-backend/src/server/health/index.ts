export { type HealthRoutesOptions, healthRoutes } from './health-routes'
