import { describe, expect, it } from 'vitest';
import { ENV_KEYS, EnvSchema } from '../../../src/config/env.js';
import { RUNTIME_ENV_KEYS } from '../../../src/config/node-options.js';
import { compareKeys, formatProblems, readEnvExample, readSecretList, unreviewedSecretLookalikes, type KeySource } from './support/env-keys.js';
import { byName, renderAll } from './support/render.js';
import { isRecord, readYaml } from './support/repo.js';

type Obj = Record<string, any>;

const secrets = readSecretList();
const isSecret = (k: string) => secrets.secrets.includes(k);
const example = readEnvExample();
const rendered = renderAll();
const compose = readYaml<Obj>('docker-compose.yml');
/** Compose services that run sheetdiff processes (built from this repository's app images). */
const appServices = Object.entries(compose.services as Record<string, Obj>).filter(([, s]) =>
  /^Dockerfile\.(api|worker)$/.test(String(s.build?.dockerfile ?? '')),
);

function sources(): KeySource[] {
  const list: KeySource[] = [
    {
      where: 'env.prod.example',
      keys: example.keys,
      expected: () => true,
      hint: (k) => `add a commented line "${k}=" in its group (empty = schema default; CHANGE_ME for a secret)`,
    },
  ];
  for (const r of rendered) {
    const cm = byName(r.objects, 'ConfigMap', 'sheetdiff-config') as Obj;
    list.push({
      where: `ConfigMap sheetdiff-config (k8s/base/configmap.yaml, overlay ${r.name})`,
      keys: Object.keys(cm.data ?? {}),
      expected: (k) => !isSecret(k),
      hint: (k) => (isSecret(k) ? `${k} is a secret (deploy/secret-keys.json): remove it here, it comes from Vault` : `add  ${k}: ""  under data: (or list it in deploy/secret-keys.json if it is a secret)`),
    });
    const es = byName(r.objects, 'ExternalSecret', 'sheetdiff-secrets') as Obj;
    list.push({
      where: `ExternalSecret sheetdiff-secrets (k8s/base/external-secrets.yaml, overlay ${r.name})`,
      keys: (es.spec.data as Obj[]).map((d) => d.secretKey as string),
      expected: isSecret,
      hint: (k) => (isSecret(k) ? `add a data entry { secretKey: ${k}, remoteRef: { key: sheetdiff/app, property: ${k} } }` : `${k} is not in deploy/secret-keys.json: remove it here or list it there`),
    });
  }
  list.push({
    where: 'deploy/secret-keys.json "secrets"',
    keys: secrets.secrets,
    expected: isSecret,
    hint: () => '',
  });
  return list;
}

describe('environment variables: schema, env.prod.example, ConfigMap + Vault secrets, compose', () => {
  it('has 0 keys missing or extra anywhere', () => {
    const problems = [...compareKeys(sources()), ...unreviewedSecretLookalikes(secrets)];
    const cms = rendered.map((r) => Object.keys((byName(r.objects, 'ConfigMap', 'sheetdiff-config') as Obj).data).length);
    console.log(
      `env keys: schema ${ENV_KEYS.length}, env.prod.example ${example.keys.length}, ` +
        `ConfigMap ${cms.join('/')} + Vault secrets ${secrets.secrets.length} (overlays ${rendered.map((r) => r.name).join('/')}), ` +
        `compose services on env.prod ${appServices.length}; missing or extra: ${problems.length}` +
        (problems.length ? `\n${formatProblems(problems)}` : ''),
    );
    expect(problems, `\n${formatProblems(problems)}`).toEqual([]);
  });

  it('finds a key added to the schema but not to the deployment files, and says where', () => {
    const problems = compareKeys(sources(), [...ENV_KEYS, 'ARCHIVE_REGION', 'ARCHIVE_ACCESS_KEY_SECRET']);
    const text = formatProblems(problems);
    expect(text).toMatch(/ARCHIVE_REGION\n {4}- missing from env.prod.example/);
    expect(text).toMatch(/ARCHIVE_REGION[\s\S]*missing from ConfigMap sheetdiff-config/);
    expect(unreviewedSecretLookalikes(secrets, ['ARCHIVE_ACCESS_KEY_SECRET']).map((p) => p.key)).toEqual(['ARCHIVE_ACCESS_KEY_SECRET']);
  });

  it('comments every line of env.prod.example and keeps secrets as CHANGE_ME placeholders', () => {
    expect(example.uncommented, 'keys without a comment on the line above').toEqual([]);
    for (const k of secrets.secrets) expect(example.values.get(k), k).toMatch(/CHANGE_ME/);
    const invalid = [...example.values]
      .filter(([k, v]) => v !== '' && !isSecret(k))
      .filter(([k, v]) => !EnvSchema.shape[k as keyof typeof EnvSchema.shape]?.safeParse(v).success)
      .map(([k, v]) => `${k}=${v}`);
    expect(invalid, 'values the schema rejects').toEqual([]);
  });

  it('feeds every app service of docker-compose.yml from env.prod, overriding only schema variables', () => {
    expect(appServices.map(([name]) => name).sort()).toEqual(['api', 'worker-compare', 'worker-export', 'worker-payment']);
    for (const [name, s] of appServices) {
      expect(s.env_file, name).toEqual(['env.prod']);
      const env = s.environment;
      const keys = Array.isArray(env) ? env.map((e: string) => e.split('=')[0]) : isRecord(env) ? Object.keys(env) : [];
      for (const k of keys) expect([...ENV_KEYS, ...RUNTIME_ENV_KEYS] as string[], `${name} sets ${k}`).toContain(k);
    }
  });
});
