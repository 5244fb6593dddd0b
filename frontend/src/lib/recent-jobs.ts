/**
 * Jobs started from this browser, kept in localStorage: the history screen shows them until the
 * account service (GET /profile) is available, and alongside it afterwards.
 */
export interface RecentJob {
  id: string;
  old: string;
  new: string;
  at: string;
}

const KEY = 'sheetdiff.recentJobs';
const MAX = 50;

export function loadRecentJobs(): RecentJob[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed) ? (parsed as RecentJob[]).filter((j) => typeof j?.id === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberJob(job: RecentJob): void {
  const list = [job, ...loadRecentJobs().filter((j) => j.id !== job.id)].slice(0, MAX);
  try {
    localStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    // storage full or disabled: history falls back to the server's list
  }
}
