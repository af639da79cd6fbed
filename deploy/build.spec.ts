import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The build (scripts/build-all.js, SWC with swc.build.json) into a temporary folder: every app gets the entry that
 * npm start, the e2e suites, the Dockerfile and the manifests run (dist/apps/<app>/main.js); no `@app/*` alias is
 * left for Node to resolve; the .proto tree is where libs/contracts finds it at run time; decorator metadata (Nest's
 * dependency injection) is kept. nest-cli.json (`nest start <app>`) builds with the same settings to the same layout.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { BUILD_TARGETS } = require('../scripts/apps') as { BUILD_TARGETS: string[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { build } = require('../scripts/build-all') as { build: (options: { dist: string }) => void };
const ROOT = join(__dirname, '..');
const readJson = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

describe('the build', () => {
  let dist: string;

  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'switchboard-build-'));
    build({ dist });
  });

  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  it.each(BUILD_TARGETS)('writes the entry dist/apps/%s/main.js, which loads the compiled main', (app) => {
    expect(existsSync(join(dist, 'apps', app, 'main.js'))).toBe(true);
    expect(existsSync(join(dist, 'apps', app, 'src', 'main.js'))).toBe(true);
  });

  it('leaves no @app/* import to resolve at run time, and compiles no spec', () => {
    const files = (readdirSync(dist, { recursive: true }) as string[]).filter((file) => file.endsWith('.js'));
    expect(files.filter((file) => /spec\.js$/.test(file))).toEqual([]);
    const unresolved = files.filter((file) => /require\("@app\//.test(readFileSync(join(dist, file), 'utf8')));
    expect(unresolved).toEqual([]);
  });

  it('puts the .proto tree where the built contracts look for it', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CONTRACTS_PROTO_ROOT } = require(join(dist, 'libs/contracts/src/proto-root.js')) as { CONTRACTS_PROTO_ROOT: string };
    expect(CONTRACTS_PROTO_ROOT).toBe(join(dist, 'libs/contracts/proto'));
    expect(existsSync(join(CONTRACTS_PROTO_ROOT, 'orders/v1/orders.proto'))).toBe(true);
  });

  it('keeps decorator metadata (Nest resolves constructor parameters by their design types)', () => {
    const code = readFileSync(join(dist, 'apps/orders/src/orders.module.js'), 'utf8');
    expect(code).toMatch(/_ts_decorate/);
    const compiled = (readdirSync(join(dist, 'apps/orders/src'), { recursive: true }) as string[]).filter((f) => f.endsWith('.js'));
    expect(compiled.some((file) => readFileSync(join(dist, 'apps/orders/src', file), 'utf8').includes('"design:paramtypes"'))).toBe(true);
  });

  it('resolves the same path aliases as tsconfig.json', () => {
    expect(readJson('swc.build.json').jsc.paths).toEqual(readJson('tsconfig.json').compilerOptions.paths);
  });

  it('has nest-cli.json build every app with the same SWC settings into the same layout', () => {
    const nest = readJson('nest-cli.json');
    expect(nest.compilerOptions.builder).toMatchObject({ type: 'swc', options: { swcrcPath: 'swc.build.json', filenames: ['apps', 'libs'], stripLeadingPaths: false } });
    for (const app of BUILD_TARGETS) {
      expect({ app, project: nest.projects[app]?.sourceRoot }).toEqual({ app, project: `apps/${app}/src` });
      expect({ app, outDir: readJson(`apps/${app}/tsconfig.app.json`).compilerOptions.outDir }).toEqual({ app, outDir: '../../dist' });
    }
  });
});
