import { z } from 'zod';
import { DETECTOR_NAMES, ScoreOptions } from '../../contract/score.js';
import { Sensitivity } from '../../contract/sensitivity.js';
import { DETECTORS } from '../../detectors/registry.js';
import { DetectorsResponse } from '../../contract/api.js';
import { errorResponses } from './errors.js';
import type { RouteSpec } from './route.js';

export function detectorsRoutes(): RouteSpec[] {
  const parameters = {
    sensitivity: z.toJSONSchema(Sensitivity, { io: 'input' }),
    options: z.toJSONSchema(ScoreOptions, { io: 'input' }),
  };
  const body: DetectorsResponse = {
    detectors: DETECTOR_NAMES.map((name) => ({
      name,
      description: DETECTORS[name].description,
      default: name === 'auto',
      parameters,
    })),
  };
  return [
    {
      method: 'get',
      path: '/api/v1/detectors',
      operationId: 'listDetectors',
      summary: 'List detectors and the JSON schemas of their parameters',
      tag: 'scoring',
      secured: true,
      responses: {
        200: { description: 'the detectors a score request may name', schema: DetectorsResponse },
        ...errorResponses(401),
      },
      handlers: [(_req, res) => void res.json(body)],
    },
  ];
}
