import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { UserError } from '../core/errors.js';

/**
 * The one template renderer. Templates are Handlebars files `templates/<name>.hbs`, compiled
 * strict (a missing field throws instead of rendering an empty string) and without HTML
 * escaping (they are config files and shell scripts). A site copy at `<siteDir>/<name>.hbs`
 * (siteDir is `$SI_HOME/templates`) wins over the shipped one.
 *
 * Partials: every `partials/<path>.hbs` is registered as `<path>`, so
 * `templates/partials/configure/header.hbs` is used as `{{> configure/header}}`; site partials
 * win too. Helpers: `join list sep`, `inc n` (n + 1, for 1-based numbering), `eq a b`.
 */
export interface Renderer {
  render(name: string, context: object): string;
  renderInline(source: string, context: object): string;
}

export const SHIPPED_TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

const COMPILE_OPTIONS = { strict: true, noEscape: true } as const;

function listTemplates(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return listTemplates(path, base);
    return entry.endsWith('.hbs') ? [relative(base, path).split(sep).join('/').slice(0, -'.hbs'.length)] : [];
  });
}

function checkTemplateName(name: string): void {
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(name) || name.split('/').includes('..')) {
    throw new UserError(`invalid template name "${name}"`);
  }
}

export function createRenderer(options: { siteDir?: string; shippedDir?: string } = {}): Renderer {
  const dirs = [options.siteDir, options.shippedDir ?? SHIPPED_TEMPLATES].filter((dir): dir is string => Boolean(dir));
  const hb = Handlebars.create();
  hb.registerHelper('join', (list: unknown, separator: unknown) =>
    Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ' ') : '',
  );
  hb.registerHelper('inc', (value: unknown) => Number(value) + 1);
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

  const cache = new Map<string, HandlebarsTemplateDelegate>();
  const inlineCache = new Map<string, HandlebarsTemplateDelegate>();
  let partialsLoaded = false;

  const locate = (name: string): string | undefined =>
    dirs.map((dir) => join(dir, `${name}.hbs`)).find((path) => existsSync(path));

  const loadPartials = () => {
    if (partialsLoaded) return;
    partialsLoaded = true;
    // Shipped first, site last: a site partial replaces the shipped one of the same name.
    for (const dir of [...dirs].reverse()) {
      for (const name of listTemplates(join(dir, 'partials'))) {
        hb.registerPartial(name, hb.compile(readFileSync(join(dir, 'partials', `${name}.hbs`), 'utf8'), COMPILE_OPTIONS));
      }
    }
  };

  const compiled = (name: string): HandlebarsTemplateDelegate => {
    const hit = cache.get(name);
    if (hit) return hit;
    checkTemplateName(name);
    const path = locate(name);
    if (!path) throw new UserError(`template ${name}.hbs not found in ${dirs.join(' or ')}`);
    const template = hb.compile(readFileSync(path, 'utf8'), COMPILE_OPTIONS);
    cache.set(name, template);
    return template;
  };

  return {
    render(name, context) {
      loadPartials();
      const template = compiled(name);
      try {
        return template(context);
      } catch (error) {
        // Strict mode: a template (often a site copy) used a field the context does not have.
        throw new UserError(`template ${name}.hbs: ${(error as Error).message.split('\n')[0]}`);
      }
    },
    renderInline(source, context) {
      // Most footprint paths and argv words are plain text: without {{ Handlebars gives them back as they are.
      if (!source.includes('{{')) return source;
      loadPartials();
      let template = inlineCache.get(source);
      if (!template) {
        template = hb.compile(source, COMPILE_OPTIONS);
        inlineCache.set(source, template);
      }
      return template(context);
    },
  };
}

let shipped: Renderer | undefined;

/** Renders a shipped template (no site copies); use createRenderer({ siteDir }) for those. */
export function render(name: string, context: object): string {
  shipped ??= createRenderer();
  return shipped.render(name, context);
}
