import { z } from 'zod';

/** RFC 9457 problem details with our stable `code`. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string().optional(),
    instance: z.string().optional(),
  })
  .catchall(z.unknown());
export type Problem = z.infer<typeof ProblemSchema>;
