/**
 * Job ids: 128 random bits as 22 base64url characters, so they cannot be guessed or enumerated.
 */
import { randomBytes } from 'node:crypto';

const JOB_ID = /^[A-Za-z0-9_-]{22}$/;

/** A new unguessable job id (16 random bytes, base64url). */
export function newJobId(): string {
  return randomBytes(16).toString('base64url');
}

/** True when `id` has the shape of a job id (cheap filter before touching Redis). */
export function isJobId(id: string): boolean {
  return JOB_ID.test(id);
}
