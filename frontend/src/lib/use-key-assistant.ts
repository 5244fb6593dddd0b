/**
 * Runs the key assistant (POST /compare/inspect) for the key step: on entering it, again when
 * the sheet or header row changes, and for the duplicate groups of a key the person typed or
 * picked that the last report did not cover. The first suggested key fills an empty key field
 * once per pair of files.
 */
import { computed, onUnmounted, ref, shallowRef, watch, type Ref } from 'vue';
import type { KeyReport } from '../../../src/contracts/inspect.js';
import { ApiError, inspectFiles } from '../api/client.js';
import { t } from '../i18n/index.js';
import { bytes } from './format.js';
import { inspectInput } from './inspect-input.js';
import { keyVerdict, parseKey, sameKey } from './key-columns.js';
import type { OptionsForm } from './options-form.js';

/** Problems of a file itself: no report can be made until the file changes. */
const FILE_PROBLEMS = new Set(['password_protected', 'unsupported_format', 'malformed_file', 'empty_sheet', 'zip_bomb', 'dtd_not_allowed', 'too_many_rows', 'too_many_cells', 'payload_too_large', 'unsupported_media_type']);

export function useKeyAssistant(files: { old: File | null; new: File | null }, form: OptionsForm, active: Ref<boolean>, maxBytes: number | undefined) {
  const report = shallowRef<KeyReport | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const sampled = ref(false);
  const key = computed(() => parseKey(form.key));
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked: string[] = [];
  let filled: [File | null, File | null] = [null, null];

  function describe(err: unknown): string {
    if (!(err instanceof ApiError)) return t('error.server', { detail: String(err) });
    if (err.code === 'network') return t('error.network');
    const names = [files.old?.name, files.new?.name].filter(Boolean).join(' / ');
    if (err.code === 'password_protected') return t('error.passwordProtected', { name: names });
    if (err.status === 413) return t('error.tooLarge', { name: names, size: '', limit: bytes(Number(err.problem?.limit) || maxBytes || 0) }).replace(' ,', ',').replace('  ', ' ');
    if (err.status === 415 || err.code === 'unsupported_format') return t('error.unsupported', { name: names });
    if (err.code === 'sheet_not_found') return t('error.sheetNotFound', { sheet: form.sheet });
    if (err.code === 'key_column_not_found') return t('error.keyNotFound', { key: form.key, detail: err.detail });
    return t('error.inspect', { detail: err.detail });
  }

  async function run(): Promise<void> {
    clearTimeout(timer);
    const pair = [files.old, files.new].filter((f): f is File => !!f);
    if (!active.value || pair.length === 0) return;
    controller?.abort();
    const mine = (controller = new AbortController());
    loading.value = true;
    error.value = null;
    asked = key.value;
    try {
      const inputs = await Promise.all(pair.map((f) => inspectInput(f)));
      const headerRow = typeof form.headerRow === 'number' ? form.headerRow : undefined;
      const r = await inspectFiles({ files: inputs.map((i) => i.blob), names: pair.map((f) => f.name), sheet: form.sheet || undefined, headerRow, key: asked }, mine.signal);
      report.value = r;
      sampled.value = inputs.some((i) => i.sampled);
      if (filled[0] !== files.old || filled[1] !== files.new) {
        filled = [files.old, files.new];
        if (!form.key && r.suggestedKeys[0]) form.key = r.suggestedKeys[0].join(', ');
      }
    } catch (err) {
      if (mine.signal.aborted) return;
      if (err instanceof ApiError && FILE_PROBLEMS.has(err.code)) report.value = null;
      error.value = describe(err);
    } finally {
      if (controller === mine) loading.value = false;
    }
  }

  function later(ms: number): void {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), ms);
  }

  watch([active, () => files.old, () => files.new], ([on]) => {
    if (on) void run();
  }, { immediate: true });
  watch(() => [form.sheet, form.headerRow], () => later(400));
  // A key the report says nothing about: ask for its duplicate groups.
  watch(key, (k) => {
    if (report.value && k.length && keyVerdict(report.value, k) === 'unknown' && !sameKey(k, asked)) later(600);
  });
  onUnmounted(() => {
    clearTimeout(timer);
    controller?.abort();
  });

  return { report, loading, error, sampled, key, run };
}
