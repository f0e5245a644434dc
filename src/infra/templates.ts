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
  if (!isDirectory(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (isDirectory(path)) return listTemplates(path, base);
    return entry.endsWith('.hbs') ? [relative(base, path).split(sep).join('/').slice(0, -'.hbs'.length)] : [];
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function checkTemplateName(name: string): void {
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(name) || name.split('/').includes('..')) {
    throw new UserError(`invalid template name "${name}"`);
  }
}

/** The file a render error came from, set by the innermost template (or partial) that failed. */
const FAILED_FILE = Symbol('template file');
type Tagged = Error & { [FAILED_FILE]?: string };

/** Handlebars messages span lines (the source and a caret); the first and the last say it. */
function oneLine(message: string): string {
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.length > 1 ? `${lines[0]} ${lines.at(-1)}` : (lines[0] ?? message);
}

export function createRenderer(options: { siteDir?: string; shippedDir?: string } = {}): Renderer {
  const siteDir = options.siteDir;
  const dirs = [siteDir, options.shippedDir ?? SHIPPED_TEMPLATES].filter((dir): dir is string => Boolean(dir));
  const hb = Handlebars.create();
  hb.registerHelper('join', (list: unknown, separator: unknown) =>
    Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ' ') : '',
  );
  hb.registerHelper('inc', (value: unknown) => Number(value) + 1);
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

  const cache = new Map<string, HandlebarsTemplateDelegate>();
  const inlineCache = new Map<string, HandlebarsTemplateDelegate>();
  let partialsLoaded = false;

  const isSite = (path: string) => siteDir !== undefined && path.startsWith(join(siteDir, sep));
  /** A site copy wins; it must be a readable file (a directory there is the site's mistake, named as such). */
  const locate = (name: string): string | undefined =>
    dirs.map((dir) => join(dir, `${name}.hbs`)).find((path) => {
      if (!existsSync(path)) return false;
      if (isDirectory(path)) throw new UserError(`site template ${path} is a directory, not a template file: remove it to use the shipped one, or put a template there`);
      return true;
    });

  /** Parses now (Handlebars parses on first use) and tags errors with the file, so each names its source. */
  const load = (path: string): HandlebarsTemplateDelegate => {
    let source: string;
    try {
      source = readFileSync(path, 'utf8');
      hb.parse(source);
    } catch (error) {
      const what = isSite(path) ? `site template ${path}` : `template ${path}`;
      const fix = isSite(path) ? ': fix it, or remove it to use the shipped one' : '';
      throw new UserError(`${what}: ${oneLine((error as Error).message)}${fix}`);
    }
    const template = hb.compile(source, COMPILE_OPTIONS);
    return (context: unknown, runtime?: Handlebars.RuntimeOptions) => {
      try {
        return template(context, runtime);
      } catch (error) {
        (error as Tagged)[FAILED_FILE] ??= path;
        throw error;
      }
    };
  };

  const loadPartials = () => {
    if (partialsLoaded) return;
    partialsLoaded = true;
    // Shipped first, site last: a site partial replaces the shipped one of the same name.
    for (const dir of [...dirs].reverse()) {
      for (const name of listTemplates(join(dir, 'partials'))) hb.registerPartial(name, load(join(dir, 'partials', `${name}.hbs`)));
    }
  };

  const compiled = (name: string): HandlebarsTemplateDelegate => {
    const hit = cache.get(name);
    if (hit) return hit;
    checkTemplateName(name);
    const path = locate(name);
    if (!path) throw new UserError(`template ${name}.hbs not found in ${dirs.join(' or ')}`);
    const template = load(path);
    cache.set(name, template);
    return template;
  };

  /** Strict mode: a template (often a site copy) used a field the context does not have. */
  const renderError = (name: string, error: unknown): unknown => {
    if (!(error instanceof Error)) return error;
    const file = (error as Tagged)[FAILED_FILE];
    if (file && isSite(file)) return new UserError(`site template ${file}: ${oneLine(error.message)}: fix it, or remove it to use the shipped one`);
    return new UserError(`template ${name}.hbs: ${oneLine(error.message)}`);
  };

  return {
    render(name, context) {
      loadPartials();
      const template = compiled(name);
      try {
        return template(context);
      } catch (error) {
        throw renderError(name, error);
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
      try {
        return template(context);
      } catch (error) {
        // A site partial the inline text used is the site's to fix; anything else stays what it is.
        const file = (error as Tagged)[FAILED_FILE];
        throw file && isSite(file) ? renderError('', error) : error;
      }
    },
  };
}

let shipped: Renderer | undefined;

/** Renders a shipped template (no site copies); use createRenderer({ siteDir }) for those. */
export function render(name: string, context: object): string {
  shipped ??= createRenderer();
  return shipped.render(name, context);
}
