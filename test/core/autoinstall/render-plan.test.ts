// The pure side of a render: the override order, the generation names and what survives a clean-up, and the
// plan that says which files a render writes, keeps and removes.
import { describe, expect, it } from 'vitest';
import { currentGeneration, generationsToRemove, nextGeneration } from '../../../src/core/autoinstall/generations.js';
import { emptyManifest, type Manifest } from '../../../src/core/autoinstall/manifest.js';
import { groupClasses, overrideOrder } from '../../../src/core/autoinstall/override-order.js';
import { planRender, type RenderPlanOptions } from '../../../src/core/autoinstall/render-plan.js';
import { client } from '../../infra/autoinstall/fixtures.js';

describe('the override order', () => {
  const groups = new Map([
    ['compute', { name: 'compute', overrides: ['gpu-drivers', 'site'] }],
    ['rack1', { name: 'rack1', overrides: [] }],
  ]);

  it('is each of the client\'s groups in order, each followed by the group\'s own list, then the client\'s own list, each once', () => {
    const classes = groupClasses(client(1, { groups: ['rack1', 'compute', 'nosuch'] }), groups);
    expect(classes).toEqual(['rack1', 'compute', 'gpu-drivers', 'site', 'nosuch']);
    const available = new Set(['rack1', 'compute', 'gpu-drivers', 'site', 'mine', 'nosuch']);
    expect(overrideOrder({ classes, own: ['mine', 'site'], available })).toEqual(['rack1', 'compute', 'gpu-drivers', 'site', 'nosuch', 'mine']);
  });

  it('leaves out names without a tree, and is empty for a client without groups', () => {
    expect(overrideOrder({ classes: ['compute', 'gpu-drivers'], own: ['gone'], available: new Set(['gpu-drivers']) })).toEqual(['gpu-drivers']);
    expect(groupClasses(client(2, { groups: [] }), groups)).toEqual([]);
  });
});

describe('generations', () => {
  it('numbers the next one above every complete or partial one, and reads the link', () => {
    expect(nextGeneration([])).toBe(1);
    expect(nextGeneration(['.lock', '3', '7', '.partial-9', '.deleting-2-77'])).toBe(10);
    expect(currentGeneration('script-generations/7')).toBe(7);
    expect(currentGeneration('../elsewhere')).toBeNull();
    expect(currentGeneration(null)).toBeNull();
  });

  it('keeps the current one and the one before it; removes half-built, never-switched and older ones', () => {
    const names = ['.lock', '1', '2', '4', '5', '.partial-6', '.deleting-1-99'];
    expect(generationsToRemove({ names, current: 4 })).toEqual(['.deleting-1-99', '.partial-6', '1', '5']);
    expect(generationsToRemove({ names, current: 4, keep: '.partial-6' })).toEqual(['.deleting-1-99', '1', '5']);
    expect(generationsToRemove({ names: ['.lock', '1'], current: 1 })).toEqual([]);
  });
});

describe('the render plan', () => {
  const manifestWith = (files: Manifest['files']): Manifest => ({ ...emptyManifest(), files, masters: { img: 'id' } });
  const base = (over: Partial<RenderPlanOptions> = {}): RenderPlanOptions => ({
    image: 'img',
    clients: [client(1, { image: 'img' }), client(2, { image: 'img', groups: ['compute', 'gpu'] })],
    groups: new Map([['compute', { name: 'compute', overrides: ['site'] }]]),
    hooks: { pre: ['10all.sh', '20node002'], post: ['50compute'] },
    overrideTrees: new Set(['compute', 'site']),
    overridesDir: '/srv/overrides',
    masterInputs: 'm',
    installInputs: 'i',
    hostCommon: 'c',
    treeSame: true,
    manifest: emptyManifest(),
    sizeOf: () => 10,
    ...over,
  });

  it('renders everything the first time, with each host\'s classes, overrides and hooks', () => {
    const plan = planRender(base());
    expect([plan.master.action, plan.install.action, ...plan.hosts.map((h) => h.action)]).toEqual(['render', 'render', 'render', 'render']);
    expect(plan.hosts[1]).toMatchObject({ file: 'node002.sh', classes: ['compute', 'site', 'gpu'], overrides: ['compute', 'site'], preInstall: ['10all.sh', '20node002'], postInstall: ['50compute'] });
    expect(plan.hooks).toEqual(['pre-install/10all.sh', 'pre-install/20node002', 'post-install/50compute']);
    expect(plan.remove).toEqual([]);
  });

  it('keeps files whose inputs match and which are there at their size; removes this image\'s and shared files no longer produced', () => {
    const first = planRender(base());
    const entry = (image: string, inputs: string) => ({ image, inputs, sha256: 'x', size: 10 });
    const manifest = manifestWith({
      'img.master': entry('img', 'm'),
      'install.sh': entry('*', 'i'),
      'node001.sh': entry('img', first.hosts[0]!.inputs),
      'node002.sh': entry('img', first.hosts[1]!.inputs),
      'node003.sh': entry('img', 'old'),
      'other.master': entry('other', 'x'),
      'pre-install/05gone': entry('*', 'x'),
    });
    const plan = planRender(base({ manifest, sizeOf: (name) => (name === 'node002.sh' ? 9 : 10) }));
    expect([plan.master.action, plan.install.action, ...plan.hosts.map((h) => h.action)]).toEqual(['keep', 'keep', 'keep', 'render']);
    expect(plan.remove).toEqual(['node003.sh', 'pre-install/05gone']);
    // A changed image or master re-renders every host.
    expect(planRender(base({ manifest, treeSame: false })).hosts.map((h) => h.action)).toEqual(['render', 'render']);
    expect(planRender(base({ manifest, masterInputs: 'new layout' })).hosts.map((h) => h.action)).toEqual(['render', 'render']);
  });

  it('warns about an override the client names that has no tree', () => {
    const plan = planRender(base({ clients: [client(3, { image: 'img', overrides: ['nosuch'] })] }));
    expect(plan.warnings).toEqual(['client node003 names override nosuch, which has no tree under /srv/overrides; it is skipped']);
  });
});
