/**
 * Prometheus metrics of record exports, on prom-client's default registry so they appear on
 * whichever /metrics endpoint serves it (API and export-worker).
 */
import { Counter, Gauge, Histogram, register } from 'prom-client';

function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const exportMetrics = {
  active: once('export_active_tasks', () => new Gauge({ name: 'export_active_tasks', help: 'record exports being rendered or uploaded by this process' })),
  queued: once('export_queued_tasks', () => new Gauge({ name: 'export_queued_tasks', help: 'completed record exports waiting for a worker (stream lag)' })),
  duration: once('export_duration_seconds', () =>
    new Histogram({ name: 'export_duration_seconds', help: 'time from claim to COMPLETED or FAILED', labelNames: ['format', 'result'], buckets: [0.5, 1, 2, 5, 10, 20, 40, 80, 160, 320] }),
  ),
  uploadDuration: once('export_upload_duration_seconds', () =>
    new Histogram({ name: 'export_upload_duration_seconds', help: 'time to upload a rendered file to storage', labelNames: ['format'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30] }),
  ),
  errors: once('export_errors_total', () => new Counter({ name: 'export_errors_total', help: 'failed record exports by error code', labelNames: ['code'] })),
  records: once('export_records_processed_total', () =>
    new Counter({ name: 'export_records_processed_total', help: 'records written into export files', labelNames: ['format'] }),
  ),
};
