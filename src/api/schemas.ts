/**
 * HTTP-only schemas (params, query, documentation of the multipart body) shared by the routes;
 * bodies and responses come from src/contracts.
 */
import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ProblemSchema } from '../contracts/index.js';

/** Options every route plugin is registered with (once per prefix). */
export interface RouteOptions {
  /** True for the unversioned alias registration, which is left out of the OpenAPI document. */
  alias: boolean;
}

export const JobIdParamsSchema = z.object({ id: z.string().min(1).max(64).describe('job id') });

/** Problem responses every route may answer (documented once, rendered by the error handler). */
export const problemResponses = {
  '4xx': ProblemSchema.describe('application/problem+json'),
  '5xx': ProblemSchema.describe('application/problem+json'),
};

/** Documents the multipart upload; validated while streaming by src/services/uploads.ts. */
export const CompareUploadDocSchema = z.object({
  file1: z.string().meta({ format: 'binary' }).describe('the old file: xlsx, xlsm, xls, csv or tsv'),
  file2: z.string().meta({ format: 'binary' }).describe('the new file'),
  key: z.string().optional().describe('comma-separated header names or column letters; empty: suggested by the service'),
  options: z.string().optional().describe('JSON of CompareOptions: sheet, headerRow, trim, ignoreCase, numericTolerance, ignoreColumns, renames… (README: Compare options)'),
});

export const IdempotencyHeadersSchema = z.looseObject({
  'idempotency-key': z.string().max(255).optional().describe('repeat a POST safely: same key + same body → the first response'),
});

export const ExportQuerySchema = z.object({ format: z.enum(['xlsx', 'csv']).default('xlsx') });

export const EventsQuerySchema = z.object({
  lastEventId: z.string().max(64).optional().describe('resume after this event id (same as the Last-Event-ID header)'),
});

/**
 * Validator compiler for routes whose body is a multipart stream validated by the service while
 * it is read: the body schema only documents it, everything else is validated as usual.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- must fit every route's schema type
export const streamedBodyValidator: FastifySchemaCompiler<any> = (ctx) =>
  ctx.httpPart === 'body' ? () => ({ value: undefined }) : validatorCompiler(ctx);
