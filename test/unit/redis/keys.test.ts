import { describe, expect, it } from 'vitest';
import { createKeys } from '../../../src/redis/keys.js';

describe('keys', () => {
  it('gives the scripts the parts a job key and a job channel are made of, matching job and jobChannel for any prefix', () => {
    for (const prefix of ['sd:', 't:abc:', '']) {
      const keys = createKeys(prefix);
      const [before, after] = keys.jobChannelParts();
      const [keyBefore, keyAfter] = keys.jobParts();
      for (const id of ['a', 'job_01HX', '{odd}']) {
        expect(before + id + after).toBe(keys.jobChannel(id));
        expect(keyBefore + id + keyAfter).toBe(keys.job(id));
      }
    }
  });

  it('puts every key of one job under the job id as hash tag', () => {
    const keys = createKeys();
    const tag = (k: string) => /\{([^}]*)\}/.exec(k)?.[1];
    for (const k of [keys.job('j1'), keys.jobEvents('j1'), keys.jobLock('j1'), keys.jobSettlement('j1')]) expect(tag(k)).toBe('j1');
  });
});
