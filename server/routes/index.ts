import type { RouteSpec } from './define-route.js';
import { keyRoutes } from './keys.js';

/** Every authenticated API operation under /api/v1, in the order the reference lists them. */
export const apiRoutes: RouteSpec[] = [
  ...keyRoutes,
];
