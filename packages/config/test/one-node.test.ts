import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * One Node LTS everywhere: the version in .nvmrc (which .ci/run and the README's set-up line
 * install) is the floor of package.json's engines, the images' default base, and the major of
 * @types/node, and npm refuses other Nodes at install (engine-strict).
 */
const ROOT = resolve(__dirname, '../../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; devDependencies: Record<string, string> };
const pinned = read('.nvmrc').trim();
const major = pinned.split('.')[0];

describe('the Node version', () => {
  it('when .nvmrc is read, then it names one exact release', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('when package.json engines is read, then it is that release up to the next major', () => {
    expect(pkg.engines.node).toBe(`>=${pinned} <${Number(major) + 1}`);
  });

  it('when .npmrc is read, then npm refuses to install on another Node', () => {
    expect(read('.npmrc')).toMatch(/^engine-strict=true$/m);
  });

  it('when @types/node is read, then its major is the runtime major', () => {
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${major}\\.`));
  });

  it('when a Dockerfile is read, then its default base image is that release', () => {
    const files = readdirSync(join(ROOT, 'deploy/docker')).filter((f) => f.endsWith('.Dockerfile'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect({ f, image: /^ARG NODE_IMAGE=(.+)$/m.exec(read(`deploy/docker/${f}`))?.[1] }).toEqual({ f, image: `node:${pinned}-slim` });
    }
  });
});
