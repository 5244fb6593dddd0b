/**
 * The key assistant: POST /compare/inspect with one or two spreadsheets answers per-column
 * uniqueness and completeness, suggested keys and duplicate groups, without creating a job.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { KeyReportSchema } from '../../contracts/index.js';
import { inspectUpload } from '../../services/key-inspection.js';
import { compareUploadLimits } from '../../services/uploads.js';
import { problemResponses, streamedBodyValidator, type RouteOptions } from '../schemas.js';

const InspectUploadDocSchema = z.object({
  file1: z.string().meta({ format: 'binary' }).describe('a spreadsheet: xlsx, xlsm, xls, csv or tsv'),
  file2: z.string().meta({ format: 'binary' }).optional().describe('a second one (keys must work in both)'),
  key: z.string().optional().describe('comma-separated columns whose duplicate groups to list'),
  sheet: z.string().optional(),
  headerRow: z.string().optional().describe('1-based header row (default: detected per file)'),
});

const inspectRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, opts) => {
  app.addHook('onRequest', app.authenticate);
  app.post(
    '/compare/inspect',
    {
      schema: {
        hide: opts.alias,
        tags: ['compare jobs'],
        summary: 'key assistant: column uniqueness and completeness, suggested keys, duplicate groups',
        consumes: ['multipart/form-data'],
        body: InspectUploadDocSchema,
        response: { 200: KeyReportSchema, ...problemResponses },
      },
      validatorCompiler: streamedBodyValidator,
    },
    async (request) =>
      inspectUpload(app.deps, { parts: request.parts({ limits: compareUploadLimits(app.deps.config.http.maxUploadBytes) }) }),
  );
};

export default inspectRoutes;
