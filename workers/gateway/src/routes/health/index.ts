export { healthzRoute, readyzRoute, registerHealthRoutes } from './health-routes'
