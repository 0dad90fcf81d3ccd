import type { AnyRoute } from '../http/defineRoute.js';
import { getFormRoute, getFormSchemaRoute } from './routes/formReadRoutes.js';
import { submitFormRoute } from './routes/submitFormRoute.js';
import { uploadFormFileRoute } from './routes/uploadFormFileRoute.js';

/** The standalone form endpoints (DESIGN §8), authorized by a public key with the form in its scope. */
export const formRoutes: AnyRoute[] = [getFormRoute, getFormSchemaRoute, submitFormRoute, uploadFormFileRoute];
