import { InternalError } from '../errors.js';
import type { PlanContext } from './context.js';
import type { Footprint, FootprintEdit } from './footprint.js';
import type { FileWrite, LinkAction, PlanCommand } from './plan.js';
import { expandGlob, matchesGlob, type TreeReader } from './tree.js';

/** The one template engine, injected so that core stays free of file access. */
export interface TemplateRenderer {
  /** Renders templates/<name>.hbs. */
  render(name: string, context: object): string;
  /** Renders a template given as a string (paths and argv elements of footprints). */
  renderInline(source: string, context: object): string;
}

interface Inputs {
  tree: TreeReader;
  renderer: TemplateRenderer;
  context: PlanContext;
}

function checkPath(footprint: Footprint, path: string): string {
  if (!path.startsWith('/') || path.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw new InternalError(`footprint ${footprint.id} produced a bad path: ${JSON.stringify(path)}`);
  }
  return path;
}

export function planFiles(fp: Footprint, { renderer, context }: Inputs): FileWrite[] {
  return (fp.files ?? []).flatMap((file) => {
    const scopes: object[] = file.each === 'interface' ? context.interfaces.map((nic) => ({ ...context, nic })) : [context];
    return scopes.map((scope) => ({
      path: checkPath(fp, renderer.renderInline(file.path, scope)),
      mode: file.mode ?? '0644',
      content: renderer.render(file.template, scope),
    }));
  });
}

function applyEdit(content: string, edit: FootprintEdit, value: string): string {
  if (edit.kind === 'replace') return content.replace(new RegExp(edit.pattern, 'gm'), value);
  const line = `${edit.key}=${edit.quote ? `"${value}"` : value}`;
  const pattern = new RegExp(`^${edit.key}=.*$`, 'm');
  if (pattern.test(content)) return content.replace(pattern, line);
  return `${content}${content === '' || content.endsWith('\n') ? '' : '\n'}${line}\n`;
}

/** In-place edits become whole-file writes, and only for files whose content changes. */
export function planEdits(fp: Footprint, { tree, renderer, context }: Inputs): FileWrite[] {
  // Several edits of one file apply in order, each to the result of the previous one.
  const edited = new Map<string, { before: string | undefined; after: string; mode: string }>();
  for (const edit of fp.edits ?? []) {
    const value = renderer.renderInline(edit.kind === 'replace' ? edit.replacement : edit.value, context);
    const paths = edit.kind === 'replace' ? expandGlob(tree, edit.glob) : [edit.path];
    for (const path of paths) {
      const before = tree.readFile(path);
      if (before === undefined && edit.kind === 'replace') continue;
      const current = edited.get(path)?.after ?? before ?? '';
      edited.set(path, { before, after: applyEdit(current, edit, value), mode: edit.mode ?? '0644' });
    }
  }
  return [...edited]
    .filter(([, file]) => file.after !== file.before)
    .map(([path, file]) => ({ path: checkPath(fp, path), mode: file.mode, content: file.after }));
}

export function planLinks(fp: Footprint, { renderer, context }: Inputs): LinkAction[] {
  return (fp.links ?? []).map((link) => ({
    path: checkPath(fp, renderer.renderInline(link.path, context)),
    target: renderer.renderInline(link.target, context),
  }));
}

export function planRemovals(fp: Footprint, { tree }: Inputs, written: ReadonlySet<string>): string[] {
  return (fp.remove ?? []).flatMap((rule) =>
    expandGlob(tree, rule.glob).filter(
      (path) => !written.has(path) && !(rule.keep ?? []).some((keep) => matchesGlob(keep, path)),
    ),
  );
}

export function planCommands(fp: Footprint, { tree, renderer, context }: Inputs): PlanCommand[] {
  return (fp.commands ?? []).flatMap((command) => {
    const scopes: object[] = command.each
      ? expandGlob(tree, command.each).map((item) => ({ ...context, item, name: item.split('/').at(-1) ?? '' }))
      : [context];
    return scopes.map((scope) => ({ argv: command.argv.map((arg) => renderer.renderInline(arg, scope)), chroot: true as const }));
  });
}
