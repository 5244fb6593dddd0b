/**
 * Sends a compare upload with XMLHttpRequest, the one browser API that reports upload progress.
 */
import type { CompareOptions, JobCreated } from '../../../src/contracts/index.js';
import { API, ApiError, parseJobCreated, toApiError } from './client.js';

export interface CompareUpload {
  old: File;
  new: File;
  /** Key columns (names or letters); empty to match rows by position. */
  key: string[];
  options: Partial<CompareOptions>;
}

/** Uploads both files; `onProgress` gets 0–100. Resolves with the created job. */
export function uploadComparison(u: CompareUpload, onProgress: (percent: number) => void, idempotencyKey: string): Promise<JobCreated> {
  const form = new FormData();
  // Text fields first: the API reads parts in order and can reject bad options before the files.
  form.set('key', u.key.join(','));
  form.set('options', JSON.stringify(u.options));
  form.set('file1', u.old, u.old.name);
  form.set('file2', u.new, u.new.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API}/compare/jobs`);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('idempotency-key', idempotencyKey);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status === 202) {
        onProgress(100);
        resolve(parseJobCreated(body));
      } else reject(toApiError(xhr.status, body));
    };
    xhr.send(form);
  });
}
